"""Reading what people type: story fields, team names, concerns, mentions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.console import events as console_events
from bot.replies import Refusal
from retrospectives.okrs import coach, commands
from retrospectives.okrs.commands import IMPACT_LABELS, LEARNING_LABELS
from storage.okr import StoryResult


def test_structured_learning_story_fields_are_read_and_text_kept_whole():
    text = (
        "hypothesis: one-page checkout lifts completion | tried: A/B test for 2 weeks "
        "| learned: it did not | result: invalidated | next: test trust badges | kr: KR2"
    )
    draft = commands.parse_story(text, LEARNING_LABELS)
    assert draft.text == text
    assert draft.fields == {
        "hypothesis": "one-page checkout lifts completion",
        "tried": "A/B test for 2 weeks",
        "learned": "it did not",
        "result": "invalidated",
        "adaptation": "test trust badges",
        "kr": "KR2",
    }


def test_free_text_story_has_no_fields_and_a_colon_inside_is_not_a_label():
    draft = commands.parse_story("Ratio: people kept asking about fees", LEARNING_LABELS)
    assert draft.fields == {}
    assert draft.text == "Ratio: people kept asking about fees"


def test_impact_labels():
    draft = commands.parse_story(
        "who: returning buyers | before: called support | after: self-serve", IMPACT_LABELS
    )
    assert draft.get("who") == "returning buyers"
    assert draft.get("after") == "self-serve"


@pytest.mark.parametrize(
    ("word", "result"),
    [
        ("validated", StoryResult.VALIDATED),
        ("Invalidated", StoryResult.INVALIDATED),
        ("disproved", StoryResult.INVALIDATED),
        ("inconclusive.", StoryResult.INCONCLUSIVE),
    ],
)
def test_result_words(word, result):
    assert commands.parse_result(word) is result


def test_unknown_result_is_refused_with_the_choices():
    with pytest.raises(Refusal, match="validated, invalidated or inconclusive"):
        commands.parse_result("kinda")


def test_team_create_reads_name_and_timezone():
    assert commands.parse_team_create("Checkout Web tz=Europe/Berlin") == (
        "Checkout Web",
        "Europe/Berlin",
    )
    assert commands.parse_team_create("Payments") == ("Payments", None)


@pytest.mark.parametrize("args", ["", "tz=Europe/Berlin", "<!channel>", "x" * 81])
def test_team_create_refuses_missing_or_odd_names(args):
    with pytest.raises(Refusal):
        commands.parse_team_create(args)


def test_unknown_timezone_is_refused():
    with pytest.raises(Refusal, match="IANA"):
        commands.parse_team_create("Checkout tz=Mars/Olympus")


@pytest.mark.parametrize(
    ("token", "user"),
    [
        ("<@U123>", "U123"),
        ("<@U123|ana>", "U123"),
        ("<@6f1b9c2e-31aa-4b1e-9d3c-0a1b2c3d4e5f|Grace>", "6f1b9c2e-31aa-4b1e-9d3c-0a1b2c3d4e5f"),
        ("@U9", None),
        ("Grace", None),
        ("<#C1>", None),
    ],
)
def test_people_are_read_from_mentions(token, user):
    assert commands.parse_user(token) == user


@pytest.mark.parametrize(("token", "user"), [("@U9", "U9"), ("<@U1>", "U1")])
def test_on_the_console_people_are_their_ids(token, user):
    # The console adapter writes ``@U9`` as a mention; the domain reads mentions alone.
    assert commands.parse_user(console_events.in_core_form(token)) == user


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "Handle time: agents close tickets early",
            ("Handle time", "agents close tickets early", False),
        ),
        (
            "Handle time: agents close tickets early anonymous",
            ("Handle time", "agents close tickets early", True),
        ),
        (
            "Handle time: agents close tickets early [anonymous]",
            ("Handle time", "agents close tickets early", True),
        ),
    ],
)
def test_concerns(args, expected):
    assert commands.parse_concern(args) == expected


def test_concern_without_harm_is_refused():
    with pytest.raises(Refusal, match="metric"):
        commands.parse_concern("Handle time")


@pytest.mark.parametrize(
    "text",
    ["We shipped the new onboarding flow", "Launched dark mode", "Released v2 of the API"],
)
def test_output_only_stories_are_noticed(text):
    assert coach.only_output(text)


@pytest.mark.parametrize(
    "text",
    [
        "We shipped the new onboarding flow and customers now finish setup alone",
        "Launched dark mode; 30% of users switched within a week",
        "Interviewed five buyers about fees",
    ],
)
def test_stories_with_an_outcome_are_not_questioned(text):
    assert not coach.only_output(text)


@given(st.text(max_size=500))
def test_parsing_any_text_either_succeeds_or_refuses(text):
    try:
        draft = commands.parse_story(text, LEARNING_LABELS)
    except Refusal:
        return
    assert draft.text == text.strip()
    assert set(draft.fields) <= set(LEARNING_LABELS.values())


def test_a_story_is_read_once_into_its_result_and_the_key_result_it_cites():
    draft = commands.parse_story("learned: x | result: refuted | kr: KR2", LEARNING_LABELS)
    assert draft.result is StoryResult.INVALIDATED
    assert draft.cited == commands.KeyResultRef("KR2", 2)
    unread = commands.parse_story("learned: x | kr: the big one", LEARNING_LABELS)
    assert unread.cited == commands.KeyResultRef("the big one", None)
