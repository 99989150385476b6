"""What the Bot Connector does to okrbot — forged tokens, retries, junk, throttling — over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.core import Workspace
from storage.okr import LearningStory
from storage.outbox import OutboxMessage, OutboxStatus
from storage.teams import TeamsConversation, TeamsPerson
from tests.adapters.teams.tokens import APP_ID, forged_token
from tests.server.teams_rig import CHANNEL, TENANT, TeamsRig, aad, personal_chat
from tests.support.rows import count

STORY = "story learning team: Checkout | hypothesis: reviews matter | learned: they do"


async def test_with_an_app_id_requests_without_a_valid_token_get_401(
    database_url: str, teams_sdk: str
) -> None:
    rig = await TeamsRig.start(
        database_url, microsoft_app_id=APP_ID, microsoft_app_password="pw", teams_sdk=teams_sdk
    )
    try:
        activity = rig.in_personal_chat(STORY)
        missing = await rig.post(activity)
        forged = await rig.post(
            activity, {"Authorization": f"Bearer {forged_token(rig.fake.service_url)}"}
        )
        garbage = await rig.post(activity, {"Authorization": "Bearer not.a.token"})
        wrong_scheme = await rig.post(activity, {"Authorization": "Basic dXNlcjpwdw=="})
        assert [a.status for a in (missing, forged, garbage, wrong_scheme)] == [401] * 4
        for model in (LearningStory, TeamsConversation, TeamsPerson, Workspace):
            assert await count(rig, model) == 0
        assert rig.fake.calls == []
    finally:
        await rig.close()


async def test_unconfigured_teams_answers_404_and_calls_nothing(
    database_url: str, teams_sdk: str
) -> None:
    rig = await TeamsRig.start(database_url, teams_emulator=False, teams_sdk=teams_sdk)
    try:
        answer = await rig.post(rig.in_personal_chat(STORY))
        assert answer.status == 404
        for model in (LearningStory, TeamsConversation, TeamsPerson, Workspace):
            assert await count(rig, model) == 0
        assert rig.fake.calls == []
    finally:
        await rig.close()


async def test_the_emulator_mode_answers_only_this_machine(teams_sqlite: TeamsRig) -> None:
    rig = teams_sqlite
    for elsewhere in ("http://10.1.2.3:8080/", "https://smba.trafficmanager.net/emea/"):
        create = rig.in_channel("okr team create Checkout")
        answer = await rig.post({**create, "serviceUrl": elsewhere})
        assert answer.status == 403
    for model in (TeamsConversation, TeamsPerson, Workspace):
        assert await count(rig, model) == 0
    assert rig.fake.calls == []
    here = await rig.post(rig.in_channel("okr team create Checkout"))
    assert here.status == 200
    assert await count(rig, Workspace) == 1
    assert "Checkout" in json.dumps([c.body for c in rig.fake.posted()])  # answered here


async def test_a_retried_activity_changes_nothing(teams: TeamsRig) -> None:
    await teams.post(teams.in_channel("okr team create Checkout"))
    activity = teams.in_personal_chat(STORY)
    first = await teams.post(activity)
    replies = len(teams.fake.posted())
    again = await teams.post(activity)
    assert (first.status, again.status) == (200, 200)
    assert await count(teams, LearningStory) == 1
    assert len(teams.fake.posted()) == replies  # nothing said twice either


async def test_typed_at_tags_never_become_mentions(teams: TeamsRig) -> None:
    await teams.post(teams.in_channel("okr team create Checkout"))
    # Teams hands over what a person typed with its HTML escaped.
    typed = "shoutout Checkout for &lt;at&gt;everyone&lt;/at&gt; pairing on **reviews**"
    answered = await teams.post(teams.in_personal_chat(typed))
    assert answered.status == 200
    assert await teams.deliver() == 1  # the shout-out itself, in the team's channel
    [posted] = teams.fake.to(CHANNEL)
    assert "everyone" in posted.text() and "<at>" not in posted.text()
    assert "**" not in posted.text()
    sent = teams.fake.posted()
    for call in sent:
        assert "entities" not in call.body or all(
            e.get("type") != "mention" for e in call.body["entities"]
        )
        assert "<at>" not in call.text()


async def test_oversized_text_in_a_channel_is_answered_privately(teams: TeamsRig) -> None:
    await teams.post(teams.in_channel("okr team create Checkout"))
    teams.fake.calls.clear()
    long = "story learning hypothesis: " + "we believed a great deal " * 400
    answered = await teams.post(teams.in_channel(long))
    assert answered.status == 200
    assert await count(teams, LearningStory) == 0
    [refusal] = teams.fake.posted()
    assert refusal.conversation_id == personal_chat("ada")
    assert "characters long" in refusal.text()


async def test_a_private_answer_that_cannot_go_1_to_1_leaves_a_note_only(
    teams: TeamsRig,
) -> None:
    teams.fake.refuse_new_chats = True
    answered = await teams.post(teams.in_channel("okr team create Checkout"))
    assert answered.status == 200
    [note] = teams.fake.posted()
    assert note.conversation_id.startswith(f"{CHANNEL};messageid=")
    assert "cannot open a chat with you" in note.text()
    assert "lead" not in note.text()  # the private answer itself stays private


async def test_a_database_that_is_down_gets_503(tmp_path: Path, teams_sdk: str) -> None:
    missing = f"sqlite+aiosqlite:///{tmp_path}/missing/okrbot.db"
    rig = await TeamsRig.start(missing, teams_sdk=teams_sdk)
    try:
        answer = await rig.post(rig.in_personal_chat(STORY))
        assert answer.status == 503
        assert "Traceback" not in answer.body
        assert (await rig.client.get("/healthz")).status == 200
    finally:
        await rig.close()


async def test_junk_is_refused_without_a_crash(teams_sqlite: TeamsRig) -> None:
    rig = teams_sqlite
    not_json = await rig.client.post(
        "/api/messages", data="{nope", headers={"Content-Type": "application/json"}
    )
    not_an_activity = await rig.post({"hello": "world"})
    a_list = await rig.client.post("/api/messages", json=[1, 2])
    form = await rig.client.post("/api/messages", data="type=message")
    odd = await rig.post({"type": "message", "conversation": "x", "from": 3})
    assert [not_json.status, not_an_activity.status, a_list.status, form.status] == [
        400,
        400,
        400,
        415,
    ]
    assert odd.status in (200, 400)
    assert await count(rig, Workspace) == 0


async def test_a_card_action_invoke_gets_an_invoke_response(teams_sqlite: TeamsRig) -> None:
    rig = teams_sqlite
    invoke = rig.activity("invoke_action")
    invoke["value"]["action"]["data"] = {"okrbot_action": "nothing.here", "okrbot_value": ""}
    answer = await rig.post(invoke)
    assert answer.status == 200
    assert json.loads(answer.body)["statusCode"] == 200


async def test_throttled_and_refused_deliveries(teams: TeamsRig) -> None:
    await teams.post(teams.in_channel("okr team create Checkout"))
    concern = "okr concern Handle time: people close tickets early"
    await teams.post(teams.in_personal_chat(f"{concern} | team: Checkout"))
    await teams.post(teams.in_channel(concern, who="grace"))
    teams.fake.throttled = 1
    teams.fake.retry_after = 30
    await teams.deliver()
    async with teams.server.okrbot.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert rows, "a concern is delivered to the team's leads"
    throttled = [r for r in rows if r.status is OutboxStatus.PENDING]
    assert throttled and "throttled" in (throttled[0].last_error or "")
    assert throttled[0].available_at >= teams.clock.now() + timedelta(seconds=30)
    teams.clock.advance(timedelta(seconds=31))
    assert await teams.deliver() == len(throttled)

    # The bot was removed from a chat: 403 is final.
    teams.fake.forbidden.add(CHANNEL)
    port = teams.server.okrbot.ports["teams"]
    from bot.ports import DeliveryFailed
    from bot.replies import Reply

    with pytest.raises(DeliveryFailed):
        await port.send(TENANT, CHANNEL, Reply("hello"))
    with pytest.raises(DeliveryFailed):
        await port.send(TENANT, "19:never-seen@thread.tacv2", Reply("hello"))
    with pytest.raises(DeliveryFailed, match="has not been used in Teams tenant"):
        await port.send_direct("another-tenant", aad("grace"), Reply("hello"))


async def test_timezones_are_those_teams_showed_us(teams_sqlite: TeamsRig) -> None:
    rig = teams_sqlite
    directory = rig.server.okrbot.directories["teams"]
    assert await directory.user_timezone(TENANT, aad("grace")) is None
    await rig.post(rig.in_personal_chat("okr help"))
    assert await directory.user_timezone(TENANT, aad("grace")) == "Europe/London"
    await rig.post(rig.in_personal_chat("okr help", localTimezone=None, entities=[]))
    assert await directory.user_timezone(TENANT, aad("grace")) == "Europe/London"


async def test_a_short_hello_once_where_the_app_is_added(teams_sqlite: TeamsRig) -> None:
    rig = teams_sqlite
    added = rig.activity("members_added")  # the bot and two people join the team's channel
    installed = {
        **{k: v for k, v in added.items() if k != "membersAdded"},
        "type": "installationUpdate",
        "action": "add",
        "id": "f:installed-1",
    }
    general = added["conversation"]["id"]
    for activity in (installed, added, installed):  # Teams says it both ways, and may repeat
        assert (await rig.post(activity)).status == 200
    [hello] = rig.fake.to(general)
    assert "okr help" in hello.text()
    # People joining later get no hello in the channel.
    later = {**added, "id": "f:members-added-2", "membersAdded": added["membersAdded"][1:]}
    assert (await rig.post(later)).status == 200
    assert len(rig.fake.to(general)) == 1


async def test_an_invoke_okrbot_does_not_handle_gets_501(teams_sqlite: TeamsRig) -> None:
    rig = teams_sqlite
    invoke = {**rig.activity("invoke_action"), "name": "composeExtension/query"}
    answer = await rig.post(invoke)
    assert answer.status == 501
    assert rig.fake.posted() == []


async def test_a_card_action_that_names_no_conversation_is_answered(teams_sqlite: TeamsRig) -> None:
    invoke = teams_sqlite.activity("invoke_action")
    del invoke["conversation"]
    answer = await teams_sqlite.post(invoke)
    assert answer.status == 200, answer.body
    assert json.loads(answer.body)["statusCode"] == 200
    assert not teams_sqlite.fake.calls
