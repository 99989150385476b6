"""Reading a shout-out as typed: teams, channels, behaviour, privacy and length."""

import pytest

from recognition import commands
from recognition.commands import Target, infer_behaviour, parse_command, parse_form
from recognition.errors import InvalidShoutOut, UnknownTeam
from storage.recognition import Behaviour

TEAMS = ["Checkout", "Payments", "Team Rocket", "Team"]
STORY = "paired with us on the refund flow until support could answer alone"


def test_one_team_by_name():
    request = parse_command(f"checkout {STORY}", TEAMS)
    assert request.targets == (Target(name="Checkout"),)
    assert request.text == STORY
    assert not request.private


def test_several_teams_and_channels():
    request = parse_command(f"Checkout, <#C2|payments> & #C3: {STORY}", TEAMS)
    assert request.targets == (
        Target(name="Checkout"),
        Target(name="payments", channel_id="C2"),
        Target(name="C3", channel_id="C3"),
    )
    assert request.text == STORY


def test_the_longest_team_name_wins():
    assert parse_command(f"Team Rocket {STORY}", TEAMS).targets == (Target(name="Team Rocket"),)


def test_and_joins_teams_only_when_a_team_follows():
    both = parse_command(f"Checkout and Payments for {STORY}", TEAMS)
    assert both.targets == (Target(name="Checkout"), Target(name="Payments"))
    assert both.text == f"for {STORY}"
    one = parse_command(f"Checkout and everyone who {STORY}", TEAMS)
    assert one.targets == (Target(name="Checkout"),)
    assert one.text == f"and everyone who {STORY}"


def test_a_comma_may_start_the_narrative():
    request = parse_command(f"Checkout, they {STORY}", TEAMS)
    assert request.targets == (Target(name="Checkout"),)
    assert request.text == f"they {STORY}"


def test_private_is_a_leading_word():
    assert parse_command(f"private Payments {STORY}", TEAMS).private


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        (f"Ghosts for {STORY}", "Ghosts"),
        (f"Data Platform: {STORY}", "Data Platform"),
        (f"Checkout, Ghosts for {STORY}", "Ghosts"),
    ],
)
def test_unknown_teams_are_named_back(typed, named):
    with pytest.raises(UnknownTeam, match=f"no team called “{named}”"):
        parse_command(typed, TEAMS)


def test_too_many_teams():
    names = [f"T{i}" for i in range(7)]
    with pytest.raises(UnknownTeam, match="up to 5 teams"):
        parse_command(", ".join(names) + f" {STORY}", names)


@pytest.mark.parametrize("narrative", ["", "great job!", "thanks team!!!!!!!!!!!!!!!!", "   "])
def test_empty_kudos_are_refused_with_a_hint(narrative):
    with pytest.raises(InvalidShoutOut, match="what difference did it make") as refused:
        parse_command(f"Checkout {narrative}", TEAMS)
    assert refused.value.input_name == commands.NARRATIVE_INPUT


def test_too_long_is_refused_with_the_limit():
    with pytest.raises(InvalidShoutOut, match="under 2,000"):
        parse_command("Checkout " + "x " * 5000, TEAMS)


def test_behaviour_label_is_taken_out_of_the_narrative():
    request = parse_command(f"Checkout {STORY} | behaviour: experiment", TEAMS)
    assert request.behaviour is Behaviour.EXPERIMENT
    assert request.text == STORY


def test_unknown_behaviour_lists_the_choices():
    with pytest.raises(InvalidShoutOut, match="learning, experiment, helping, customer, other"):
        parse_command(f"Checkout behaviour: heroics {STORY}", TEAMS)


@pytest.mark.parametrize(
    ("text", "behaviour"),
    [
        ("ran a clean A/B experiment that invalidated our hypothesis", Behaviour.EXPERIMENT),
        ("helped us untangle the refund queue over two days", Behaviour.HELPING),
        ("returning customers now finish checkout on their phones", Behaviour.CUSTOMER),
        ("learned from the outage and adapted their on-call", Behaviour.LEARNING),
        ("kept the office plants alive all winter long", Behaviour.OTHER),
    ],
)
def test_behaviour_is_inferred_from_the_words(text, behaviour):
    assert infer_behaviour(text) is behaviour


def test_form_values_are_read():
    request = parse_form(
        {"teams": "Checkout, #C2", "behaviour": "helping", "narrative": STORY, "private": "yes"},
        TEAMS,
    )
    assert request.targets == (Target(name="Checkout"), Target(name="C2", channel_id="C2"))
    assert (request.behaviour, request.text, request.private) == (Behaviour.HELPING, STORY, True)


def test_form_refusals_name_their_input():
    with pytest.raises(UnknownTeam) as refused:
        parse_form({"teams": "Checkout, ghosts", "narrative": STORY}, TEAMS)
    assert refused.value.input_name == "teams"
    assert refused.value.in_form().form_errors == {"teams": refused.value.message}
    with pytest.raises(UnknownTeam) as missing:
        parse_form({"teams": " ", "narrative": STORY}, TEAMS)
    assert missing.value.input_name == "teams"
