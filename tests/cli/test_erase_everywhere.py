"""`okrbot erase-user`: afterwards the person's id is in no column of any table."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, cast, func, select

from storage.schema import metadata
from tests.cli.erased_person import CHAT, MANY, PEOPLE, seed
from tests.cli.test_export import bulk


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
