"""Where each message goes in a Teams channel: announcements start threads of their own, and
what answers a command goes to the command's thread or to the person's 1:1 chat."""

from __future__ import annotations

from adapters.teams.answers import PRIVATE_FALLBACK
from retrospectives import texts
from retrospectives.cycles import texts as cycle_texts
from tests.server.teams_rig import CHANNEL, PEOPLE, TeamsRig
from tests.support.transcripts import ANY, shows

ADA_CHAT = "a:1chat-with-29:1ada-account"  # the 1:1 chat the fake opens for Ada


async def test_an_opening_and_its_summary_start_threads_while_answers_go_to_one_person(
    teams_sqlite: TeamsRig,
) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    fake.members[CHANNEL] = [PEOPLE["ada"], PEOPLE["grace"]]

    create = rig.in_channel("okr team create Checkout")
    assert (await rig.post(create)).status == 200
    [created] = fake.to(ADA_CHAT)  # the answer is Ada's alone: her 1:1 chat, not the channel
    assert shows(created.text(), texts.team_created, "Checkout", ANY)
    assert not [c for c in fake.posted() if c.conversation_id.startswith(CHANNEL)]

    await rig.post(rig.in_channel("retro start"))
    fake.calls.clear()
    await rig.server.okrbot.tick()
    [opening] = fake.to(CHANNEL)  # the channel itself: a new post, no thread named
    assert opening.method == "post" and "replyToId" not in opening.body
    assert "The summary appears here when it closes" in opening.text()

    await rig.post(rig.in_channel("retro close"))
    fake.calls.clear()
    await rig.server.okrbot.tick()
    [summary] = fake.to(CHANNEL)
    assert summary.method == "post" and "replyToId" not in summary.body
    assert shows(summary.text(), cycle_texts.summary_heading, "Checkout", ANY, 0, 2)


async def test_an_answer_that_cannot_go_to_a_1_1_chat_goes_to_the_commands_thread(
    teams_sqlite: TeamsRig,
) -> None:
    rig, fake = teams_sqlite, teams_sqlite.fake
    fake.refuse_new_chats = True  # the app is not installed for Ada personally
    command = rig.in_channel("okr help")
    assert (await rig.post(command)).status == 200
    thread = command["conversation"]["id"]
    [note] = fake.posted()
    assert note.conversation_id == thread == f"{CHANNEL};messageid={command['id']}"
    assert note.method == "reply" and note.reply_to == command["id"]
    assert PRIVATE_FALLBACK in note.text()

    # A command written as a reply in that thread is answered in the same thread.
    fake.calls.clear()
    later = rig.in_channel("okr help")
    later["conversation"]["id"] = thread
    assert (await rig.post(later)).status == 200
    [again] = fake.posted()
    assert again.conversation_id == thread and again.reply_to == later["id"]
