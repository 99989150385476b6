"""What recognition shows: announcements of a shout-out, the giver's thanks, a lead's digest
sections and the coverage note; the words come from texts."""

from __future__ import annotations

from collections.abc import Sequence

from bot.replies import Audience, Delivery, Outcome, Reply, Section, Visibility, private
from recognition import texts
from recognition.service import Coverage
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
                    # By the lead's place, not their id: the key is kept with the shout-out.
                    announcement_key(shout_out.id, f"team:{team.id}:lead:{place}"),
                )
                for place, lead in enumerate(sorted(team.leads, key=lambda lead: lead.user_id))
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


def digest_sections(team_name: str, shout_outs: Sequence[ShoutOut]) -> list[Section]:
    """Tell a lead, as narrative, every shout-out their team received, whole.

    Private ones are in no channel, so the digest is the only place a lead reads them; a long
    digest goes out over several messages.
    """
    if not shout_outs:
        return []
    lines = [_digest_line(s) for s in shout_outs]
    return [Section(title=f"Shout-outs {team_name} received", text="\n".join(lines))]


def _digest_line(shout_out: ShoutOut) -> str:
    text = " ".join(shout_out.text.split())
    giver = shout_out.giver_id or "someone"
    line = f"• From {giver}, for {texts.BEHAVIOUR_LABELS[shout_out.behaviour]}: {text}"
    if shout_out.private:
        line += " (private, for leads)"
    co_signers = [c.user_id for c in shout_out.co_signs]
    if co_signers:
        if not line.endswith((".", "!", "?", "…", ")")):
            line += "."
        others = " and others" * (len(co_signers) > 5)
        line += f" Co-signed by {texts.join_names(co_signers[:5])}{others}."
    return line


def coverage_text(coverage: Coverage) -> str:
    """Tell leads, privately and as narrative, how recognition spread across the workspace."""
    period = f"the last {coverage.weeks} weeks" if coverage.weeks != 1 else "the last week"
    sentences: list[str] = []
    if coverage.givers == 0:
        sentences.append(f"Nobody gave a shout-out in {period}.")
    else:
        people = "one person" if coverage.givers == 1 else f"{coverage.givers} different people"
        sentences.append(f"In {period}, {people} gave shout-outs.")
    if coverage.cross_team_share is not None:
        share = round(coverage.cross_team_share * 100)
        if share == 100:
            sentences.append("All of them went to a team other than the giver's own.")
        else:
            sentences.append(f"About {share}% of them went to a team other than the giver's own.")
    if coverage.quiet_teams:
        sentences.append(
            f"Nobody recognised {texts.join_names(coverage.quiet_teams)} in {period}; "
            "maybe there is a story there worth telling."
        )
    else:
        sentences.append(f"Every team was recognised by someone in {period}.")
    return " ".join(sentences)
