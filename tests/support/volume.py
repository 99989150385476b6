"""Many records at once, written in bulk: for export and erasure at volume, in tests and bench/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core import Team, TeamLead, Workspace
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
from storage.retro import Adaptation, AnonymousAnswer, CycleStatus, RetroAnswer, RetroCycle
from tests.support.bulk import insert_rows
from tests.support.times import START

PERSON = "U777"  # wrote every third story, answer, concern and shout-out


@dataclass(frozen=True)
class Volume:
    """How many records of each exported type one `fill` writes."""

    teams: int
    key_results: int
    retro_cycles: int
    retro_answers: int
    learning_stories: int
    impact_stories: int
    adaptations: int
    metric_concerns: int
    shout_outs: int

    @classmethod
    def of(cls, records: int) -> Volume:
        """About ``records`` records, most of them in the tables that grow with use."""
        share = max(1, records // 100)
        return cls(
            teams=max(2, share // 5),
            key_results=share,
            retro_cycles=share,
            retro_answers=share * 25,
            learning_stories=share * 25,
            impact_stories=share * 10,
            adaptations=share * 2,
            metric_concerns=share * 10,
            shout_outs=share * 25,
        )

    @property
    def total(self) -> int:
        return sum(vars(self).values())

    def counts(self) -> dict[str, int]:
        """The number of records of each export `type`."""
        names = {"learning_stories": "learning_story", "impact_stories": "impact_story"}
        return {names.get(key, key.removesuffix("s")): value for key, value in vars(self).items()}


async def fill(
    connection: AsyncConnection, volume: Volume, *, workspace: str = "W1", outbox: int = 0
) -> None:
    """Write ``volume`` records in one console workspace, and ``outbox`` messages naming PERSON."""
    [workspace_id] = await insert_rows(
        connection,
        Workspace,
        iter([{"platform": "console", "external_id": workspace, "created_at": START}]),
    )
    team_ids = await insert_rows(
        connection,
        Team,
        (
            {
                "workspace_id": workspace_id,
                "name": f"Team {i}",
                "name_key": f"team {i}",
                "channel_id": f"C{i}",
                "timezone": "Europe/Berlin",
                "created_by": _author(i),
                "created_at": START,
            }
            for i in range(volume.teams)
        ),
    )
    await insert_rows(
        connection,
        TeamLead,
        (
            {"team_id": team_id, "user_id": user, "added_at": START}
            for team_id in team_ids
            for user in ("U1", PERSON)
        ),
        returning=False,
    )

    def team(i: int) -> int:
        return team_ids[i % len(team_ids)]

    def placed(i: int) -> dict[str, Any]:
        return {"workspace_id": workspace_id, "team_id": team(i), "created_at": _at(i)}

    kr_ids = await insert_rows(
        connection,
        KeyResult,
        (
            {**placed(i), "number": i // len(team_ids) + 1, "text": f"KR {i}", "created_by": "U1"}
            for i in range(volume.key_results)
        ),
    )
    cycle_ids = await insert_rows(
        connection,
        RetroCycle,
        (
            {
                "workspace_id": workspace_id,
                "team_id": team(i),
                "title": f"Retro {i}",
                "status": CycleStatus.CLOSED,
                "opened_at": _at(i),
                "closes_at": _at(i + 1),
                "closed_at": _at(i + 1),
                "opened_by": _author(i),
                "questions": [{"key": "went_well", "text": "What went well?"}],
            }
            for i in range(volume.retro_cycles)
        ),
    )
    await insert_rows(
        connection,
        RetroAnswer,
        (
            {
                "workspace_id": workspace_id,
                "cycle_id": cycle_ids[i % len(cycle_ids)],
                "question_key": "went_well",
                "question": "What went well?",
                "author_id": _author(i),
                "text": f"Answer {i}",
                "answered_at": _at(i),
            }
            for i in range(0, volume.retro_answers, 2)
        ),
        returning=False,
    )
    await insert_rows(  # every other answer is anonymous: a table of its own, random ids
        connection,
        AnonymousAnswer,
        (
            {
                "id": random_id(),
                "workspace_id": workspace_id,
                "cycle_id": cycle_ids[i % len(cycle_ids)],
                "question_key": "went_well",
                "question": "What went well?",
                "text": f"Answer {i}",
                "answered_on": _at(i).date(),
            }
            for i in range(1, volume.retro_answers, 2)
        ),
        returning=False,
    )
    await insert_rows(
        connection,
        LearningStory,
        (
            {
                **placed(i),
                "author_id": _author(i),
                "text": f"Learning {i}",
                "learned": f"lesson {i}",
                "key_result_id": kr_ids[i % len(kr_ids)] if i % 3 else None,
                "source": StorySource.COMMAND,
            }
            for i in range(volume.learning_stories)
        ),
        returning=False,
    )
    await insert_rows(
        connection,
        ImpactStory,
        (
            {**placed(i), "author_id": _author(i), "text": f"Impact {i}", "who": "buyers"}
            | {"source": StorySource.FORM}
            for i in range(volume.impact_stories)
        ),
        returning=False,
    )
    await insert_rows(
        connection,
        Adaptation,
        (
            {**placed(i), "cycle_id": cycle_ids[i % len(cycle_ids)], "text": f"Change {i}"}
            for i in range(volume.adaptations)
        ),
        returning=False,
    )
    await insert_rows(
        connection,
        MetricConcern,
        (
            {
                **placed(i),
                "author_id": _author(i),
                "metric": f"Metric {i}",
                "harm": "it rewards the wrong thing",
            }
            for i in range(0, volume.metric_concerns, 2)
        ),
        returning=False,
    )
    await insert_rows(
        connection,
        AnonymousConcern,
        (
            {
                "id": random_id(),
                "workspace_id": workspace_id,
                "team_id": team(i),
                "metric": f"Metric {i}",
                "harm": "it rewards the wrong thing",
                "raised_on": _at(i).date(),
                "told_at": _at(i),
            }
            for i in range(1, volume.metric_concerns, 2)
        ),
        returning=False,
    )
    shout_out_ids = await insert_rows(
        connection,
        ShoutOut,
        (
            {
                "workspace_id": workspace_id,
                "giver_id": _author(i),
                "giver_team_id": team(i + 1),
                "behaviour": Behaviour.HELPING,
                "text": f"Thanks for {i}",
                "private": False,
                "status": ShoutOutStatus.POSTED,
                "created_at": _at(i),
                "posted_at": _at(i),
            }
            for i in range(volume.shout_outs)
        ),
    )
    await insert_rows(
        connection,
        ShoutOutRecipient,
        ({"shout_out_id": id_, "team_id": team(i)} for i, id_ in enumerate(shout_out_ids)),
        returning=False,
    )
    await insert_rows(
        connection,
        CoSign,
        (
            {"shout_out_id": id_, "user_id": user, "created_at": _at(i)}
            for i, id_ in enumerate(shout_out_ids)
            for user in (("U2", PERSON) if i % 2 else ("U2",))
        ),
        returning=False,
    )
    await insert_rows(
        connection,
        OutboxMessage,
        (
            {
                "workspace_id": workspace_id,
                "idempotency_key": f"note:{i}",
                "audience": "channel",
                "target_id": "C0",
                "payload": {"text": f"<@{PERSON}> shared story {i}", "sections": []},
                "available_at": START,
                "created_at": START,
            }
            for i in range(outbox)
        ),
        returning=False,
    )


def _author(i: int) -> str:
    return PERSON if i % 3 == 0 else f"U{100 + i % 40}"


def _at(i: int) -> datetime:
    return START + timedelta(minutes=7 * i)
