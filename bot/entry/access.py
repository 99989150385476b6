"""The HTTP access log: requests that went wrong, not every ack.

A chat platform posts an event per message, button and reaction, so a line per request is a
line per event: at a retrospective's opening, thousands a minute saying only "200". The
metrics count those (``okrbot_ack_seconds`` per platform, ``okrbot_slack_requests`` by status,
on ``/metrics``); the log
keeps what someone will read: every answer of 400 or more. At ``OKRBOT_LOG_LEVEL=DEBUG`` every
request is logged, as aiohttp logs it.
"""

from __future__ import annotations

import logging

from aiohttp.web import BaseRequest, StreamResponse
from aiohttp.web_log import AccessLogger


class FailuresLog(AccessLogger):
    """aiohttp's access log, with its format, for answers of 400 and more (all at DEBUG)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        if response.status >= 400 or self.logger.isEnabledFor(logging.DEBUG):
            super().log(request, response, time)
