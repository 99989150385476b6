"""The weekly digest a lead reads: narrative, grouped, private, recognition in its own place."""

from datetime import timedelta

from bot.events import EventKind
from bot.replies import Visibility
from tests.support.statements import Counted
from tests.support.times import NEXT_MONDAY


async def digest_of(bot, user="U1", channel="C1"):
    outcome = await bot.send(
        bot.event(EventKind.COMMAND, text="/okr digest", user=user, channel=channel)
    )
    [reply] = outcome.replies
    return reply


async def test_the_digest_groups_learning_by_key_result_and_keeps_recognition_apart(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr kr add Checkout completion reaches 70%")
    await bot.say(
        "/story learning hypothesis: fewer fields lift completion | learned: trust matters more "
        "| result: invalidated | next: test trust badges | kr: KR1"
    )
    await bot.say("/story learning We learned buyers read reviews before paying", user="U2")
    await bot.say(
        "/story impact who: returning buyers | before: retyped addresses | after: reuse them"
    )
    await bot.say("/okr concern Conversion rate: we push upsells that annoy people", user="U3")
    await bot.say("/okr team create Payments", channel="C2", user="U5")
    await bot.say(
        "/shoutout Checkout for sharing their failed checkout experiment so we did not repeat it",
        channel="C2",
        user="U5",
    )

    reply = await digest_of(bot)
    assert reply.visibility is Visibility.PRIVATE
    titles = [s.title for s in reply.sections]
    kr_title = next(t for t in titles if "KR1" in t)
    assert kr_title.startswith("Checkout: learning about KR1")
    assert titles.index(kr_title) < titles.index("Checkout: learning")
    body = {s.title: s.text for s in reply.sections}
    assert "trust matters more (invalidated)" in body[kr_title]
    assert "read reviews" in body["Checkout: learning"]
    assert "before, retyped addresses; now, reuse them" in body["Checkout: customer impact"]
    assert "test trust badges" in body["Checkout: adaptations to follow up"]
    assert "upsells" in body["Checkout: metric concerns raised"]

    # Shout-outs come after every key-result section, and carry no key-result figure.
    recognition = [
        i for i, s in enumerate(reply.sections) if "failed checkout experiment" in s.text
    ]
    assert recognition and min(recognition) > titles.index(kr_title)
    for index in recognition:
        assert "KR" not in reply.sections[index].text + reply.sections[index].title
    # Stories and concerns are the team's: their authors are not named (a shout-out is signed).
    text = "\n".join(s.title + s.text for s in reply.sections)
    for person in ("U1", "U2", "U3"):
        assert person not in text


async def test_only_leads_get_a_digest_and_only_for_their_teams(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/okr team create Payments", channel="C2", user="U5")
    await bot.say("/story learning learned: payouts confuse sellers", channel="C2", user="U5")
    outcome = await bot.send(bot.event(EventKind.COMMAND, text="/okr digest", user="U9"))
    assert "for team leads" in outcome.replies[0].text
    reply = await digest_of(bot)
    assert "payouts" not in "\n".join(s.text for s in reply.sections)


async def test_last_weeks_stories_are_not_in_this_weeks_digest(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/story learning learned: an old lesson")
    bot.clock.advance(timedelta(days=8))
    await bot.say("/story learning learned: a new lesson")
    text = "\n".join(s.text for s in (await digest_of(bot)).sections)
    assert "a new lesson" in text and "an old lesson" not in text


async def test_every_leads_monday_digest_reads_as_their_preview_does(bot):
    leads = {"U1": "C1", "U5": "C2", "U7": "C3"}
    for (lead, channel), name in zip(
        leads.items(), ("Checkout", "Payments", "Search"), strict=True
    ):
        await bot.say(f"/okr team create {name} tz=Europe/Berlin", user=lead, channel=channel)
    await bot.say("/story learning learned: buyers read reviews before paying")
    await bot.say(
        "/shoutout Checkout for sharing their failed checkout experiment so we did not repeat it",
        channel="C2",
        user="U5",
    )
    bot.clock.set(NEXT_MONDAY.replace(hour=8, minute=1))  # 09:01 in Berlin
    previews = {lead: await digest_of(bot, user=lead, channel=c) for lead, c in leads.items()}
    bot.port.sent.clear()
    report = await bot.tick()
    assert report.performed == len(leads)
    mondays = {s.target: s.reply for s in bot.port.sent if "weekly learning digest" in s.reply.text}
    assert set(mondays) == {f"@{lead}" for lead in leads}
    for lead, preview in previews.items():
        assert mondays[f"@{lead}"].sections == preview.sections
    # The workspace-wide part, written once for the three, says the same to each of them.
    across = {
        s.text
        for r in mondays.values()
        for s in r.sections
        if s.title == "Recognition across teams"
    }
    [summary] = across
    assert "one person gave shout-outs" in summary


async def test_a_lead_of_four_teams_gets_their_digest_in_as_many_statements_as_of_one(bot):
    await bot.say("/okr team create Checkout")
    await bot.say("/story learning learned: Checkout lesson")
    await digest_of(bot)
    with Counted(bot.app.engine) as one_team:
        await digest_of(bot)
    names = ("Checkout", "Payments", "Search", "Returns")
    for i, name in enumerate(names[1:], 2):
        await bot.say(f"/okr team create {name}", channel=f"C{i}")
        await bot.say(f"/story learning learned: {name} lesson", channel=f"C{i}")
    with Counted(bot.app.engine) as four_teams:
        reply = await digest_of(bot)
    text = "\n".join(s.text for s in reply.sections)
    assert all(f"{name} lesson" in text for name in names)
    # Each table is read once for all the lead's teams, not once per team.
    assert four_teams.n == one_team.n, (one_team.n, four_teams.n)
