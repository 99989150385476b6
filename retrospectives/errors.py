"""Ways the retrospectives domain turns a request down (all rolled back, all private)."""

from __future__ import annotations

from bot.replies import Refusal


class NoTeamHere(Refusal):
    """The command needs a team and none is bound to this conversation."""


class NotALead(Refusal):
    """Only a lead of the team may do this."""


class InvalidInput(Refusal):
    """A name, a story field or a key result is missing, too long or not understood."""
