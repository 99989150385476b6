"""A person written into every table, as okrbot itself would write them, for erasure to find."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert

from storage.core import ChannelMember, Team, TeamLead, Workspace
from storage.direct_chats import DirectChat
from storage.learning import Fate, FollowThrough
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
from storage.teams import TeamsConversation, TeamsPerson
from tests.support.times import START

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
        connection, Workspace, [{"platform": platform, "external_id": "T1", "created_at": START}]
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
                "created_at": START,
            }
            for name, channel in (("Checkout", "C1"), ("Payments", "C2"))
        ],
    )
    placed = {"workspace_id": workspace, "team_id": team, "created_at": START}
    await connection.execute(
        insert(TeamLead), [{"team_id": team, "user_id": person, "added_at": START}]
    )
    await connection.execute(
        insert(ChannelMember),
        [{"workspace_id": workspace, "channel_id": "C1", "user_id": person, "seen_at": START}],
    )
    await connection.execute(  # their conversation with the app (Slack's ids start with D)
        insert(DirectChat),
        [
            {
                "workspace_id": workspace,
                "user_id": person,
                "conversation_id": f"D{person}",
                "opened_at": START,
            }
        ],
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
                "opened_at": START,
                "closes_at": START,
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
            | {"answered_at": START}
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
    [adaptation] = await table_ids(
        connection,
        Adaptation,
        [{**placed, "cycle_id": cycle, "text": said(person), "follow_up": said(person)}],
    )
    await connection.execute(
        insert(FollowThrough),
        [
            {"adaptation_id": adaptation, "workspace_id": workspace, "owner_id": person}
            | {"fate": Fate.OPEN}
        ],
    )
    await connection.execute(
        insert(RetroQuestion),
        [
            {"workspace_id": workspace, "team_id": team, "key": "went_well"}
            | {"text": said(person), "updated_by": person, "updated_at": START}
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
                "created_at": START,
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
        insert(CoSign), [{"shout_out_id": shout_outs[2], "user_id": person, "created_at": START}]
    )
    # An executemany takes its columns from the first row: every row names them all.
    run = {"workspace_id": workspace, "due_at": START, "status": RunStatus.PENDING, "note": None}
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
            {"platform": platform, "event_id": event_id, "processed_at": START}
            for event_id in (f"{CHAT}|1700000000001", f"{CHAT}|join|29:{person}", f"Ev|{person}")
        ],
    )
    message = {
        "workspace_id": workspace,
        "available_at": START,
        "created_at": START,
        "last_error": None,
    }
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
                | {"bot_id": "28:bot", "bot_name": "okrbot", "seen_at": START},
                {**conversation, "conversation_id": "19:channel@thread.tacv2", "kind": "channel"}
                | {"user_id": person, "bot_id": "28:bot", "bot_name": "okrbot", "seen_at": START},
            ],
        )
        await connection.execute(
            insert(TeamsPerson),
            [{**conversation, "user_id": person, "account_id": "29:1abc", "seen_at": START}],
        )
