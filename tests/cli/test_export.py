"""`okrbot export`: every record as a JSON line an admin can read."""

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import text

from bot.entry.cli import main
from storage.core import Team
from storage.engine import create_engine, is_sqlite
from storage.okr import ImpactStory, KeyResult, LearningStory, MetricConcern
from storage.recognition import ShoutOut
from storage.retro import Adaptation, RetroAnswer, RetroCycle
from tests.support import databases
from tests.support.bulk import ids
from tests.support.volume import Volume, fill

TYPES = {
    "team",
    "key_result",
    "retro_cycle",
    "retro_answer",
    "learning_story",
    "impact_story",
    "adaptation",
    "metric_concern",
    "shout_out",
}

A_QUARTER = (
    "/okr team create Checkout tz=Europe/Berlin",
    "/okr kr add Mobile completion rises from 61% to 70%",
    "/story learning hypothesis: shorter is better | learned: it is not | result: invalidated"
    " | next: show shipping costs early | kr: KR1",
    "/story impact who: returning buyers | before: they gave up | after: they finish | kr: KR1",
    "/okr concern Tickets closed: we close them too early anonymous",
    "!user U5",
    "/okr concern Handle time: calls are cut short",
    "!user U2",
    "!channel C2",
    "/okr team create Payments",
    "/shoutout Checkout for sharing why their experiment failed, so we could learn too",
    "!user U3",
    "!channel C1",
    "!react",
)


@pytest.fixture
def quarter(shell):
    shell.chat(*A_QUARTER)
    return shell


def test_every_line_is_a_json_record_with_a_known_type(quarter):
    records = quarter.export()
    assert {r["type"] for r in records} >= {
        "team",
        "key_result",
        "learning_story",
        "impact_story",
        "metric_concern",
        "shout_out",
    }
    assert {r["type"] for r in records} <= TYPES
    for record in records:
        assert (record["platform"], record["workspace"]) == ("console", "W1")
        for name, value in record.items():
            if name.endswith("_at") and value is not None and not record.get("anonymous"):
                assert datetime.fromisoformat(value).utcoffset().total_seconds() == 0


def test_records_carry_what_an_admin_needs(quarter):
    records = quarter.export()
    teams = {r["name"]: r for r in records if r["type"] == "team"}
    assert teams["Checkout"]["leads"] == ["U1"]
    assert teams["Checkout"]["timezone"] == "Europe/Berlin"
    [kr] = [r for r in records if r["type"] == "key_result"]
    assert (kr["code"], kr["team"]) == ("KR1", "Checkout")
    [story] = [r for r in records if r["type"] == "learning_story"]
    assert story["key_result"] == "KR1"
    assert story["adaptation"] == "show shipping costs early"
    [impact] = [r for r in records if r["type"] == "impact_story"]
    assert (impact["who"], impact["after"], impact["key_result"]) == (
        "returning buyers",
        "they finish",
        "KR1",
    )


def test_an_anonymous_concern_has_no_author_and_only_the_day(quarter):
    concerns = {r["metric"]: r for r in quarter.export() if r["type"] == "metric_concern"}
    assert "author_id" not in concerns["Tickets closed"]
    assert concerns["Tickets closed"]["anonymous"] is True
    day = concerns["Tickets closed"]["created_at"]
    assert date.fromisoformat(day).isoformat() == day  # no time of day
    assert datetime.fromisoformat(concerns["Handle time"]["created_at"]).tzinfo is not None
    assert concerns["Handle time"]["author_id"] == "U5"


def test_a_shout_out_has_no_key_result_field_of_any_kind(quarter):
    [shout_out] = [r for r in quarter.export() if r["type"] == "shout_out"]
    assert shout_out["to_teams"] == ["Checkout"]
    assert shout_out["giver_team"] == "Payments"
    assert shout_out["co_signed_by"] == ["U3"]
    assert not [name for name in shout_out if "kr" in name.casefold() or "key" in name]


def test_workspace_picks_one_workspaces_records(quarter):
    quarter.chat("/okr team create Search", workspace="W2")
    only_w2 = quarter.export("--workspace", "W2")
    assert [(r["type"], r["name"], r["workspace"]) for r in only_w2] == [("team", "Search", "W2")]
    assert all(r["workspace"] == "W1" for r in quarter.export("--workspace", "W1"))
    assert quarter.export("--workspace", "nowhere") == []


def test_output_writes_a_file(quarter, tmp_path):
    target = tmp_path / "export.jsonl"
    code, out = quarter.run("export", "--output", str(target))
    assert code == 0 and out == ""
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["type"] in TYPES for line in lines)


# At volume: more rows than fit in a page, on SQLite and PostgreSQL, through `okrbot export`.

VOLUME = Volume.of(10_000)  # 2,500 answers, learning stories and shout-outs: 9,920 records


def bulk(database_url, write):
    """Run ``write(connection)`` in one transaction on the test's database."""

    async def go():
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                return await write(connection)
        finally:
            await engine.dispose()

    return databases.run_blocking(go())


@pytest.fixture
def crowded(shell, database_url):
    bulk(database_url, lambda connection: fill(connection, VOLUME))
    return shell


MODELS = {
    "team": Team,
    "key_result": KeyResult,
    "retro_cycle": RetroCycle,
    "learning_story": LearningStory,
    "impact_story": ImpactStory,
    "adaptation": Adaptation,
    "metric_concern": MetricConcern,
    "shout_out": ShoutOut,
}


def stored_ids(database_url):
    async def read(connection):
        found = {kind: await ids(connection, model) for kind, model in MODELS.items()}
        found["retro_answer"] = await ids(connection, RetroAnswer)  # the named: with an id
        return found

    return bulk(database_url, read)


def test_every_record_is_listed_exactly_once_at_volume(crowded, database_url, capsys):
    code = main(["export"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    records = [json.loads(line) for line in captured.out.splitlines()]

    assert Counter(r["type"] for r in records) == VOLUME.counts()
    for kind, wanted in stored_ids(database_url).items():
        listed = [r["id"] for r in records if r["type"] == kind and "id" in r]
        assert sorted(listed) == wanted, kind
    anonymous_answers = [r for r in records if r["type"] == "retro_answer" and r["anonymous"]]
    assert len({r["text"] for r in anonymous_answers}) == VOLUME.retro_answers // 2
    shout_outs = [r for r in records if r["type"] == "shout_out"]
    assert all(len(r["to_teams"]) == 1 and r["co_signed_by"][0] == "U2" for r in shout_outs)
    assert {len(r["leads"]) for r in records if r["type"] == "team"} == {2}

    anonymous = [r for r in records if r.get("anonymous")]
    assert {r["type"] for r in anonymous} == {"retro_answer", "metric_concern"}
    for record in anonymous:
        assert "author_id" not in record
        day = record.get("answered_at") or record["created_at"]
        assert date.fromisoformat(day).isoformat() == day  # a date, no time of day
    # An anonymous answer's id would sit next to its author's named answers.
    assert not [r for r in anonymous_answers if "id" in r]
    named = [r for r in records if r["type"] == "retro_answer" and not r["anonymous"]]
    assert named and all(r["author_id"] and "T" in r["answered_at"] for r in named)


def break_one_story(database_url):
    """Date one learning story, half-way through, in the year 10000: no export can read it."""
    far = {"sqlite": "10000-01-01 00:00:00.000000", "postgresql": "10000-01-01 00:00:00+00"}

    async def write(connection):
        [middle] = (await connection.execute(text("SELECT max(id) / 2 FROM learning_story"))).one()
        moment = far[connection.dialect.name]
        await connection.execute(
            text(f"UPDATE learning_story SET created_at = '{moment}' WHERE id = :id"),
            {"id": middle},
        )

    bulk(database_url, write)


def test_a_failure_half_way_leaves_no_new_file_and_the_last_good_one_alone(
    crowded, database_url, tmp_path, capsys
):
    good, fresh = tmp_path / "good.jsonl", tmp_path / "fresh.jsonl"
    assert main(["export", "--output", str(good)]) == 0
    assert f"Exported {VOLUME.total} records to {good}." in capsys.readouterr().err
    before = good.read_bytes()
    assert before.count(b"\n") == VOLUME.total
    break_one_story(database_url)

    assert main(["export", "--output", str(fresh)]) == 1
    err = capsys.readouterr().err
    assert "export failed" in err and f"{fresh} was not written" in err
    assert main(["export", "--output", str(good)]) == 1

    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "jsonl" in p.name) == ["good.jsonl"]


def test_a_failure_half_way_to_stdout_says_the_output_is_incomplete(crowded, database_url, capsys):
    break_one_story(database_url)
    code = main(["export"])
    captured = capsys.readouterr()
    assert code == 1
    assert "export failed" in captured.err and "the output is incomplete" in captured.err
    assert 0 < len(captured.out.splitlines()) < VOLUME.total


def test_the_database_failing_half_way_stops_the_export_with_an_error(crowded, database_url):
    """SQLite: a story whose text is not UTF-8; PostgreSQL: the connection is cut mid-export."""
    if is_sqlite(database_url):

        async def corrupt(connection):
            await connection.execute(
                text("UPDATE learning_story SET text = CAST(X'C328' AS TEXT) WHERE id = 1000")
            )

        bulk(database_url, corrupt)
    export = subprocess.Popen(
        [sys.executable, "-m", "bot", "export"],
        env={**os.environ, "OKRBOT_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = [export.stdout.readline() for _ in range(100)]  # it now waits for us to read on
    if not is_sqlite(database_url):

        async def cut(connection):
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

        bulk(database_url, cut)
    out, err = export.communicate(timeout=60)

    assert export.returncode == 1, err
    assert all(line.endswith(b"\n") for line in first)
    assert 100 < len(first) + out.count(b"\n") < VOLUME.total
    assert b"the export stopped part-way; the output is incomplete." in err
    assert b"okrbot: the database at" in err and b"Traceback" not in err, err
