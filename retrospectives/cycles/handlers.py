"""Chat side of retrospectives: /retro commands, answers in conversation and in a form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.ports import RouteBook
from bot.replies import Outcome, Reply, private
from retrospectives import schedules
from retrospectives.cycles import answers, forms, jobs, questions, texts
from retrospectives.cycles import service as cycles
from retrospectives.cycles.forms import RetroAction
from retrospectives.errors import InvalidInput
from retrospectives.okrs import service
from retrospectives.texts import RETRO, SECTION_RETRO
from storage import retro, schedule
from storage.core import Team

routes = RouteBook[AsyncSession]()
routes.word(RETRO, texts.RETRO_WORD, texts.UNKNOWN_RETRO)


@routes.conversation
async def conversation(session: AsyncSession, turn: Turn) -> Outcome | None:
    """Take a direct message as a retrospective answer; None if the person has none to give."""
    answered = await answers.answer_in_conversation(
        session,
        workspace_id=turn.workspace_id,
        user_id=turn.user_id,
        text=turn.event.text,
        now=turn.now,
    )
    if answered is None:
        return None
    return private(answered.reply, *answered.sections)


@routes.action(RetroAction.ANSWER_FORM)
async def open_answers_form(session: AsyncSession, turn: Turn) -> Outcome:
    """Open the retrospective form with the person's remaining questions."""
    if not turn.event.action_value.isdigit():
        return Outcome()
    cycle = await retro.cycle_by_id(
        session, workspace_id=turn.workspace_id, cycle_id=int(turn.event.action_value)
    )
    participant = (
        await retro.participant(session, cycle_id=cycle.id, user_id=turn.user_id) if cycle else None
    )
    if cycle is None or participant is None:
        raise InvalidInput(texts.NOT_YOUR_RETRO)
    if cycle.status is not retro.CycleStatus.OPEN:
        raise InvalidInput(texts.RETRO_ALREADY_CLOSED)
    shown = forms.answers(cycle, participant, answers.remaining_questions(cycle, participant))
    return Outcome(replies=(Reply(shown.title, form=shown),))


@routes.form(forms.ANSWERS)
async def form(session: AsyncSession, turn: Turn) -> Outcome:
    """Record answers from the retrospective form."""
    context = turn.event.form_context
    if not context.isdigit():
        raise InvalidInput(texts.NOT_YOUR_RETRO)
    said = await answers.answer_with_form(
        session,
        workspace_id=turn.workspace_id,
        cycle_id=int(context),
        user_id=turn.user_id,
        values=turn.event.form_values,
        now=turn.now,
    )
    return private(said)


async def _team_here(session: AsyncSession, turn: Turn) -> Team:
    return await service.find_team(
        session,
        workspace_id=turn.workspace_id,
        channel_id=turn.channel_id,
        user_id=turn.user_id,
    )


@routes.command(
    RETRO,
    "schedule",
    usage="quarterly | off | <cron>",
    summary=texts.HELP_SCHEDULE,
    section=SECTION_RETRO,
    leads=True,
)
async def set_schedule(session: AsyncSession, turn: Turn, wanted: str) -> Outcome:
    """Handle ``/retro schedule quarterly | off | <cron>``."""
    team = await _team_here(session, turn)
    service.require_lead(team, turn.user_id)
    if not wanted:
        raise InvalidInput(texts.SCHEDULE_USAGE)
    if wanted.casefold() == "off":
        team.retro_schedule = None
        team.retro_schedule_set_at = turn.now
        return private(texts.SCHEDULE_OFF)
    try:
        chosen = schedules.check_schedule(wanted, team.timezone, turn.now)
    except schedules.ScheduleError:
        raise InvalidInput(texts.SCHEDULE_USAGE) from None
    team.retro_schedule = chosen
    team.retro_schedule_set_at = turn.now
    upcoming = schedules.next_fire_time(schedules.retro_trigger(chosen, team.timezone), turn.now)
    label = schedules.local_label(upcoming, team.timezone) if upcoming else None
    return private(texts.schedule_set(team.name, chosen, label))


@routes.command(
    RETRO,
    "start",
    summary=texts.HELP_START,
    section=SECTION_RETRO,
    leads=True,
    menu=texts.MENU_START,
)
async def start(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro start``: the scheduler opens the team's retrospective now."""
    team = await _team_here(session, turn)
    service.require_lead(team, turn.user_id)
    opened = await retro.open_cycle(session, workspace_id=turn.workspace_id, team_id=team.id)
    if opened is not None:
        deadline = schedules.local_label(opened.closes_at, team.timezone)
        raise InvalidInput(texts.retro_already_open(team.name, deadline))
    # Opening needs the channel's members from the platform, so the scheduler does it, now.
    await schedule.plan(
        session,
        workspace_id=turn.workspace_id,
        job=jobs.START_JOB,
        subject=jobs.start_subject(team.id, turn.user_id),
        due_at=turn.now,
        now=turn.now,
    )
    return private(texts.retro_starting(team.name))


@routes.command(
    RETRO, "status", summary=texts.HELP_STATUS, section=SECTION_RETRO, menu=texts.MENU_STATUS
)
async def status(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro status``."""
    team = await _team_here(session, turn)
    cycle = await retro.open_cycle(session, workspace_id=turn.workspace_id, team_id=team.id)
    if cycle is not None:
        people = await retro.participants(session, cycle_id=cycle.id)
        answered = sum(1 for p in people if p.answered_any)
        deadline = schedules.local_label(cycle.closes_at, team.timezone)
        return private(texts.retro_status_open(cycle.title, deadline, answered, len(people)))
    return private(_next_opening(team, turn.now))


def _next_opening(team: Team, now: datetime) -> str:
    if team.retro_schedule is None:
        return texts.retro_status_unscheduled(team.name)
    try:
        # A schedule stored when cron's day fields were ANDed may now fire too often: unplanned.
        schedules.check_schedule(team.retro_schedule, team.timezone, now)
    except schedules.ScheduleError:
        return texts.retro_status_unscheduled(team.name)
    upcoming = schedules.next_fire_time(
        schedules.retro_trigger(team.retro_schedule, team.timezone), now
    )
    if upcoming is None:
        return texts.retro_status_unscheduled(team.name)
    return texts.retro_status_next(team.name, schedules.local_label(upcoming, team.timezone))


@routes.command(RETRO, "close", summary=texts.HELP_CLOSE, section=SECTION_RETRO, leads=True)
async def close(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro close``: close the open retrospective now and post its summary."""
    team = await _team_here(session, turn)
    service.require_lead(team, turn.user_id)
    cycle = await retro.open_cycle(session, workspace_id=turn.workspace_id, team_id=team.id)
    if cycle is None:
        raise InvalidInput(texts.RETRO_NOT_OPEN)
    deliveries = await cycles.close_cycle(session, cycle=cycle, team=team, now=turn.now)
    return private(texts.retro_closing(cycle.title)) + Outcome(deliveries=tuple(deliveries))


@routes.command(RETRO, "questions", summary=texts.HELP_QUESTIONS, section=SECTION_RETRO)
async def list_questions(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro questions``: the questions this team is asked."""
    if args:
        raise InvalidInput(texts.QUESTIONS_USAGE)
    team = await _team_here(session, turn)
    custom = await retro.custom_questions(session, workspace_id=turn.workspace_id, team_id=team.id)
    shown = [(key, custom.get(key, text)) for key, text in questions.DEFAULTS.items()]
    return private(texts.question_list(team.name, shown), buttons=())


@routes.command(RETRO, "questions set", usage="<key> <text>")
async def set_question(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro questions set <key> <wording>`` (leads)."""
    team = await _team_here(session, turn)
    service.require_lead(team, turn.user_id)
    key, _, wording = args.partition(" ")
    if key.casefold() not in questions.EDITABLE or not wording.strip():
        raise InvalidInput(texts.QUESTIONS_USAGE)
    if len(wording) > 500:
        raise InvalidInput(texts.QUESTION_TOO_LONG)
    await retro.set_question(
        session,
        workspace_id=turn.workspace_id,
        team_id=team.id,
        key=key.casefold(),
        text=wording.strip(),
        by=turn.user_id,
        now=turn.now,
    )
    return private(texts.question_updated(team.name, key.casefold()))


@routes.command(RETRO, "questions reset", usage="[key]")
async def reset_questions(session: AsyncSession, turn: Turn, args: str) -> Outcome:
    """Handle ``/retro questions reset [key]``: back to the default wording (leads)."""
    key = args.partition(" ")[0]
    team = await _team_here(session, turn)
    service.require_lead(team, turn.user_id)
    if key and key.casefold() not in questions.EDITABLE:
        raise InvalidInput(texts.QUESTIONS_USAGE)
    await retro.reset_questions(
        session, workspace_id=turn.workspace_id, team_id=team.id, key=key.casefold() or None
    )
    return private(texts.questions_reset(team.name))


@routes.command(
    RETRO,
    "anonymity",
    usage="<number>",
    summary=texts.HELP_ANONYMITY,
    section=SECTION_RETRO,
    leads=True,
)
async def anonymity(session: AsyncSession, turn: Turn, wanted: str) -> Outcome:
    """Handle ``/retro anonymity [number]``: how many must answer anonymously before any shows."""
    team = await _team_here(session, turn)
    service.require_lead(team, turn.user_id)
    current = team.anonymity_min or cycles.ANONYMITY_FLOOR
    if not wanted:
        return private(texts.anonymity_is(team.name, current))
    if not wanted.isdigit() or not cycles.ANONYMITY_FLOOR <= int(wanted) <= 1000:
        raise InvalidInput(texts.anonymity_usage(cycles.ANONYMITY_FLOOR))
    team.anonymity_min = int(wanted)
    opened = await retro.open_cycle(session, workspace_id=turn.workspace_id, team_id=team.id)
    if opened is not None:  # an open cycle may be raised, never lowered: people were told
        opened.anonymity_min = max(opened.anonymity_min, team.anonymity_min)
    return private(texts.anonymity_set(team.name, team.anonymity_min))
