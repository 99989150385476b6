"""The Teams edge hosted by botbuilder (``OKRBOT_TEAMS_SDK=botbuilder``).

botbuilder checks the Bot Framework token (its signing keys fetched with a blocking call, which
runs apart, bounded: :mod:`adapters.teams.identity`); with ``MICROSOFT_APP_ID`` empty it checks
none, the emulator's mode. Its turn's connector gets the bot's token inside each call,
blocking, so the turn fetches it first, off the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import BotFrameworkAuthentication

from adapters.teams import identity
from adapters.teams.client import fresh_token
from adapters.teams.hosts import InvokeAnswer, Logic, Refused
from bot.ports import RetryLater, Unavailable

log = logging.getLogger(__name__)


class BotbuilderHost:
    def __init__(self, auth: BotFrameworkAuthentication) -> None:
        self._auth = auth
        self._adapter = CloudAdapter(auth)

    async def authenticate(self, body: Mapping[str, Any], header: str, *, within: float) -> object:
        activity = _activity(body)
        try:
            # botframework fetches signing keys with a blocking call: run it apart, bounded.
            return await identity.run_apart(
                lambda: self._auth.authenticate_request(activity, header), within=within
            )
        except identity.IdentityUnavailable:
            log.warning("cannot check a Bot Framework token now: its signing keys do not answer")
            raise Refused(503, "cannot verify the request now") from None
        except PermissionError as error:  # botbuilder's "not authorized" (an OSError too)
            log.info("refused an activity without a valid token: %s", error)
            raise Refused(401, "invalid or missing Bot Framework token") from None
        except OSError:  # Microsoft's signing keys are out of reach: let the connector retry
            log.warning("cannot check a Bot Framework token now: its signing keys are unreachable")
            raise Refused(503, "cannot verify the request now") from None
        except Exception as error:
            log.info("refused an activity without a valid token: %s", type(error).__name__)
            raise Refused(401, "invalid or missing Bot Framework token") from None

    async def run(
        self, checked: object, body: Mapping[str, Any], logic: Logic
    ) -> InvokeAnswer | None:
        async def turn(context: TurnContext) -> None:
            # No token, no turn: nothing is stored and the connector retries.
            try:
                await fresh_token(context.turn_state[CloudAdapter.BOT_CONNECTOR_CLIENT_KEY])
            except RetryLater as error:
                raise Unavailable(str(error)) from None
            await logic(BotbuilderTurn(context))

        answer = await self._adapter.process_activity(checked, _activity(body), turn)
        if isinstance(answer, InvokeResponse):
            return InvokeAnswer(int(answer.status or 200), answer.body)
        return None


class BotbuilderTurn:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def send(self, activity: Mapping[str, Any]) -> None:
        await self._context.send_activity(Activity().deserialize(dict(activity)))

    async def update(self, activity: Mapping[str, Any]) -> None:
        await self._context.update_activity(Activity().deserialize(dict(activity)))

    async def member(self, account: str) -> str:
        found = await TeamsInfo.get_member(self._context, account)
        return str(getattr(found, "aad_object_id", "") or "")

    async def answer_invoke(self, status: int, body: Mapping[str, Any]) -> None:
        done = InvokeResponse(status=HTTPStatus(status), body=dict(body))
        await self._context.send_activity(Activity(type=ActivityTypes.invoke_response, value=done))


def _activity(body: Mapping[str, Any]) -> Activity:
    try:
        return Activity().deserialize(dict(body))
    except Exception:  # msrest's own refusals: not an activity botbuilder can read
        raise Refused(400, "malformed activity") from None
