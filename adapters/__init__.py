"""Platform adapters: each turns its platform's input into ChatEvents and renders replies.

Slack and Teams have the same file roles, so that one reads like the other:

- ``shapes``    the payload shapes, checked before the SDK reads a body
- ``inbound``   payload -> ChatEvent (pure); ``mentions`` the platform's mentions in the
                kernel's form (:func:`bot.events.mention`); ``forms`` forms both ways
- ``blocks`` / ``cards``  Reply -> Block Kit / Adaptive Card (pure, escaped, paged)
- ``answers``   where each reply to a request goes (pure)
- ``edge``      the HTTP edge the server mounts (aiohttp handlers)
- ``client``    the platform's API with its failures read; ``port`` the ChatPort the outbox
                sends through; ``directory`` the Directory the scheduler asks

What they share is written once here: ``payloads`` (reading JSON fields), ``failures``
(Retry-After, what an HTTP answer means, the retry loop for replies), ``bodies`` (reading a
request body at an edge), ``shaping`` (the base of the payload shapes, pydantic models),
``fitting`` (the same rules in plain Python, for the hot path) and ``pieces`` (where a long text
is best cut). Adapters import only the kernel of bot.
"""
