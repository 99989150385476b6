"""`okrbot erase-user`: afterwards the person's id is in no column of any table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, cast, func, insert, select

from storage.core import ChannelMember, Team, TeamLead, Workspace
from storage.ledger import ProcessedEvent
from storage.okr import (
    AnonymousConcern,
    ImpactStory,
    KeyResult,
    LearningStory,
    MetricConcern,
    StorySource,
    random_id,
)
from storage.outbox import OutboxMessage
from storage.recognition import Behaviour, CoSign, ShoutOut, ShoutOutRecipient, ShoutOutStatus
from storage.retro import (
    Adaptation,
    AnonymousAnswer,
    CycleStatus,
    RetroAnswer,
    RetroCycle,
    RetroParticipant,
    RetroQuestion,
)
from storage.schedule import RunStatus, ScheduledRun
from storage.schema import metadata
from storage.teams import TeamsConversation, TeamsPerson
from tests.cli.test_export import bulk

AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
MANY = 1200  # more than a page of the erasure's rewrite, in the tables that grow with use
PEOPLE = {
    "console": "U7",
    "slack": "U07ERAS3D",
    "teams": "5e7a1c3b-9d2f-4b8e-a6c1-0f3e2d1c7a77",  # an Entra object id
}
CHAT = "a:1Xq9PersonalChatWithTheErasedPerson"  # a Teams 1:1 chat id


def said(person: str, i: int = 0) -> str:
    """Words of other people that mention the person, in each way okrbot stores a mention."""
    return f"Pairing with <@{person}> and <@{person}|ana> (and @{person}) on try {i} helped"


async def table_ids(connection: Any, model: Any, rows: list[dict[str, Any]]) -> list[Any]:
    result = await connection.execute(insert(model).returning(model.id), rows)
    return list(result.scalars())


async def seed(connection: Any, *, platform: str, person: str) -> None:
    """Write rows naming ``person`` into every table, as okrbot itself would write them."""
    [workspace] = await table_ids(
        connection, Workspace, [{"platform": platform, "external_id": "T1", "created_at": AT}]
    )
    [team, other_team] = await table_ids(
        connection,
        Team,
        [
            {
                "workspace_id": workspace,
                "name": name,
                "name_key": name.lower(),
                "channel_id": channel,
                "timezone": "Europe/Berlin",
                "created_by": person,
                "created_at": AT,
            }
            for name, channel in (("Checkout", "C1"), ("Payments", "C2"))
        ],
    )
    placed = {"workspace_id": workspace, "team_id": team, "created_at": AT}
    await connection.execute(
        insert(TeamLead), [{"team_id": team, "user_id": person, "added_at": AT}]
    )
    await connection.execute(
        insert(ChannelMember),
        [{"workspace_id": workspace, "channel_id": "C1", "user_id": person, "seen_at": AT}],
    )
    [kr] = await table_ids(
        connection,
        KeyResult,
        [
            {
                **placed,
                "number": 1,
                "text": said(person),
                "guardrail": said(person),
                "created_by": person,
            }
        ],
    )
    await connection.execute(
        insert(LearningStory),
        [
            {
                **placed,
                "author_id": "U1" if i else person,
                "text": said(person, i),
                "hypothesis": f"@{person} thought so",
                "tried": said(person),
                "evidence": said(person),
                "learned": said(person),
                "adaptation": said(person),
                "outcome": said(person),
                "key_result_id": kr,
                "source": StorySource.COMMAND,
            }
            for i in range(MANY)
        ],
    )
    await connection.execute(
        insert(ImpactStory),
        [
            {**placed, "author_id": person, "source": StorySource.FORM}
            | dict.fromkeys(("text", "who", "before", "after", "evidence"), said(person))
        ],
    )
    await connection.execute(
        insert(MetricConcern),
        [{**placed, "author_id": person, "metric": said(person), "harm": said(person)}],
    )
    await connection.execute(
        insert(AnonymousConcern),
        [
            {
                "id": random_id(),
                "workspace_id": workspace,
                "team_id": team,
                "metric": said(person),
                "harm": said(person),
                "raised_on": date(2027, 1, 4),
            }
        ],
    )
    [cycle] = await table_ids(
        connection,
        RetroCycle,
        [
            {
                "workspace_id": workspace,
                "team_id": team,
                "title": f"Q1 retro by <@{person}>",
                "status": CycleStatus.OPEN,
                "opened_at": AT,
                "closes_at": AT,
                "opened_by": person,
                "questions": [{"key": "went_well", "text": f"What did <@{person}> change?"}],
            }
        ],
    )
    await connection.execute(
        insert(RetroParticipant), [{"cycle_id": cycle, "user_id": person, "question_count": 1}]
    )
    question = {"cycle_id": cycle, "question_key": "went_well", "question": said(person)}
    await connection.execute(
        insert(RetroAnswer),
        [
            {"workspace_id": workspace, **question, "author_id": who, "text": said(person)}
            | {"answered_at": AT}
            for who in (person, "U1")
        ],
    )
    await connection.execute(
        insert(AnonymousAnswer),
        [
            {"id": random_id(), "workspace_id": workspace, **question, "text": said(person)}
            | {"answered_on": date(2027, 1, 4)}
        ],
    )
    await connection.execute(
        insert(Adaptation),
        [{**placed, "cycle_id": cycle, "text": said(person), "follow_up": said(person)}],
    )
    await connection.execute(
        insert(RetroQuestion),
        [
            {"workspace_id": workspace, "team_id": team, "key": "went_well"}
            | {"text": said(person), "updated_by": person, "updated_at": AT}
        ],
    )
    shout_outs = await table_ids(
        connection,
        ShoutOut,
        [
            {
                "workspace_id": workspace,
                "giver_id": giver,
                "giver_team_id": team,
                "behaviour": Behaviour.HELPING,
                "text": said(person),
                "private": False,
                "status": status,
                "created_at": AT,
            }
            for giver, status in (
                (person, ShoutOutStatus.POSTED),
                (person, ShoutOutStatus.DRAFT),
                ("U1", ShoutOutStatus.POSTED),
            )
        ],
    )
    await connection.execute(
        insert(ShoutOutRecipient), [{"shout_out_id": s, "team_id": other_team} for s in shout_outs]
    )
    await connection.execute(
        insert(CoSign), [{"shout_out_id": shout_outs[2], "user_id": person, "created_at": AT}]
    )
    # An executemany takes its columns from the first row: every row names them all.
    run = {"workspace_id": workspace, "due_at": AT, "status": RunStatus.PENDING, "note": None}
    await connection.execute(
        insert(ScheduledRun),
        [
            {**run, "job": "retro.start", "subject": f"team:{team}:by:{person}"},
            {**run, "job": "retro.start", "subject": f"team:{other_team}:by:{person}"}
            | {"status": RunStatus.DONE},
            {**run, "job": "digest.weekly", "subject": f"{workspace}:{person}"},
            {**run, "job": "retro.open", "subject": f"team:{team}"}
            | {"status": RunStatus.FAILED, "note": f"could not reach <@{person}>"},
        ],
    )
    await connection.execute(
        insert(ProcessedEvent),
        [
            {"platform": platform, "event_id": event_id, "processed_at": AT}
            for event_id in (f"{CHAT}|1700000000001", f"{CHAT}|join|29:{person}", f"Ev|{person}")
        ],
    )
    message = {"workspace_id": workspace, "available_at": AT, "created_at": AT, "last_error": None}
    await connection.execute(
        insert(OutboxMessage),
        [
            {**message, "idempotency_key": f"retro:{cycle}:prompt:{person}", "audience": "person"}
            | {"target_id": person, "payload": {"text": "Your retrospective is open"}},
            {**message, "idempotency_key": f"retro:team:{team}:by:{person}:nobody"}
            | {"audience": "channel", "target_id": "C1", "last_error": f"no <@{person}>"}
            | {"payload": {"text": said(person), "sections": [{"fields": [said(person)]}]}},
        ]
        + [
            {**message, "idempotency_key": f"story:{i}", "audience": "channel"}
            | {"target_id": "C1", "payload": {"text": said(person, i)}}
            for i in range(MANY)
        ],
    )
    if platform == "teams":
        conversation = {"tenant_id": "T1", "service_url": "https://smba.example/emea/"}
        await connection.execute(
            insert(TeamsConversation),
            [
                {**conversation, "conversation_id": CHAT, "kind": "personal", "user_id": person}
                | {"bot_id": "28:bot", "bot_name": "okrbot", "seen_at": AT},
                {**conversation, "conversation_id": "19:channel@thread.tacv2", "kind": "channel"}
                | {"user_id": person, "bot_id": "28:bot", "bot_name": "okrbot", "seen_at": AT},
            ],
        )
        await connection.execute(
            insert(TeamsPerson),
            [{**conversation, "user_id": person, "account_id": "29:1abc", "seen_at": AT}],
        )


async def naming(connection: Any, needles: list[str]) -> list[tuple[str, str]]:
    """Every (table.column, value) of every text or JSON column that contains a needle."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            text = cast(column, Text)
            for needle in needles:
                values = await connection.scalars(
                    select(text).where(func.strpos(text, needle) > 0)
                    if connection.dialect.name == "postgresql"
                    else select(text).where(func.instr(text, needle) > 0)
                )
                found += [(f"{table.name}.{column.name}", v) for v in values]
    return found


@pytest.mark.parametrize("platform", sorted(PEOPLE))
def test_an_erased_persons_id_is_in_no_column_of_any_table(shell, database_url, platform):
    person = PEOPLE[platform]

    bulk(database_url, lambda connection: seed(connection, platform=platform, person=person))
    needles = [person, CHAT] if platform == "teams" else [person]
    assert len(bulk(database_url, lambda c: naming(c, needles))) > 2 * MANY

    code, out = shell.run("erase-user", "--platform", platform, "--user", person)

    assert code == 0, out
    assert f"records no longer mentioning them: {2 * MANY + 14}" in out

    assert bulk(database_url, lambda c: naming(c, needles)) == []


def test_what_a_person_did_and_was_said_of_in_chat_names_them_nowhere_after(shell, database_url):
    out = shell.chat(
        "!channel C2",
        "/okr team create Payments",
        "!user U7",
        "!channel C1",
        "/okr team create Checkout",
        "/okr kr add Completion rises to 70% | guardrail: refunds",
        "/okr team lead @U2",
        "/story learning hypothesis: shorter is better | learned: it is not",
        "!user U2",
        "hello",
        "/story impact who: buyers helped by @U7 | after: they return",
        "/okr concern Handle time: <@U7> is told to rush calls anonymous",
        "/okr concern Tickets closed: <@U7|ana> closes them early",
        "/shoutout Payments for pairing with @U7 on the refunds flow",
        "!user U7",
        "/retro start",
        "!time +2m",
        "!dm",
        "We paired with @U2 on refunds",
        "anonymous",
        "!user U2",
        "!dm",
        "Pairing with <@U7> taught us the refunds flow",
        "!time +1d",
        "!user U1",
        "!channel C2",
        "/shoutout Checkout for sharing their failed experiment with @U7 openly",
        "!react",
        "!user U7",
        "!react",
    )
    found = bulk(database_url, lambda c: naming(c, ["U7"]))
    assert {column.split(".")[0] for column, _ in found} >= {
        "team",
        "team_lead",
        "channel_member",
        "learning_story",
        "metric_concern",
        "outbox_message",
        "scheduled_run",
        "retro_participant",
    }, out

    code, out = shell.run("erase-user", "--platform", "console", "--user", "U7")

    assert code == 0, out
    assert bulk(database_url, lambda c: naming(c, ["U7"])) == []
    concerns = [r for r in shell.export() if r["type"] == "metric_concern"]
    assert any("a former member closes them early" in r["harm"] for r in concerns), concerns
