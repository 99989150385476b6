"""Ways the recognition domain turns a request down (all rolled back, all private)."""

from __future__ import annotations

from bot.replies import Refusal


class ShoutOutRefused(Refusal):
    """A shout-out that cannot be posted as given; ``input_name`` is the form input at fault."""

    def __init__(self, message: str, *, input_name: str = "") -> None:
        super().__init__(message)
        self.input_name = input_name

    def in_form(self) -> Refusal:
        """Return this refusal with its message shown next to the form input at fault."""
        if not self.input_name:
            return self
        return Refusal(self.message, form_errors={self.input_name: self.message})


class UnknownTeam(ShoutOutRefused):
    """No team of this workspace has that name or lives in that channel."""


class InvalidShoutOut(ShoutOutRefused):
    """The narrative is missing, too short or too long, or the behaviour is not understood."""


class OwnTeam(ShoutOutRefused):
    """The giver tried to recognise their own team."""


class RepeatedShoutOut(ShoutOutRefused):
    """The same person already posted exactly this shout-out to these teams recently."""


class DraftGone(ShoutOutRefused):
    """The draft behind a "Post anyway" button is not this person's, or no longer exists."""
