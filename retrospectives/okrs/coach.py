"""The output-to-outcome coach: notice a story that only says what was shipped."""

from __future__ import annotations

import re

_OUTPUT = re.compile(
    r"\b(shipped|launched|released|delivered|deployed|rolled out|built|finished|completed|"
    r"implemented|closed \d+|merged|migrated|went live|go-live)\b",
    re.IGNORECASE,
)
_OUTCOME = re.compile(
    r"\b(customers?|users?|people|buyers?|shoppers?|clients?|members?|agents?|behaviou?r|"
    r"now (do|use|can|choose|stop|start)|instead|learn(ed|t)?|because|evidence|"
    r"fewer|less|more|stopped|started|switched|abandon\w*|return\w*|retain\w*|churn\w*)\b"
    r"|\d+\s?%",
    re.IGNORECASE,
)


def only_output(text: str) -> bool:
    """Tell whether ``text`` describes an output but nothing about what changed for anyone."""
    return bool(_OUTPUT.search(text)) and not _OUTCOME.search(text)
