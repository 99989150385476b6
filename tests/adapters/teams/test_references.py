"""What is remembered of each activity, to message people and channels later."""

from __future__ import annotations

from adapters.teams.references import ConversationKind, sighting
from tests.adapters.teams.payloads import (
    ADA,
    BOT_ID,
    CHANNEL,
    GRACE,
    PERSONAL_GRACE,
    TENANT,
    activity,
)

SERVICE = "https://smba.trafficmanager.net/emea/"


def test_a_channel_message_remembers_the_channel_and_the_person() -> None:
    seen = sighting(activity("channel_mention"))
    assert seen is not None
    conversation, person = seen.conversation, seen.person
    assert (conversation.tenant_id, conversation.conversation_id) == (TENANT, CHANNEL)
    assert conversation.kind is ConversationKind.CHANNEL and conversation.user_id == ""
    assert (conversation.service_url, conversation.bot_id) == (SERVICE, BOT_ID)
    assert person is not None
    assert (person.user_id, person.account_id, person.timezone) == (
        ADA,
        "29:1ada-account",
        "Europe/London",
    )


def test_a_personal_chat_is_remembered_as_that_person_s() -> None:
    seen = sighting(activity("personal_message"))
    assert seen is not None
    assert seen.conversation.conversation_id == PERSONAL_GRACE
    assert seen.conversation.kind is ConversationKind.PERSONAL
    assert seen.conversation.user_id == GRACE
    assert seen.person is not None and seen.person.timezone == "America/New_York"


def test_the_client_info_timezone_is_used_when_local_timezone_is_missing() -> None:
    payload = activity("personal_message")
    del payload["localTimezone"]
    seen = sighting(payload)
    assert seen is not None and seen.person is not None
    assert seen.person.timezone == "America/New_York"


def test_nothing_is_remembered_without_a_service_url_or_tenant() -> None:
    assert sighting(activity("personal_message", serviceUrl="")) is None
    assert (
        sighting(activity("personal_message", channelData={}, conversation={"id": "a:1"})) is None
    )
