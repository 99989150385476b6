"""At -vv (DEBUG for every logger, the SDKs' included) no log line pairs a person with what they
said anonymously, over Slack HTTP and over Teams."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.entry import logs
from storage.okr import AnonymousConcern
from storage.retro import AnonymousAnswer
from tests.server.rig import SlackRig
from tests.server.teams_rig import PEOPLE, TeamsRig, aad
from tests.server.test_teams_anonymity import open_retro

ANSWER = "Guest checkout was my idea and it failed"
CONCERN = "we rush calls to keep handle time down"
SLACK_PERSON = "U0QUIET42"


@pytest.fixture
def verbose(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Log everything at DEBUG through okrbot's own set-up, as `okrbot serve -vv` does."""
    levels = {name: logging.getLogger(name).level for name in logs.WORDY}
    logs.configure(logging.DEBUG, handlers=[caplog.handler])
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def anonymous_ids(okrbot: object) -> list[str]:
    async with okrbot.sessions() as session:  # type: ignore[attr-defined]
        answers = await session.scalars(select(AnonymousAnswer.id))
        concerns = await session.scalars(select(AnonymousConcern.id))
        return [*answers, *concerns]


def pairing(caplog: pytest.LogCaptureFixture, people: list[str], secrets: list[str]) -> list[str]:
    """Log lines that name one of ``people`` and hold one of ``secrets``."""
    lines = [f"{r.name}: {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    assert len(lines) > 20  # DEBUG really was on
    return [
        line for line in lines if any(p in line for p in people) and any(s in line for s in secrets)
    ]


async def test_slack_logs_never_pair_a_person_with_their_anonymous_words(
    database_url: str, verbose: pytest.LogCaptureFixture
) -> None:
    rig = await SlackRig.start(database_url)
    try:
        rig.fake.members["C1"] = ["U1", SLACK_PERSON, "U3"]
        await rig.command("/okr team create Checkout tz=Europe/Berlin")
        await rig.command("/retro start")
        await rig.server.okrbot.tick()
        dm = {"type": "message", "channel_type": "im", "channel": "D1"} | {"user": SLACK_PERSON}
        for n, text in enumerate(("anonymous", ANSWER)):
            said = await rig.event({**dm, "text": text, "ts": f"17.{n}"}, event_id=f"Ev-q{n}")
            assert said.status == 200
            await rig.settle()
        raised = await rig.command(
            f"/okr concern Handle time: {CONCERN} anonymous", user=SLACK_PERSON
        )
        assert raised.status == 200
        await rig.settle()
        await rig.deliver()
        ids = await anonymous_ids(rig.server.okrbot)
        assert len(ids) == 2
        assert pairing(verbose, [SLACK_PERSON], [ANSWER, CONCERN, *ids]) == []
        # The SDKs still say which calls were made, but not what was said to whom.
        sdk = [r.getMessage() for r in verbose.records if r.name.startswith("slack_sdk")]
        assert any("chat.postMessage" in line for line in sdk)
        assert not [line for line in sdk if "short questions" in line or SLACK_PERSON in line]
    finally:
        await rig.close()


async def test_teams_logs_never_pair_a_person_with_their_anonymous_words(
    database_url: str, verbose: pytest.LogCaptureFixture
) -> None:
    rig = await TeamsRig.start(database_url)
    try:
        await open_retro(rig)
        for text in ("anonymous", ANSWER):
            assert (await rig.post(rig.in_personal_chat(text))).status == 200
        concern = f"okr concern Handle time: {CONCERN} anonymous"
        assert (await rig.post(rig.in_channel(concern, who="grace"))).status == 200
        await rig.deliver()
        ids = await anonymous_ids(rig.server.okrbot)
        assert len(ids) == 2
        grace = PEOPLE["grace"]
        people = [grace["id"], aad("grace"), grace["name"], "a:1personal-grace"]
        assert pairing(verbose, people, [ANSWER, CONCERN, *ids]) == []
    finally:
        await rig.close()
