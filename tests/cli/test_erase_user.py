"""`okrbot erase-user`: afterwards, nothing exported points at that person."""

import json

from sqlalchemy import Text, cast, select

from recognition import texts
from storage.outbox import OutboxMessage
from tests.cli.test_export import bulk
from tests.support.volume import PERSON, Volume, fill


def test_an_erased_person_leaves_no_trace_in_the_export(shell):
    shell.chat(
        "!channel C2",
        "/okr team create Payments",
        "!user " + PERSON,
        "!channel C1",
        "/okr team create Checkout",
        "/okr kr add Completion rises to 70%",
        "/story learning hypothesis: shorter is better | learned: it is not",
        "/story impact who: buyers | after: they return",
        "/okr concern Tickets closed: too early",
        "/shoutout Payments for helping us debug the refunds flow together",
        "!user U1",
        "!channel C2",
        "!react",
        "/shoutout Checkout for sharing their failed experiment openly with everyone",
        "!user " + PERSON,
        "!channel C1",
        "!react",
    )
    before = json.dumps(shell.export())
    assert PERSON in before

    code, out = shell.run("erase-user", "--platform", "console", "--user", PERSON)

    assert code == 0
    assert f"Erased {PERSON}" in out
    assert "learning stories anonymised: 1" in out
    assert "team lead roles removed: 1" in out
    assert "co-signs deleted: 1" in out
    after = shell.export()
    assert PERSON not in json.dumps(after)
    assert {r["type"] for r in after} >= {"learning_story", "impact_story", "shout_out"}
    co_signs = [r["co_signed_by"] for r in after if r["type"] == "shout_out"]
    assert sorted(co_signs) == [[], ["U1"]]


def test_erasing_someone_on_another_platform_changes_nothing_here(shell):
    shell.chat("/okr team create Checkout", "/story impact who: buyers | after: they return")
    before = shell.export()
    code, out = shell.run("erase-user", "--platform", "slack", "--user", "U1")
    assert "learning stories anonymised: 0" in out
    assert code == 0
    assert shell.export() == before


def test_an_unposted_shout_out_draft_is_deleted_not_kept(shell):
    out = shell.chat(
        "!channel C2",
        "/okr team create Payments",
        "!user " + PERSON,
        "!channel C1",
        "/okr team create Checkout",
        "/shoutout Payments for helping us hit 120% of the KR this quarter",
    )
    assert texts.POST_ANYWAY in out
    [draft] = [r for r in shell.export() if r["type"] == "shout_out"]
    assert draft["status"] == "draft"
    code, out = shell.run("erase-user", "--platform", "console", "--user", PERSON)
    assert code == 0
    assert "unposted shout-out drafts deleted: 1" in out
    assert [r for r in shell.export() if r["type"] == "shout_out"] == []


def test_erasing_someone_with_thousands_of_records_leaves_no_trace(shell, database_url, capsys):
    volume = Volume.of(10_000)
    bulk(database_url, lambda connection: fill(connection, volume, outbox=3000))
    assert PERSON in capsys.readouterr().out + json.dumps(shell.export())

    code, out = shell.run("erase-user", "--platform", "console", "--user", PERSON)

    assert code == 0
    thirds = -(-volume.learning_stories // 3)  # PERSON wrote every third, from the first
    assert f"learning stories anonymised: {thirds}" in out
    assert f"shout-outs no longer naming their giver: {-(-volume.shout_outs // 3)}" in out
    assert f"co-signs deleted: {volume.shout_outs // 2}" in out
    assert "records no longer mentioning them: 3000" in out
    after = shell.export()
    assert len(after) == volume.total
    assert PERSON not in json.dumps(after)

    async def still_naming(connection):
        payloads = await connection.scalars(select(cast(OutboxMessage.payload, Text)))
        return [p for p in payloads if PERSON in p]

    assert bulk(database_url, still_naming) == []
