"""A person's home with the bot (Slack's App Home): their teams, open questions, recent learning."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Turn
from bot.replies import Button, ButtonStyle, Outcome, Reply, Section
from retrospectives import schedules, texts
from retrospectives.cycles import answers
from retrospectives.cycles import texts as retro_texts
from retrospectives.cycles.forms import RetroAction
from retrospectives.okrs.digest import learning_line
from retrospectives.okrs.forms import StoryAction
from storage import core, okr, retro
from storage.retro import CycleStatus

RECENT = timedelta(days=30)
SHOWN_STORIES = 5


async def home(session: AsyncSession, turn: Turn, *, shout_out_button: Button) -> Outcome:
    """Describe what the person can do here, in the teams they belong to."""
    teams = await core.teams_of_person(
        session, workspace_id=turn.workspace_id, user_id=turn.user_id
    )
    sections = []
    if teams:
        lines = [
            f"• {team.name}" + (texts.HOME_LEAD_MARK if team.is_lead(turn.user_id) else "")
            for team in teams
        ]
        sections.append(Section(title=texts.HOME_TEAMS, text="\n".join(lines)))
    else:
        sections.append(Section(title=texts.HOME_TEAMS, text=texts.HOME_NO_TEAMS))
    buttons = [
        Button(texts.HOME_TELL_LEARNING, StoryAction.OPEN_LEARNING, style=ButtonStyle.PRIMARY),
        Button(texts.HOME_TELL_IMPACT, StoryAction.OPEN_IMPACT),
        shout_out_button,
    ]
    places = await retro.participation_of(
        session, workspace_id=turn.workspace_id, user_id=turn.user_id, status=CycleStatus.OPEN
    )
    by_team = {team.id: team for team in teams}
    for participant, cycle in places:
        if participant.finished:
            continue
        team = by_team.get(cycle.team_id) or await core.team_by_id(
            session, workspace_id=turn.workspace_id, team_id=cycle.team_id
        )
        zone = team.timezone if team else "UTC"
        sections.append(
            Section(
                title=texts.HOME_OPEN_RETRO,
                text=texts.home_retro(
                    cycle.title,
                    team.name if team else "",
                    schedules.local_label(cycle.closes_at, zone),
                    len(answers.remaining_questions(cycle, participant)),
                ),
            )
        )
        buttons.append(Button(retro_texts.ANSWER_IN_FORM, RetroAction.ANSWER_FORM, str(cycle.id)))
    recent = []
    for team in teams:
        stories = await okr.learning_stories_since(
            session, workspace_id=turn.workspace_id, team_id=team.id, since=turn.now - RECENT
        )
        recent += [(story.created_at, team.name, story) for story in stories]
    recent.sort(key=lambda item: item[0], reverse=True)
    if recent:
        lines = [f"• {name}: {learning_line(story)}" for _, name, story in recent[:SHOWN_STORIES]]
        sections.append(Section(title=texts.HOME_RECENT, text="\n".join(lines)))
    reply = Reply(texts.HOME_TITLE, tuple(sections), tuple(buttons))
    return Outcome(replies=(reply,))
