"""Stories found by their words, by each database's own full-text index, never across walls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import core, search
from storage.core import Team
from storage.okr import ImpactStory, KeyResult, LearningStory, StoryResult, StorySource
from storage.search import Window

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
MANY = 3000


async def team_in(session: AsyncSession, workspace: str, name: str, channel: str) -> Team:
    found = await core.get_or_create_workspace(
        session, platform="slack", external_id=workspace, now=NOW
    )
    team = core.add_team(
        session,
        workspace_id=found.id,
        name=name,
        channel_id=channel,
        timezone="UTC",
        created_by="U1",
        now=NOW,
    )
    await session.flush()
    return team


def learning(team: Team, story_text: str, at: datetime, **fields: object) -> dict[str, object]:
    return {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "author_id": "U1",
        "text": story_text,
        "source": StorySource.COMMAND,
        "awaiting_outcome": False,
        "created_at": at,
        **fields,
    }


async def find(session: AsyncSession, team: Team, words: str, **narrowing: object) -> list[str]:
    found = await search.find_stories(
        session,
        workspace_id=team.workspace_id,
        team_ids=[team.id],
        words=search.words_of(words),
        **narrowing,  # type: ignore[arg-type]
    )
    return [story.text for story in found]


async def test_among_thousands_only_the_teams_own_stories_are_found(session: AsyncSession) -> None:
    checkout = await team_in(session, "T1", "Checkout", "C1")
    payments = await team_in(session, "T1", "Payments", "C2")
    elsewhere = await team_in(session, "T2", "Checkout", "C1")
    filler = [
        learning(checkout, f"we tried variant {n} of the basket page", NOW - timedelta(hours=n))
        for n in range(MANY)
    ]
    await session.execute(insert(LearningStory), filler)
    await session.execute(
        insert(LearningStory),
        [
            learning(checkout, "Guest checkout doubled conversions", NOW, hypothesis="guests"),
            learning(payments, "Guest payouts confused people", NOW),
            learning(elsewhere, "Guest checkout in another workspace", NOW),
        ],
    )
    await session.execute(
        insert(ImpactStory),
        [
            {**learning(checkout, "Shop owners ship the same day", NOW), "after": "guest orders"},
            {**learning(elsewhere, "guest orders elsewhere", NOW)},
        ],
    )
    assert await find(session, checkout, "guest") == [
        "Guest checkout doubled conversions",
        "Shop owners ship the same day",
    ]
    assert await find(session, checkout, "GUEST conver") == ["Guest checkout doubled conversions"]
    assert await find(session, checkout, "basket variant 2999") == [
        "we tried variant 2999 of the basket page"
    ]
    assert len(await find(session, checkout, "basket", limit=25)) == 25
    assert await find(session, checkout, "payouts") == []
    both = await search.find_stories(
        session,
        workspace_id=checkout.workspace_id,
        team_ids=[checkout.id, payments.id],
        words=["guest"],
    )
    assert {story.team_id for story in both} == {checkout.id, payments.id}
    assert all(story.workspace_id == checkout.workspace_id for story in both)


async def test_the_index_follows_changes_and_deletions(session: AsyncSession) -> None:
    team = await team_in(session, "T1", "Checkout", "C1")
    story = LearningStory(**learning(team, "we shipped the wizard", NOW))
    session.add(story)
    await session.flush()
    assert await find(session, team, "retention") == []
    await session.execute(
        update(LearningStory)
        .where(LearningStory.id == story.id)
        .values(outcome="retention rose among new shops")
    )
    assert await find(session, team, "retention") == ["we shipped the wizard"]
    await session.execute(delete(LearningStory).where(LearningStory.id == story.id))
    assert await find(session, team, "wizard") == []


async def test_narrowed_by_result_key_result_and_quarter(session: AsyncSession) -> None:
    team = await team_in(session, "T1", "Checkout", "C1")
    key_result = KeyResult(
        workspace_id=team.workspace_id, team_id=team.id, number=2, text="Refunds", created_at=NOW
    )
    session.add(key_result)
    await session.flush()
    last_quarter = datetime(2026, 11, 2, tzinfo=UTC)
    await session.execute(
        insert(LearningStory),
        [
            learning(team, "refund form A", NOW, result=StoryResult.INVALIDATED),
            learning(team, "refund form B", NOW, key_result_id=key_result.id),
            learning(team, "refund form C", last_quarter, result=StoryResult.VALIDATED),
        ],
    )
    invalidated = await find(session, team, "refund", result=StoryResult.INVALIDATED)
    assert invalidated == ["refund form A"]
    assert await find(session, team, "", key_result_number=2) == ["refund form B"]
    q4 = Window(team.id, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert await find(session, team, "refund", windows=[q4]) == ["refund form C"]
    assert await find(session, team, "refund", windows=[]) == []


async def test_a_search_never_reads_typed_words_as_query_syntax(session: AsyncSession) -> None:
    team = await team_in(session, "T1", "Checkout", "C1")
    session.add(LearningStory(**learning(team, 'a "quoted" NEAR(x) story: OR * -', NOW)))
    await session.flush()
    assert search.words_of('"quoted" NEAR( OR * - :') == ["quoted", "near", "or"]
    assert await find(session, team, '"quoted" NEAR( OR * - :') == [
        'a "quoted" NEAR(x) story: OR * -'
    ]


async def test_postgres_answers_from_the_gin_index(session: AsyncSession) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    query = select(LearningStory.id).where(search.matches(session, LearningStory, ["guest"]))
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join((await session.scalars(text(f"EXPLAIN {compiled}"))).all())
    assert "ix_learning_story_search" in plan


async def test_compacting_after_erasure_leaves_the_index_searchable(session: AsyncSession) -> None:
    team = await team_in(session, "T1", "Checkout", "C1")
    story = LearningStory(**learning(team, "paired with U777 on refunds", NOW))
    session.add(story)
    await session.flush()
    assert await find(session, team, "u777") == ["paired with U777 on refunds"]
    await session.execute(
        update(LearningStory)
        .where(LearningStory.id == story.id)
        .values(text="paired with a former member on refunds")
    )
    await search.compact(session)
    assert await find(session, team, "u777") == []
    assert await find(session, team, "former refunds") == ["paired with a former member on refunds"]
    if session.get_bind().dialect.name == "sqlite":
        bodies = await session.scalars(text("SELECT body FROM story_search"))
        assert all("U777" not in body for body in bodies)
