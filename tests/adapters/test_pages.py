"""Long replies split into pages that each fit one message, losing and repeating nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack import blocks
from adapters.teams import cards
from bot.replies import Button, Field, Reply, Section, Visibility

# Text as people type it: words, lines, markup and mentions to escape, a little of everything.
words = st.lists(
    st.sampled_from([*"abcdefghij   \n\n&<>*_#-1.", "é", "🙂", "<!channel>", "<@U1>"]),
    min_size=20,
    max_size=300,
).map("".join)
long_texts = st.builds(lambda w, n: w * n, words, st.integers(1, 30))
sections = st.builds(
    Section,
    text=long_texts,
    title=st.text(max_size=40),
    fields=st.lists(st.builds(Field, st.text(max_size=30), st.text(max_size=200)), max_size=25).map(
        tuple
    ),
)
replies = st.builds(
    Reply,
    text=st.one_of(st.text(max_size=80), long_texts),
    sections=st.lists(sections, min_size=15, max_size=80).map(tuple),
    buttons=st.lists(
        st.builds(Button, st.just("Open"), st.just("open"), st.just("1")), max_size=3
    ).map(tuple),
    visibility=st.just(Visibility.CHANNEL),
)


def slack_body(reply: Reply, *, moved_text: bool) -> list[dict[str, Any]]:
    """A reply's blocks after its heading (all of them if its text went into the body)."""
    rendered = blocks.reply_blocks(reply)
    return rendered if moved_text else rendered[len(blocks.text_blocks(reply.text)) :]


@settings(max_examples=40, deadline=None)
@given(replies)
def test_slack_pages_each_fit_and_together_hold_every_block_once_in_order(reply: Reply) -> None:
    slack_pages_hold_every_block_once_and_fit(reply)


def test_a_reply_whose_text_is_blank_pages_without_losing_a_block() -> None:
    # Found by the property above: a text of white space alone heads no page, so it must not be
    # a block of the whole reply either.
    sections = tuple(Section(text="learning " * 400, title=f"Team {n}") for n in range(40))
    slack_pages_hold_every_block_once_and_fit(Reply("\t", sections))


def slack_pages_hold_every_block_once_and_fit(reply: Reply) -> None:
    pages = blocks.pages(reply)
    if len(pages) == 1:
        assert pages == [reply]
        return
    moved = reply.text.strip() != pages[0].text.rsplit(" (", 1)[0]
    across = [block for page in pages for block in slack_body(page, moved_text=False)]
    assert across == slack_body(reply, moved_text=moved)
    for number, page in enumerate(pages, 1):
        assert page.text.endswith(f"({number}/{len(pages)})")
        assert page.buttons == (reply.buttons if number == len(pages) else ())
        rendered = blocks.message(page)
        assert len(rendered["blocks"]) <= blocks.MAX_MESSAGE_BLOCKS
        assert all(b["type"] != "context" for b in rendered["blocks"])  # nothing left out
        assert all(
            len(b["text"]["text"]) <= blocks.MAX_SECTION_TEXT
            for b in rendered["blocks"]
            if b["type"] == "section" and "text" in b
        )
        assert all(len(b.get("fields", ())) <= blocks.MAX_FIELDS for b in rendered["blocks"])


def teams_texts(reply: Reply, *, moved_text: bool) -> list[str]:
    """Every text and fact value a reply's card shows after its heading, as one sequence."""
    shown = [reply.text] if moved_text and reply.text.strip() else []
    for section in reply.sections:
        shown += [section.text] if section.text.strip() else []
        shown += [f.value for f in section.fields]
    return shown


@settings(max_examples=25, deadline=None)
@given(replies)
def test_teams_pages_each_fit_and_together_hold_every_text_once_in_order(reply: Reply) -> None:
    pages = cards.pages(reply)
    if len(pages) == 1:
        assert pages == [reply]
        return
    moved = reply.text.strip() != pages[0].text.rsplit(" (", 1)[0]
    across = "".join(t for page in pages for t in teams_texts(page, moved_text=False))
    assert across == "".join(teams_texts(reply, moved_text=moved))
    for number, page in enumerate(pages, 1):
        assert page.text.endswith(f"({number}/{len(pages)})")
        assert cards.fits(page)
        assert cards.message(page) == cards.card_message(page)  # nothing was shortened


def digest(stories: int, length: int) -> Reply:
    line = "We believed guests abandon at sign-up; we learned a guest checkout helps. "
    return Reply(
        "Your weekly learning digest for Checkout",
        tuple(
            Section(title=f"Team {n}: learning", text=f"• story {n}: {line * length}")
            for n in range(stories)
        ),
        visibility=Visibility.CHANNEL,
    )


def test_a_digest_of_many_teams_takes_several_slack_messages_headed_with_their_number() -> None:
    pages = blocks.pages(digest(stories=80, length=1))
    assert [p.text for p in pages] == [
        "Your weekly learning digest for Checkout (1/4)",
        "Your weekly learning digest for Checkout (2/4)",
        "Your weekly learning digest for Checkout (3/4)",
        "Your weekly learning digest for Checkout (4/4)",
    ]
    assert [s.title for p in pages for s in p.sections] == [
        f"Team {n}: learning" for n in range(80)
    ]


def test_a_section_longer_than_a_message_goes_on_over_the_next() -> None:
    huge = Section(
        title="Checkout: learning", text="\n".join(f"• story {n} " * 30 for n in range(1200))
    )
    pages = blocks.pages(Reply("Digest", (huge,)))
    assert len(pages) >= 3
    assert pages[0].sections[0].title == "Checkout: learning"
    assert "".join(s.text for p in pages for s in p.sections) == huge.text
    teams_pages = cards.pages(Reply("Digest", (huge,)))
    assert len(teams_pages) >= 3
    assert "".join(s.text for p in teams_pages for s in p.sections) == huge.text


def test_a_long_text_of_its_own_moves_into_the_first_page_and_its_first_line_heads_them() -> None:
    text = "Summary of the Q1 retrospective\n" + "• an answer worth reading\n" * 8000
    pages = blocks.pages(Reply(text))
    assert pages[0].text == f"Summary of the Q1 retrospective (1/{len(pages)})"
    assert "".join(s.text for p in pages for s in p.sections) == text
    teams_pages = cards.pages(Reply(text))
    assert "".join(s.text for p in teams_pages for s in p.sections) == text


def test_a_reply_that_fits_is_one_page_as_it_is() -> None:
    reply = digest(stories=3, length=2)
    assert blocks.pages(reply) == [reply] and cards.pages(reply) == [reply]
