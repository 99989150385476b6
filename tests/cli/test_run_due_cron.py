"""`okrbot run-due` reads a lead's cron expression as cron does: 1 is Monday."""

from retrospectives.cycles import texts as cycle_texts
from tests.support.transcripts import ANY, shows


def openings(out, channel):
    return [line for line in out.splitlines() if line.startswith(f"okrbot → #{channel}:")]


def test_monday_ten_in_tokyo_opens_and_tuesday_does_not(shell):
    out = shell.chat(
        "/okr team create Kaizen tz=Asia/Tokyo",
        "/retro schedule 0 10 * * 1",
        "!user U9",
        "/okr help",  # a second member, seen in the channel
        channel="CT",
        user="UT",
    )
    assert shows(out, cycle_texts.schedule_set, "Kaizen", "0 10 * * 1", ANY)
    assert "The next one opens Mon " in out and ", 10:00 (Asia/Tokyo)" in out

    # Monday 15 March 2027 10:00 in Tokyo had passed when okrbot first looked: skipped, not late.
    for now in ("2027-03-16T00:30Z", "2027-03-16T01:00Z", "2027-03-22T00:59Z"):
        code, out = shell.run("run-due", "--now", now)  # ...including Tuesday 10:00 in Tokyo
        assert (code, openings(out, "CT")) == (0, []), now

    code, out = shell.run("run-due", "--now", "2027-03-22T01:00Z")  # Monday 10:00 in Tokyo
    assert code == 0
    [opening] = openings(out, "CT")
    title = "retrospective of 22 March 2027"
    assert shows(opening, cycle_texts.retro_opened_in_channel, "Kaizen", title, ANY, 2)
