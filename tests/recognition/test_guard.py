"""The attainment-language guard: praise for hitting numbers is caught, ordinary text is not."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recognition.guard import attainment_phrases, mentions_attainment

ATTAINMENT = [
    "we hit 120% of KR2",
    "They hit 95% of target this quarter",
    "95 percent of the target, amazing",
    "110% to plan",
    "They beat the quarterly target",
    "exceeded the KR by a mile",
    "exceeded KR 3",
    "smashed their stretch goal",
    "blew past our stretch goal",
    "hit the number again",
    "made our numbers for Q3",
    "met the target early",
    "crushed their OKRs",
    "delivered KR1 on time",
    "KR2 at 100%",
    "KR3: 110%",
    "kr1 is 97%",
    "the quota was smashed",
    "targets met across the board",
    "KR2 was hit in week 3",
    "100% attainment",
    "95% achieved by Friday",
    "record attainment this quarter",
    "they over-achieved again",
    "overachievers, all of them",
    "ahead of plan and above target",
    "hit their goals",
]

ORDINARY = [
    "we helped Payments cut refund time by half",
    "they cut checkout errors by 40% in a week",
    "100% of the team joined the retro and shared what they learned",
    "met the Payments team every week to pair on the refund flow",
    "hit a wall with the vendor, then adapted the plan together",
    "made a number of changes after the customer interviews",
    "helped us reach our goal of zero-downtime deploys",
    "they ran an experiment that failed and shared what they learned",
    "beat the odds with a careful rollout",
    "their target audience research changed how we onboard",
    "their feedback was on target and saved us a sprint",
    "they made a plan with support and stuck to it",
    "the goalkeeper of our on-call rota, always calm",
    "a clear, attainable next step for every question",
    "conversion went from 2% to 3% after the new onboarding",
    "KR2 was the wrong bet and their interviews showed us why",
]


@pytest.mark.parametrize("text", ATTAINMENT)
def test_attainment_language_is_caught(text):
    assert mentions_attainment(text)
    assert attainment_phrases(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_passes(text):
    assert attainment_phrases(text) == ()
    assert not mentions_attainment(text)


def test_the_phrase_found_is_quoted_as_written():
    assert attainment_phrases("Team, we hit   120% of KR2 this time!") == ("120% of KR2",)


BEHAVIOUR_TALK = (
    "they we helped paired learned adapted tried customers team refund flow support "
    "experiment failed showed why onboarding interviews changed how week together "
    "calmly shared evidence result because of it now answer questions alone"
)
PLAIN_WORDS = st.sampled_from(BEHAVIOUR_TALK.split())
FILLER = st.lists(PLAIN_WORDS, max_size=30).map(" ".join)


@given(FILLER)
def test_plain_behaviour_words_never_trigger(text):
    assert not mentions_attainment(text)


@given(FILLER, st.sampled_from(ATTAINMENT), FILLER)
def test_attainment_anywhere_in_a_sentence_triggers(before, phrase, after):
    # a comma ends the phrase: "target customers" after it would be another thing entirely
    assert mentions_attainment(f"{before} {phrase}, {after}")


@given(st.sampled_from(ATTAINMENT))
def test_case_does_not_hide_attainment(phrase):
    assert mentions_attainment(phrase.upper())
    assert mentions_attainment(phrase.swapcase())


@given(st.text(max_size=500))
def test_any_text_is_answered_without_error(text):
    phrases = attainment_phrases(text)
    assert mentions_attainment(text) == bool(phrases)
    assert all(phrase.strip() for phrase in phrases)


@given(st.integers(min_value=0, max_value=1000), st.sampled_from(["KR", "target", "quota"]))
def test_any_percentage_of_a_target_triggers(number, target):
    assert mentions_attainment(f"they got to {number}% of the {target}")
