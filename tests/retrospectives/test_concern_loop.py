"""Transcripts: a concern says enough to act on, gathers voices, gets an answer, is never lost."""

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.events import EventKind
from bot.replies import Refusal
from retrospectives.okrs.concerns import commands
from retrospectives.okrs.concerns.forms import ANSWER, CONCERN, ConcernAction
from storage.concerns import ConcernVoice
from storage.okr import AnonymousConcern, ConcernDecision, MetricConcern
from tests.support.transcripts import reply_text, said


def reference(answer: str) -> str:
    return re.search(r"\b(C\d+)\b", answer).group(1)


def channel_text(bot, channel="C1"):
    return "\n".join(reply_text(s.reply) for s in bot.port.to(channel))


async def press(bot, action, value, *, user, channel="C1"):
    event = bot.event(EventKind.BUTTON, user=user, channel=channel)
    return await bot.send(replace(event, action_id=action, action_value=value))


def next_morning(now):
    return datetime.combine(now.date() + timedelta(days=1), time(9), tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "Handle time: agents close tickets early | drives: closing fast | harms: callers "
            "| instead: solved on first contact anonymous team",
            commands.ConcernDraft(
                "Handle time",
                "agents close tickets early",
                drives="closing fast",
                harms="callers",
                instead="solved on first contact",
                anonymous=True,
                team_visible=True,
            ),
        ),
        (
            "Velocity: it wears out the team",
            commands.ConcernDraft("Velocity", "it wears out the team"),
        ),
        (
            "Tickets closed: <@U7|ana> closes them early team",
            commands.ConcernDraft(
                "Tickets closed", "<@U7|ana> closes them early", team_visible=True
            ),
        ),
    ],
)
def test_a_concern_is_read_with_its_parts_and_who_sees_it(args, expected):
    assert commands.parse_concern(args) == expected


def test_an_unknown_part_or_an_answer_without_words_is_explained():
    with pytest.raises(Refusal, match="drives:, harms: and instead:"):
        commands.parse_concern("Velocity: we split stories | because: reasons")
    with pytest.raises(Refusal, match="concern answer C7"):
        commands.parse_answer("C7 changed")
    assert commands.parse_answer("C7 changed: we count solved problems") == (
        7,
        ConcernDecision.CHANGED,
        "we count solved problems",
    )
    assert commands.parse_answer("c12 we talked it over") == (12, None, "we talked it over")


async def test_a_vague_concern_gets_one_question_and_its_raiser_may_add_the_parts(bot):
    await bot.say("/okr team create Support")
    answer = await bot.say("/okr concern Velocity: bad", user="U7")
    assert answer.count("One question") == 1
    code = reference(answer)
    assert "Only the person who raised" in await bot.say(
        f"/okr concern {code} | drives: splitting stories", user="U8"
    )
    assert "Added to" in await bot.say(
        f"/okr concern {code} | drives: splitting stories | harms: reviewers", user="U7"
    )
    async with bot.app.sessions() as session:
        concern = await session.scalar(select(MetricConcern))
    assert (concern.drives, concern.harms) == ("splitting stories", "reviewers")
    detailed = await bot.say(
        "/okr concern Velocity: we split stories to look fast | drives: splitting", user="U7"
    )
    assert "One question" not in detailed


async def test_an_anonymous_team_concern_gathers_voices_and_an_answer_without_its_raiser(bot):
    await bot.say("/okr team create Support")
    raised = bot.clock.now()
    answer = await bot.say(
        "/okr concern Handle time: agents close tickets before the problem is solved "
        "| drives: closing fast | instead: problems solved on first contact anonymous team",
        user="U7",
    )
    code = reference(answer)
    assert "without your name" in answer and f"/okr concern {code}" in answer
    await bot.deliver()
    assert bot.port.to("C1") == []  # its arrival now would say when it was typed
    assert "cannot" not in await bot.say(f"/okr concern {code}", user="U7")
    assert "no concern" in await bot.say(f"/okr concern voice {code}", user="U8")

    await bot.tick(next_morning(raised))
    [post] = bot.port.to("C1")
    assert "Handle time" in reply_text(post.reply) and "raised anonymously" in reply_text(
        post.reply
    )
    assert [b.action_id for b in post.reply.buttons] == [
        ConcernAction.VOICE,
        ConcernAction.VOICE_ANONYMOUSLY,
        ConcernAction.ANSWER,
    ]
    value = post.reply.buttons[0].value
    assert "1 voice added (0 by name, 1 anonymously)" in said(
        await press(bot, ConcernAction.VOICE_ANONYMOUSLY, value, user="U8")
    )
    assert "already" in said(await press(bot, ConcernAction.VOICE, value, user="U8"))
    assert "2 voices added (1 by name, 1 anonymously)" in await bot.say(
        f"/okr concern voice {code}", user="U9"
    )
    assert "Only a lead of Support" in await bot.say(
        f"/okr concern answer {code} kept: it stays", user="U8"
    )
    assert "is answered" in await bot.say(
        f"/okr concern answer {code} replaced: we now count problems solved on first contact"
    )
    await bot.deliver()
    answered = reply_text(bot.port.to("C1")[-1].reply)
    assert "The team replaced it: we now count problems solved on first contact" in answered
    assert "Handle time" in answered and "2 voices" in answered

    # The raiser finds the answer from a direct message, by reference and team name.
    found = await bot.say(f"/okr concern {code} Support", user="U7", channel="DU7", direct=True)
    assert "we now count problems solved on first contact" in found
    assert "has an answer already" in await bot.say(f"/okr concern answer {code} kept: no")

    # Nothing anywhere names who raised it or who voiced.
    everything = "\n".join(reply_text(s.reply) for s in bot.port.sent)
    for person in ("U7", "U8", "U9"):
        assert person not in everything
    async with bot.app.sessions() as session:
        markers = (await session.scalars(select(ConcernVoice.marker))).all()
        [concern] = (await session.scalars(select(AnonymousConcern))).all()
    assert len(markers) == 2 and not any(p in m for m in markers for p in ("U8", "U9"))
    assert concern.decision is ConcernDecision.REPLACED


async def test_a_lead_answers_through_the_button_and_form(bot):
    await bot.say("/okr team create Support")
    answer = await bot.say(
        "/okr concern Tickets closed: people split tickets to look busy team", user="U7"
    )
    code = reference(answer)
    await bot.deliver()
    [note] = bot.port.to("@U1")
    assert "U7 raised" in note.reply.text
    [button] = note.reply.buttons
    assert "Only the person" not in said(
        await press(bot, button.action_id, button.value, user="U2")
    )
    opened = await press(bot, button.action_id, button.value, user="U1", channel="DU1")
    [shown] = opened.replies
    assert shown.form.form_id == ANSWER
    await bot.send(
        bot.event(
            EventKind.FORM_SUBMISSION,
            user="U1",
            channel="DU1",
            form_id=ANSWER,
            form_values={"decision": "changed", "answer": "we count tickets solved"},
            form_context=shown.form.context,
        )
    )
    await bot.deliver()
    assert "The team changed it: we count tickets solved" in channel_text(bot)
    assert "voice" in channel_text(bot)
    assert "we count tickets solved" in await bot.say(f"/okr concern {code}", user="U8")


async def test_the_form_raises_a_concern_with_the_same_fields(bot):
    await bot.say("/okr team create Support")
    opened = await press(bot, ConcernAction.OPEN_FORM, "", user="U7")
    [shown] = opened.replies
    assert [i.name for i in shown.form.inputs] == [
        "metric",
        "harm",
        "drives",
        "harms",
        "instead",
        "anonymous",
        "visible",
    ]
    outcome = await bot.send(
        bot.event(
            EventKind.FORM_SUBMISSION,
            user="U7",
            channel="DU7",
            form_id=CONCERN,
            form_values={
                "metric": "Story points",
                "harm": "we inflate estimates",
                "harms": "planning",
                "anonymous": "yes",
                "visible": "leads",
            },
            form_context=shown.form.context,
        )
    )
    assert "without your name" in said(outcome)
    async with bot.app.sessions() as session:
        concern = await session.scalar(select(AnonymousConcern))
    assert (concern.metric, concern.harms, concern.team_visible) == (
        "Story points",
        "planning",
        False,
    )


async def test_voices_only_for_team_concerns_and_leads_only_concerns_stay_private(bot):
    await bot.say("/okr team create Support")
    code = reference(
        await bot.say("/okr concern Tickets closed: people split tickets to look busy", user="U7")
    )
    assert "leads only" in await bot.say(f"/okr concern voice {code}", user="U8")
    looked = await bot.say(f"/okr concern {code}", user="U8")
    assert "awaiting an answer" in looked and "split tickets" not in looked
    assert "split tickets" in await bot.say(f"/okr concern {code}")  # its lead sees it


async def test_the_digest_keeps_open_concerns_with_their_age(bot):
    await bot.say("/okr team create Support")
    await bot.say("/okr concern Tickets closed: people split tickets to look busy", user="U7")
    bot.clock.advance(timedelta(days=3))
    outcome = await bot.send(bot.event(EventKind.COMMAND, text="/okr digest"))
    [reply] = outcome.replies
    body = {s.title: s.text for s in reply.sections}
    waiting = body["Support: concerns awaiting an answer"]
    assert "Tickets closed: people split tickets to look busy (open 3 days)" in waiting
