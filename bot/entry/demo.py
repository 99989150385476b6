"""`okrbot demo`: a scripted quarter on a throwaway database, printed as a conversation."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from adapters.console import CONSOLE, ConsoleChatPort, ConsoleSession, ConsoleState
from bot.admin import reporting
from bot.clock import ManualClock
from bot.entry.app import Okrbot, build
from bot.entry.settings import Settings

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday morning
DEMO_WORKSPACE = "W1"  # the console's own


@dataclass(frozen=True, slots=True)
class Narration:
    """A line for the reader of the demo, not for the bot."""

    text: str


Step = str | Narration

# Each string is typed on the console, exactly as in `okrbot chat`; see `!help` there.
SCRIPT: tuple[Step, ...] = (
    Narration("Ana (U1) sets up her team in its channel, #C1, on Berlin time."),
    "/okr team create Checkout tz=Europe/Berlin",
    Narration(
        "Key results are what the team measures; stories can cite them. Without a guardrail "
        "(what must not get worse while the team pushes it) the bot asks for one."
    ),
    "/okr kr add Mobile checkout completion rises from 61% to 70%",
    "/okr kr guardrail KR1 refund requests and support contacts per order do not rise",
    Narration(
        "A learning story: the bet, what was tried, what was learned. The hypothesis was "
        "wrong, and that counts as learning."
    ),
    "/story learning hypothesis: a one-page checkout lifts mobile completion "
    "| tried: A/B test on 20% of mobile traffic for two weeks "
    "| evidence: completion 61.2% vs 61.0%, not significant "
    "| learned: length was not the problem; surprise shipping costs were "
    "| result: invalidated | next: show shipping costs on the product page | kr: KR1",
    Narration("A customer-impact story: whose behaviour changed, and how the team knows."),
    "/story impact who: returning buyers on mobile | before: abandoned at the shipping step "
    "| after: finish in one go with the saved address | evidence: step drop-off 34% -> 19%",
    Narration("A story that only says what shipped gets asked what changed for customers."),
    "/story learning We shipped the new address form",
    "!press 1",
    "!form story_outcome outcome=Buyers now fix typos themselves; address-related support "
    "tickets fell from 40 to 12 a week",
    Narration(
        "Anyone can flag a metric that pushes the team toward harm: what it rewards, who is "
        "harmed, a better measure. Anonymously, and visible to the team: the reply gives a "
        "reference, since nobody can message an anonymous raiser."
    ),
    "!user U4",
    "/okr concern Tickets closed per day: we close tickets before customers are helped "
    "| drives: closing fast | harms: customers who have to write again "
    "| instead: tickets not reopened within a week anonymous team",
    Narration("Ben (U2) leads Payments in #C2 and recognises Checkout for how they worked."),
    "!user U2",
    "!channel C2",
    "/okr team create Payments tz=Europe/Berlin",
    "/shoutout Checkout for running a clean experiment on the one-page checkout and sharing "
    "why it failed",
    Narration("Carla (U3), in Checkout's channel, co-signs the shout-out with a reaction."),
    "!user U3",
    "!channel C1",
    "Brave of them to share a failed experiment so openly.",
    "!react raised_hands",
    Narration("Dev (U4) says good morning in #C1: the bot now counts him as a member too."),
    "!user U4",
    "Morning all! Coffee first, then the shipping-costs test.",
    Narration(
        "Ana opens a retrospective. Everyone seen in #C1 is asked privately, one question at "
        "a time."
    ),
    "!user U1",
    "/retro start",
    Narration(
        "Ana answers two questions by name and skips the rest; the last one, about pressure "
        "on a key result, is always answered anonymously."
    ),
    "!dm",
    "We bet on brevity. Buyers told us, through the test, that surprises matter more.",
    "That we should test the cheapest version of an idea first: two weeks told us enough.",
    "skip",
    "skip",
    "skip",
    "no",
    Narration("Dev answers too, from his own direct chat."),
    "!user U4",
    "!dm",
    "We bet that saved addresses would cut drop-off at the shipping step.",
    "That returning buyers trust saved data more than we thought.",
    Narration("Carla answers in her direct chat with the bot, anonymously."),
    "!user U3",
    "!dm",
    "anonymous",
    "We bet that a one-page checkout would lift completion. It did not move.",
    "That checkout length was never the problem: surprise shipping costs were.",
    "Returning buyers now finish in one go; step drop-off fell from 34% to 19%.",
    "Show shipping costs on the product page, and test it before building more.",
    "skip",
    "KR1: completion was reported before refunds came in, so it looked better than it was.",
    Narration(
        "The next morning the leads get it, and the team's channel shows it without its "
        "raiser, with buttons to add one's voice: by name or anonymously, once each."
    ),
    "!time 2027-01-05T09:00",
    "!user U3",
    "!channel C1",
    "!press 1",
    "!press 2",
    "!user U1",
    "!press 2",
    Narration(
        "Ana talks it over with the team and answers (the button is for leads): the answer "
        "goes to the channel with the concern, still without its raiser, who finds it by the "
        "reference."
    ),
    "!press 3",
    "!form concern_answer decision=replaced | answer=From now on we count tickets not "
    "reopened within a week, and stop counting tickets closed per day",
    Narration("On Wednesday, only the people who have not answered get a private reminder."),
    "!time 2027-01-06T09:00",
    "!time 2027-01-08T09:00",
    Narration("The next Monday morning, Ana's weekly digest arrives on her local time."),
    "!time 2027-01-11T08:00",
    Narration(
        "At the deadline the summary goes to the channel. Three people answered, so Carla's "
        "anonymous answers can be shown without giving her away; with fewer they stay hidden."
    ),
    "!time 2027-01-11T16:00",
)


async def run(out: TextIO) -> int:
    """Play the script on a temporary SQLite database, printing the conversation to ``out``."""
    with tempfile.TemporaryDirectory(prefix="okrbot-demo-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'demo.db'}"
        clock = ManualClock(START)
        state = ConsoleState(clock=clock, session="demo")
        port = ConsoleChatPort(state, out)
        app = await build(Settings(database_url=url), clock=clock, ports={CONSOLE: port})
        try:
            session = ConsoleSession(state, app.handle, out, after_event=app.tick, echo=True)
            out.write(f"okrbot demo: a quarter of team Checkout, starting {START:%A %d %B %Y}.\n")
            for step in SCRIPT:
                if isinstance(step, Narration):
                    out.write(f"\n── {step.text}\n")
                else:
                    await session.feed(step)
            written = await _write_report(app)
            out.write(
                f"\n── The quarter's learning report, one page to open in a browser: {written}\n"
            )
        finally:
            await app.close()
    return 0


async def _write_report(app: Okrbot) -> Path:
    """Write the demo team's quarterly report where it outlives the throwaway database."""
    page = Path(tempfile.mkdtemp(prefix="okrbot-demo-report-")) / "report.html"
    async with app.sessions() as session:
        team = await reporting.team_named(session, workspace=DEMO_WORKSPACE, name="Checkout")
        page.write_text(
            await reporting.page(session, team=team, quarter=None, now=app.clock.now()),
            encoding="utf-8",
        )
    return page
