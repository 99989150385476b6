"""`okrbot run-due --now`: a concern left unanswered is escalated on time, once, and named by
nobody's name; `okrbot escalation` chooses where."""

from datetime import UTC, datetime, time, timedelta


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=UTC).isoformat()


def sent_to(out, channel):
    lines = out.splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.startswith(f"okrbot → #{channel}:"):
            following = [line]
            for more in lines[index + 1 :]:
                if not more.startswith("  "):
                    break
                following.append(more)
            found.append("\n".join(following))
    return found


def test_an_unanswered_concern_is_escalated_after_its_wait_and_the_team_told(shell):
    today = datetime.now(UTC).date()
    out = shell.chat(
        "/okr team create Support",
        "!user U7",
        "/okr concern Tickets closed: people split tickets to look busy anonymous team",
        "!user U8",
        "/okr concern Handle time: calls are cut short before the problem is solved",
    )
    assert "Thank you" in out
    code, out = shell.run(
        "escalation", "--platform", "console", "--workspace", "W1", "--channel", "CESC"
    )
    assert code == 0 and "raised in CESC" in out

    code, out = shell.run("run-due", "--now", at(today + timedelta(days=1)))
    assert code == 0 and sent_to(out, "C1")  # the morning notice posts the team's concern
    code, out = shell.run("run-due", "--now", at(today + timedelta(days=13)))
    assert sent_to(out, "CESC") == []

    code, out = shell.run("run-due", "--now", at(today + timedelta(days=14)))
    assert code == 0
    escalated = "\n".join(sent_to(out, "CESC"))
    assert "Tickets closed" in escalated and "Handle time" in escalated
    assert "waited 14 days" in escalated
    told = "\n".join(sent_to(out, "C1"))
    assert told.count("raised with the workspace's escalation channel") == 2
    for person in ("U7", "U8"):
        assert person not in escalated + told

    code, out = shell.run("run-due", "--now", at(today + timedelta(days=14)))
    assert sent_to(out, "CESC") == [] and sent_to(out, "C1") == []


def test_an_answered_concern_or_a_workspace_without_a_channel_is_not_escalated(shell):
    today = datetime.now(UTC).date()
    out = shell.chat(
        "/okr team create Support",
        "!user U8",
        "/okr concern Handle time: calls are cut short before the problem is solved",
    )
    code, out = shell.run("run-due", "--now", at(today + timedelta(days=20)))
    assert "escalat" not in out
    shell.run(
        "escalation",
        "--platform",
        "console",
        "--workspace",
        "W1",
        "--channel",
        "CESC",
        "--after-days",
        "3",
    )
    reference = next(
        w
        for w in shell.chat(
            "/okr concern Tickets closed: people split tickets to look busy", user="U9"
        ).split()
        if w.startswith("C") and w[1:].rstrip(".").isdigit()
    ).rstrip(".")
    shell.chat(f"/okr concern answer {reference} kept: we talked it over")
    code, out = shell.run("run-due", "--now", at(today + timedelta(days=21)))
    escalated = "\n".join(sent_to(out, "CESC"))
    assert "Handle time" in escalated and "Tickets closed" not in escalated
    code, out = shell.run("escalation", "--platform", "console", "--workspace", "W1", "--off")
    assert code == 0 and "no longer" in out
