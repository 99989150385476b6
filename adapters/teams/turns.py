"""What one Teams activity does, wherever it is handled: inline in its turn, or from the inbox.

:meth:`Turns.take` remembers the conversation, asks Teams who the people mentioned are, maps the
activity and hands each event to the core (its effects committed); :meth:`Turns.answer` then
sends the replies and, where okrbot was just added, the hello. Both go through a
:class:`adapters.teams.hosts.Turn`: the SDK's own for an activity handled in its request, or
:class:`adapters.teams.proactive.StoredTurn`, over the Bot Connector, for one kept in the inbox.
A reply that cannot be shown is logged and never undoes what was handled.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from adapters.payloads import text_of
from adapters.teams import answers, inbound, references
from adapters.teams.client import patiently
from adapters.teams.hosts import Turn
from adapters.teams.mentions import person_mentions
from adapters.teams.port import TeamsChatPort
from adapters.teams.references import Person, ReferenceStore
from bot.events import ChatEvent, EventKind
from bot.ports import DeliveryFailed, EventHandler
from bot.replies import Outcome

log = logging.getLogger(__name__)

CARD_ACTION_DONE = {
    "statusCode": 200,
    "type": "application/vnd.microsoft.activity.message",
    "value": "Received.",
}


@dataclass(frozen=True, slots=True)
class Handled:
    """An activity's events with what the core made of them, and whom to answer."""

    outcomes: list[tuple[ChatEvent, Outcome]]
    person: Person | None
    new_here: bool  # okrbot was just added to a conversation it did not know: say hello


class Turns:
    """Handle an activity and answer it, through whichever turn carries it."""

    def __init__(
        self,
        *,
        handle: EventHandler,
        store: ReferenceStore,
        port: TeamsChatPort,
        command_words: Collection[str],
    ) -> None:
        self._handle = handle
        self._store = store
        self._port = port
        self._command_words = command_words

    async def run(self, context: Turn, body: Mapping[str, Any], received_at: datetime) -> None:
        """One turn in full: handled, then answered (the inline path, invokes included)."""
        await self.answer(context, body, await self.take(context, body, received_at))

    async def take(self, context: Turn, body: Mapping[str, Any], received_at: datetime) -> Handled:
        seen = references.sighting(body)
        # Teams says the app was added both ways (installationUpdate, conversationUpdate), and
        # may say it again: the hello goes only where no conversation was known before.
        new_here = (
            seen is not None
            and inbound.bot_added(body)
            and await self._store.conversation(
                seen.conversation.tenant_id, seen.conversation.conversation_id
            )
            is None
        )
        people = await self._mentioned_people(context, body)
        events = inbound.to_chat_events(
            body, received_at, command_words=self._command_words, people=people
        )
        if seen is not None:
            await self._store.remember(seen)
        outcomes = [(event, await self._handle(event)) for event in events]
        person = seen.person if seen is not None else None
        return Handled(outcomes, person, new_here)

    async def answer(self, context: Turn, body: Mapping[str, Any], handled: Handled) -> None:
        invoke_answer: Mapping[str, Any] = CARD_ACTION_DONE
        for event, outcome in handled.outcomes:
            if body.get("type") == "invoke":
                outcome, invoke_answer = await self._settle(context, body, event, outcome)
            await self._reply(context, event, outcome, handled.person)
        if handled.new_here:
            try:
                await patiently(partial(context.send, answers.welcome()))
            except Exception:  # a hello that cannot be shown must not fail the activity
                log.exception("could not say hello in a new Teams conversation")
        if body.get("type") == "invoke":  # a card's action: unknown invokes had no turn
            await context.answer_invoke(200, invoke_answer)

    async def _settle(
        self, context: Turn, body: Mapping[str, Any], event: ChatEvent, outcome: Outcome
    ) -> tuple[Outcome, Mapping[str, Any]]:
        """Answer a Universal Action with the card as it is now, and show it to everyone.

        The card in the conversation is replaced too (Teams shows an invoke's answer only to
        the person who acted), so everyone there sees the draft posted or the form answered.
        """
        reply, rest = answers.settle(outcome, in_own_chat=inbound.is_personal(body))
        if reply is None:
            return rest, answers.invoke_error(outcome) if outcome.form_errors else CARD_ACTION_DONE
        card = answers.settled_card(event, reply, text_of(body, "replyToId"))
        if card["id"]:
            try:
                await patiently(partial(context.update, card))
            except Exception:  # the person still sees the new card: the invoke's answer
                log.exception("could not update a card in Teams")
        return rest, answers.invoke_card(card)

    async def _mentioned_people(self, context: Turn, body: Mapping[str, Any]) -> dict[str, str]:
        """Ask Teams who the people mentioned in a message are (their Entra ids)."""
        if body.get("type") != "message":
            return {}
        found: dict[str, str] = {}
        for _, account, _ in person_mentions(body):
            try:
                user = await context.member(account)
            except Exception as error:  # unknown to Teams, or the connector is away
                log.info("could not look up a mentioned person: %s", type(error).__name__)
                continue
            if user:
                found[account] = user
        return found

    async def _reply(
        self, context: Turn, event: ChatEvent, outcome: Outcome, person: Person | None
    ) -> None:
        known = person if person is not None and person.user_id == event.user_id else None
        for send in answers.plan(event, outcome):
            try:
                if not send.private:
                    await patiently(partial(context.send, send.activity))
                    continue
                try:
                    post = partial(self._port.post_direct, known=known)
                    await patiently(partial(post, event.workspace_id, event.user_id, send.activity))
                except DeliveryFailed as failure:
                    log.info("a private reply went to the thread instead: %s", failure)
                    if event.kind is not EventKind.MEMBER_JOINED:
                        await context.send(answers.fallback())
            except Exception:  # a reply that cannot be shown must not fail a handled activity
                log.exception("could not send a reply to Teams")
