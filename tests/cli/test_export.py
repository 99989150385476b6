"""`okrbot export`: every record as a JSON line an admin can read."""

import json
from datetime import datetime

import pytest

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
            if name.endswith("_at") and value is not None:
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


def test_an_anonymous_concern_has_no_author(quarter):
    concerns = {r["metric"]: r for r in quarter.export() if r["type"] == "metric_concern"}
    assert "author_id" not in concerns["Tickets closed"]
    assert concerns["Tickets closed"]["anonymous"] is True
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
