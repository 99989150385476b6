"""Reading a request's body at an HTTP edge, answering for a body that cannot be read."""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError


async def read(request: web.Request) -> str | web.Response:
    """The body as text, or the answer to give: 413 when too large, 400 when unreadable."""
    try:
        return await request.text()
    except web.HTTPRequestEntityTooLarge:
        return web.Response(status=413, text="the body is too large")
    # Not UTF-8 or an unknown charset, or a Content-Encoding the body does not decompress by.
    except (ValueError, LookupError, web.RequestPayloadError, HttpProcessingError):
        answer = web.Response(status=400, text="unreadable body")
        answer.force_close()  # the rest of the stream cannot be read either
        return answer
