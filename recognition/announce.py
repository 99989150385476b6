"""The messages that announce a posted shout-out, and the giver's confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from bot.replies import Audience, Delivery, Outcome, Reply, Section, Visibility, private
from recognition import texts
from storage.core import Team
from storage.recognition import ShoutOut, announcement_key


def announcements(shout_out: ShoutOut, teams: Sequence[Team], giver: str) -> tuple[Delivery, ...]:
    """Announce a shout-out in each team's channel, or only to its leads when private."""
    deliveries: list[Delivery] = []
    for team in teams:
        if shout_out.private:
            note = Reply(
                texts.private_announcement(team.name, giver, shout_out.behaviour),
                (Section(text=shout_out.text), Section(text=texts.PRIVATE_FOR_LEADS)),
                visibility=Visibility.CHANNEL,
            )
            deliveries += [
                Delivery(
                    Audience.PERSON,
                    lead.user_id,
                    note,
                    announcement_key(shout_out.id, f"team:{team.id}:lead:{lead.user_id}"),
                )
                for lead in sorted(team.leads, key=lambda lead: lead.user_id)
            ]
            continue
        post = Reply(
            texts.announcement(team.name, giver, shout_out.behaviour),
            (Section(text=shout_out.text), Section(text=texts.COSIGN_HINT)),
            visibility=Visibility.CHANNEL,
        )
        key = announcement_key(shout_out.id, f"team:{team.id}")
        deliveries.append(Delivery(Audience.CHANNEL, team.channel_id, post, key))
    return tuple(deliveries)


def posted(shout_out: ShoutOut, teams: Sequence[Team], giver: str) -> Outcome:
    """Thank the giver privately and send the announcements on their way."""
    names = texts.join_names([t.name for t in teams])
    thanks = private(texts.posted(names, private=shout_out.private))
    return thanks + Outcome(deliveries=announcements(shout_out, teams, giver))
