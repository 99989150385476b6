"""Where each reply goes: the ack, the response URL, a modal, or the Web API."""

from __future__ import annotations

from adapters.slack import texts
from adapters.slack.answers import Via, early, failed, late, plan
from adapters.slack.settings import SLACK
from bot.events import ChatEvent, EventKind
from bot.replies import Form, FormInput, Outcome, Reply, Visibility
from tests.support.times import START

FORM = Form(
    "story_learning", "Learning story", (FormInput("learned", "What did we learn?"),), context="C1"
)


def event(kind: EventKind, **fields: object) -> ChatEvent:
    values: dict[str, object] = {
        "platform": SLACK,
        "workspace_id": "T1",
        "channel_id": "C1",
        "user_id": "U1",
        "kind": kind,
        "occurred_at": START,
    }
    values.update(fields)
    return ChatEvent(**values)  # type: ignore[arg-type]


def test_a_slash_command_acks_with_its_first_reply_and_responds_with_the_rest() -> None:
    outcome = Outcome(replies=(Reply("Saved."), Reply("Team news", visibility=Visibility.CHANNEL)))
    result = plan(event(EventKind.COMMAND), outcome, trigger_id="t", can_respond=True)
    assert result.ack is not None and result.ack["response_type"] == "ephemeral"
    assert result.ack["text"] == "Saved."
    (call,) = result.calls
    assert call.via is Via.RESPOND and call.arguments["response_type"] == "in_channel"


def test_a_form_opens_a_modal_with_the_trigger() -> None:
    outcome = Outcome(replies=(Reply(FORM.title, form=FORM),))
    result = plan(event(EventKind.COMMAND), outcome, trigger_id="t1", can_respond=True)
    assert result.ack is None
    (call,) = result.calls
    assert call.via is Via.OPEN_VIEW and call.arguments["trigger_id"] == "t1"
    assert call.arguments["view"]["callback_id"] == "story_learning"


def test_a_form_without_a_trigger_falls_back_to_its_text() -> None:
    outcome = Outcome(replies=(Reply(FORM.title, form=FORM),))
    result = plan(event(EventKind.MESSAGE, is_direct=True, channel_id="D1"), outcome)
    (call,) = result.calls
    assert call.via is Via.POST and call.arguments["channel"] == "D1"


def test_form_errors_answer_the_submission_and_nothing_else() -> None:
    outcome = Outcome(replies=(Reply("Missing parts"),), form_errors={"learned": "Fill me"})
    result = plan(event(EventKind.FORM_SUBMISSION), outcome)
    assert result.ack == {"response_action": "errors", "errors": {"learned": "Fill me"}}
    assert result.calls == ()


def test_a_form_answering_a_submission_updates_the_modal() -> None:
    outcome = Outcome(replies=(Reply(FORM.title, form=FORM),))
    result = plan(event(EventKind.FORM_SUBMISSION), outcome)
    assert result.ack is not None and result.ack["response_action"] == "update"


def test_private_replies_to_a_mention_are_ephemeral_and_in_a_dm_plain() -> None:
    outcome = Outcome(replies=(Reply("Only you"), Reply("All", visibility=Visibility.CHANNEL)))
    mention = plan(event(EventKind.MESSAGE, mentions_bot=True, thread_id="1.2"), outcome)
    assert [c.via for c in mention.calls] == [Via.EPHEMERAL, Via.POST]
    assert mention.calls[0].arguments["user"] == "U1"
    assert mention.calls[1].arguments["thread_ts"] == "1.2"
    direct = plan(event(EventKind.MESSAGE, is_direct=True, channel_id="D1"), outcome)
    assert [c.via for c in direct.calls] == [Via.POST, Via.POST]


def test_home_replies_are_published_to_the_home_tab() -> None:
    result = plan(event(EventKind.HOME_OPENED), Outcome(replies=(Reply("Your teams"),)))
    (call,) = result.calls
    assert call.via is Via.PUBLISH_HOME and call.arguments["user_id"] == "U1"
    assert plan(event(EventKind.HOME_OPENED), Outcome()).calls == ()


def test_a_slash_command_without_a_response_url_still_acks_its_first_reply() -> None:
    outcome = Outcome(replies=(Reply("Saved."), Reply("And one more thing")))
    result = plan(event(EventKind.COMMAND), outcome, trigger_id="t")
    assert result.ack is not None and result.ack["text"] == "Saved."
    (call,) = result.calls
    assert call.via is Via.EPHEMERAL


def test_past_the_deadline_a_button_s_replies_go_to_its_response_url_as_the_ack_would_show() -> (
    None
):
    outcome = Outcome(replies=(Reply("Saved."), Reply("Team news", visibility=Visibility.CHANNEL)))
    calls = late(event(EventKind.BUTTON), outcome, can_respond=True)
    assert [(c.via, c.arguments["response_type"]) for c in calls] == [
        (Via.RESPOND, "ephemeral"),
        (Via.RESPOND, "in_channel"),
    ]
    assert all(c.arguments["replace_original"] is False for c in calls)
    command = event(EventKind.COMMAND)
    inline = plan(command, outcome, can_respond=True)
    assert late(command, outcome, can_respond=True)[0].arguments == inline.ack


def test_past_the_deadline_a_form_is_not_opened_but_named() -> None:
    outcome = Outcome(replies=(Reply(FORM.title, form=FORM),))
    (call,) = late(event(EventKind.SHORTCUT), outcome, can_respond=True)
    assert call.via is Via.RESPOND and "Learning story" in call.arguments["text"]
    assert texts.form_too_late("Learning story") == call.arguments["text"]


def test_past_the_deadline_form_errors_go_privately_by_the_fields_labels() -> None:
    outcome = Outcome(form_errors={"learned": "Please fill this in.", "kr_id": "Pick one."})
    view = {
        "title": {"type": "plain_text", "text": "Learning story"},
        "blocks": [
            {"type": "input", "block_id": "learned", "label": {"text": "What did we learn?"}},
        ],
    }
    submission = event(EventKind.FORM_SUBMISSION, form_id="story_learning")
    (call,) = late(submission, outcome, can_respond=False, view=view)
    assert call.via is Via.EPHEMERAL and call.arguments["user"] == "U1"
    said = call.arguments["text"]
    assert "Learning story" in said and "“What did we learn?”" in said and "“Kr id”" in said
    fields = call.arguments["blocks"][1]["fields"]
    assert [f["text"] for f in fields] == [
        "*What did we learn?*\nPlease fill this in.",
        "*Kr id*\nPick one.",
    ]
    (dm,) = late(event(EventKind.FORM_SUBMISSION, channel_id=""), outcome, can_respond=False)
    assert dm.via is Via.POST and dm.arguments["channel"] == "U1"


def test_a_failure_past_the_deadline_is_told_privately() -> None:
    through_url = failed(event(EventKind.COMMAND), can_respond=True)
    assert through_url.via is Via.RESPOND and through_url.arguments["response_type"] == "ephemeral"
    assert through_url.arguments["text"] == texts.DID_NOT_WORK
    in_channel = failed(event(EventKind.FORM_SUBMISSION), can_respond=False)
    assert in_channel.via is Via.EPHEMERAL and in_channel.arguments["channel"] == "C1"
    assert early(event(EventKind.COMMAND)) == {"response_type": "ephemeral", "text": texts.WORKING}
    assert early(event(EventKind.FORM_SUBMISSION)) is None
