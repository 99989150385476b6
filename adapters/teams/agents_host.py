"""The Teams edge hosted by the Microsoft 365 Agents SDK (``OKRBOT_TEAMS_SDK=agents``).

The SDK runs the turn (its CloudAdapter, TurnContext and Teams connector client, all on aiohttp).
The token is checked by okrbot's own :class:`adapters.teams.tokens.TokenChecker`, which honours
the Bot Framework endpoint settings and the ``serviceurl`` claim (the SDK's validator does
neither); the verified claims are handed to the SDK as the turn's identity. The connector
client of each turn carries the bot's token from :class:`adapters.teams.bot_token.BotToken`,
fetched before the turn; without ``MICROSOFT_APP_ID`` (the emulator's mode) it carries none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession, ClientTimeout
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ChannelServiceClientFactoryBase, TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, ClaimsIdentity
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from adapters.teams import identity
from adapters.teams.bot_token import BotToken
from adapters.teams.hosts import InvokeAnswer, Logic, Refused
from adapters.teams.tokens import InvalidToken, KeysUnavailable, TokenChecker
from bot.ports import Unavailable

log = logging.getLogger(__name__)


class _KnownRefusals(logging.Filter):
    """The SDK logs each activity it cannot read as an error with a traceback; the edge answers
    those 400 itself, so junk sent to /api/messages must not fill the error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")


logging.getLogger("microsoft_agents.activity.activity").addFilter(_KnownRefusals())

CALL_TIMEOUT = 10.0


class AgentsHost:
    """Without a checker and a token (no ``MICROSOFT_APP_ID``) every request is anonymous."""

    def __init__(self, checker: TokenChecker | None, token: BotToken | None) -> None:
        self._checker = checker
        self._adapter = CloudAdapter(channel_service_client_factory=_Clients(token))
        # The SDK's own handler would tell the chat "the agent encountered an error" and answer
        # 200; the edge answers 503 (the connector retries) or 500 (a bug) instead.
        self._adapter.on_turn_error = None

    async def authenticate(self, body: Mapping[str, Any], header: str, *, within: float) -> object:
        _activity(body)  # a body the SDK cannot read is 400 before any token is checked
        if self._checker is None:
            return ClaimsIdentity({})  # the emulator's mode: anonymous
        try:
            claims = await asyncio.wait_for(
                self._checker.check(
                    header, service_url=str(body.get("serviceUrl", "")), channel_id=_channel(body)
                ),
                within,
            )
        except InvalidToken as error:
            log.info("refused an activity without a valid token: %s", error)
            raise Refused(401, "invalid or missing Bot Framework token") from None
        except (KeysUnavailable, TimeoutError):
            log.warning("cannot check a Bot Framework token now: its signing keys do not answer")
            raise Refused(503, "cannot verify the request now") from None
        return ClaimsIdentity(claims, authentication_type="Bearer")

    async def run(
        self, checked: object, body: Mapping[str, Any], logic: Logic
    ) -> InvokeAnswer | None:
        assert isinstance(checked, ClaimsIdentity)

        async def turn(context: TurnContext) -> None:
            await logic(AgentsTurn(context))

        answer = await self._adapter.process_activity(checked, _activity(body), turn)
        if isinstance(answer, InvokeResponse):
            return InvokeAnswer(int(answer.status or 200), answer.body)
        return None


class AgentsTurn:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def send(self, activity: Mapping[str, Any]) -> None:
        await self._context.send_activity(Activity.model_validate(dict(activity)))

    async def update(self, activity: Mapping[str, Any]) -> None:
        await self._context.update_activity(Activity.model_validate(dict(activity)))

    async def member(self, account: str) -> str:
        # The SDK registers the turn's connector under its abstract base class.
        client = self._context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        conversation = self._context.activity.conversation
        if not isinstance(client, TeamsConnectorClient) or conversation is None:
            return ""
        found = await client.get_conversation_member(conversation.id, account)
        return str(getattr(found, "aad_object_id", "") or "")

    async def answer_invoke(self, status: int, body: Mapping[str, Any]) -> None:
        done = InvokeResponse(status=status, body=dict(body))
        # Put where the adapter reads it: sending it would first read the activity's
        # conversation, which an invoke that names none does not have.
        answer = Activity(type=ActivityTypes.invoke_response, value=done)
        self._context.turn_state[CloudAdapter.INVOKE_RESPONSE_KEY] = answer


class _Clients(ChannelServiceClientFactoryBase):
    """Each turn's connector client, with the bot's token (none in the emulator's mode)."""

    def __init__(self, token: BotToken | None) -> None:
        self._token = token

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        bearer = ""
        if self._token is not None:
            try:
                bearer = await self._token.get()
            except identity.IdentityUnavailable as error:
                raise Unavailable(f"the bot's token: {error}") from None
            except Exception as error:  # refused credentials, or the provider is away
                raise Unavailable(f"the bot's token: {type(error).__name__}") from None
        base = service_url if service_url.endswith("/") else f"{service_url}/"
        session = ClientSession(base_url=base, timeout=ClientTimeout(total=CALL_TIMEOUT))
        return TeamsConnectorClient(endpoint=base, token=bearer, session=session)

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> UserTokenClient:
        # okrbot signs nobody in: the SDK makes this client for every turn, and it is not used.
        return UserTokenClient(
            app_id=claims_identity.get_app_id(),
            endpoint=AuthenticationConstants.AGENTS_SDK_OAUTH_URL,
            token="",
        )


def _activity(body: Mapping[str, Any]) -> Activity:
    try:
        return Activity.model_validate(dict(body))
    except Exception:  # the SDK's own refusals (pydantic, its own): not an activity it reads
        raise Refused(400, "malformed activity") from None


def _channel(body: Mapping[str, Any]) -> str:
    return str(body.get("channelId", "") or "")
