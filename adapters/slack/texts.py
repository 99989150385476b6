"""What the Slack adapter says in its own words: about answers that come after the ack.

Slack waits about three seconds for the answer to a command, a button or a form. When okrbot
needs longer, it acks at once and answers a moment later (:mod:`adapters.slack.listeners`);
these are the words it uses around that late answer.
"""

from __future__ import annotations

from collections.abc import Sequence

WORKING = "Working on it. I'll answer here in a moment."
DID_NOT_WORK = "Sorry, that did not work: I could not finish it just now. Please try again."


def form_not_saved(title: str, labels: Sequence[str]) -> str:
    """The summary line of a form's errors sent after its modal has closed."""
    which = f"your {title} form" if title else "that form"
    return (
        f"I could not save {which}: {_listed(labels)} "
        f"{'needs' if len(labels) == 1 else 'need'} another look. "
        "Please open it again; what each needs is below."
    )


def form_too_late(title: str) -> str:
    """A form okrbot could not open: Slack lets an app open one only within a few seconds."""
    which = f"the {title} form" if title else "the form"
    return (
        f"I took too long to open {which}, and Slack allows only a few seconds. Please ask again."
    )


def _listed(labels: Sequence[str]) -> str:
    quoted = [f"“{label}”" for label in labels]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"
