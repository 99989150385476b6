"""Presenters: a concern as the team, its leads and the escalation channel see it."""

from __future__ import annotations

from datetime import date

from bot.replies import Button, ButtonStyle, Field, Reply, Section, Visibility
from retrospectives.okrs.concerns import texts
from retrospectives.okrs.concerns.forms import ConcernAction
from storage.concerns import Concern
from storage.core import Team
from storage.okr import MetricConcern


def raiser(concern: Concern) -> str | None:
    """Who raised a named concern; nobody for an anonymous one."""
    if isinstance(concern, MetricConcern) and concern.author_id:
        return concern.author_id
    return None


def details(concern: Concern, *, with_voices: bool = True, with_raiser: bool = True) -> Section:
    """The concern's parts, and its voices; never who voiced, never an anonymous raiser."""
    fields = [Field("Metric", concern.metric), Field("Harm seen", concern.harm)]
    for label, value in (
        ("Behaviour it rewards", concern.drives),
        ("Who is harmed", concern.harms),
        ("A better measure", concern.instead),
    ):
        if value:
            fields.append(Field(label, value))
    if with_voices and concern.team_visible:
        fields.append(Field("Voices", texts.voices(concern.voices_named, concern.voices_anonymous)))
    title = f"{concern.code}, {texts.raised_by(raiser(concern))}" if with_raiser else concern.code
    return Section(title=title, fields=tuple(fields))


def voice_buttons(concern: Concern) -> tuple[Button, ...]:
    value = str(concern.reference)
    return (
        Button(texts.VOICE_BUTTON, ConcernAction.VOICE, value, ButtonStyle.PRIMARY),
        Button(texts.VOICE_ANONYMOUS_BUTTON, ConcernAction.VOICE_ANONYMOUSLY, value),
    )


def answer_button(team: Team, concern: Concern) -> Button:
    value = f"{team.id}:{concern.reference}"
    return Button(f"{texts.ANSWER_BUTTON} ({concern.code})", ConcernAction.ANSWER, value)


def for_channel(team: Team, concern: Concern) -> Reply:
    """The team-visible concern in the team's channel, with the buttons to add one's voice."""
    return Reply(
        texts.for_channel(team.name, concern.code),
        (details(concern, with_voices=False),),
        (*voice_buttons(concern), answer_button(team, concern)),  # answering is for leads
        visibility=Visibility.CHANNEL,
    )


def for_leads(team: Team, concern: Concern) -> Reply:
    """A named concern, sent to each lead, with the button to answer it."""
    return Reply(
        texts.for_leads(team.name, concern.code, raiser(concern)),
        (details(concern),),
        (answer_button(team, concern),),
        visibility=Visibility.CHANNEL,
    )


def answered(team: Team, concern: Concern) -> Reply:
    """Concern and answer together, for the team's channel."""
    decision = concern.decision.value if concern.decision else None
    return Reply(
        texts.answered(concern.code, decision, concern.answer or ""),
        (details(concern),),
        visibility=Visibility.CHANNEL,
    )


def looked_up(concern: Concern, *, whole: bool, today: date, raised: date) -> Reply:
    """``/okr concern C7``: the answer if there is one; the concern itself only if ``whole``."""
    sections = (details(concern),) if whole else ()
    if concern.answered_at is not None:
        decision = concern.decision.value if concern.decision else None
        return Reply(texts.answered(concern.code, decision, concern.answer or ""), sections)
    return Reply(f"{concern.code}: {texts.awaiting_answer((today - raised).days)}", sections)


def open_line(concern: Concern, *, today: date, raised: date) -> str:
    """One open concern in the leads' digest, with its age."""
    days = (today - raised).days
    age = f"open {days} day{'s' if days != 1 else ''}"
    return f"{concern.code} {concern.metric}: {concern.harm} ({age})"


def concern_line(concern: Concern) -> str:
    """A concern in one line, whole: metric, harm and the parts given."""
    line = f"{flat(concern.metric)}: {flat(concern.harm)}"
    for said, part in (
        ("it rewards", concern.drives),
        ("it harms", concern.harms),
        ("a better measure", concern.instead),
    ):
        if part:
            line += f"; {said}: {flat(part)}"
    return line


def flat(text: str) -> str:
    return " ".join(text.split())
