"""The questions a retrospective asks, and what each kind of answer becomes at the close."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    BET = "bet"  # becomes the hypothesis of a learning story
    LEARNED = "learned"  # becomes a learning story
    BEHAVIOUR = "behaviour"  # becomes a customer-impact story
    ADAPT = "adapt"  # becomes an adaptation, asked about next cycle
    METRIC = "metric"  # becomes a metric concern, unless the answer is "no"
    FOLLOW_UP = "followup"  # the team's word on one of last cycle's adaptations
    PRESSURE = "pressure"  # always anonymous: pressure to make a key result look better


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    text: str

    @property
    def kind(self) -> Kind:
        return Kind(self.key.split(":", 1)[0])

    @property
    def adaptation_id(self) -> int | None:
        if self.kind is not Kind.FOLLOW_UP:
            return None
        return int(self.key.split(":", 1)[1])


DEFAULTS: Mapping[str, str] = {
    Kind.BET: "What did we bet on this quarter, and what actually happened?",
    Kind.LEARNED: ("What did we learn? Experiments that failed count: what did they teach us?"),
    Kind.BEHAVIOUR: (
        "Whose behaviour changed because of our work (customers, users, another team), "
        "and how do we know?"
    ),
    Kind.ADAPT: "Given what we learned, what will we do differently next quarter?",
    Kind.METRIC: (
        "Did any metric or target push us toward shipping output rather than changing "
        'outcomes? Which one, and how? ("no" is a fine answer)'
    ),
}
PRESSURE_TEXT = (
    "Did you feel pressure to make a key result look better than the outcome it stands for? "
    'Which one? This answer is always kept anonymously. ("no" is a fine answer)'
)
EDITABLE = tuple(DEFAULTS)
ALWAYS_ANONYMOUS = frozenset({Kind.PRESSURE})
NOTHING_TO_REPORT = frozenset({"no", "none", "nope", "n/a", "na", "nothing", "-", "no."})


def follow_up_text(adaptation: str) -> str:
    return (
        f"Last time the team said it would: “{adaptation}”. Did we do it, did it work (what is "
        "the evidence), and do we keep it, change it or drop it?"
    )


def for_cycle(
    custom: Mapping[str, str], adaptations: Sequence[tuple[int, str]], key_results: str = ""
) -> list[Question]:
    """Last cycle's adaptations first, then the team's questions (or the defaults).

    The metric question names the team's key results and their guardrails (``key_results``),
    so that people answer about the numbers they are actually asked to push; a team with key
    results is also asked, always anonymously, whether anyone felt pressure to dress one up.
    """
    asked = [Question(f"{Kind.FOLLOW_UP}:{i}", follow_up_text(text)) for i, text in adaptations]
    for key, text in DEFAULTS.items():
        wording = custom.get(key, text)
        if key == Kind.METRIC and key_results:
            wording = f"{wording}\n{key_results}"
        asked.append(Question(str(key), wording))
    if key_results:  # only a team with key results can feel pushed to dress one up
        asked.append(Question(str(Kind.PRESSURE), f"{PRESSURE_TEXT}\n{key_results}"))
    return asked


def to_rows(questions: Sequence[Question]) -> list[dict[str, str]]:
    return [{"key": q.key, "text": q.text} for q in questions]


def from_rows(rows: Sequence[Mapping[str, str]]) -> list[Question]:
    return [Question(row["key"], row["text"]) for row in rows]
