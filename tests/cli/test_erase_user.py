"""`okrbot erase-user`: afterwards, nothing exported points at that person."""

import json

PERSON = "U777"


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
    assert "Post anyway" in out
    [draft] = [r for r in shell.export() if r["type"] == "shout_out"]
    assert draft["status"] == "draft"
    code, out = shell.run("erase-user", "--platform", "console", "--user", PERSON)
    assert code == 0
    assert "unposted shout-out drafts deleted: 1" in out
    assert [r for r in shell.export() if r["type"] == "shout_out"] == []
