"""The test-support kit: what every test area shares.

- ``times``: the moments tests start from (``START``, a Monday morning; ``NOON``; ``NEXT_MONDAY``).
- ``rows``: ``count`` and ``rows``, read through the harness's or a rig's sessions.
- ``transcripts``: what a person reads in a reply (``said``, ``reply_text``), and ``shows``,
  which checks a transcript against what a texts function or constant renders.
- ``harness``: okrbot on a real database behind a console-like platform (the ``bot`` fixture).
- ``fake_server``: the base of the fake platform APIs (a free port of 127.0.0.1, recorded
  calls, scripted refusals with Retry-After); ``rig``: the base of the Slack and Teams HTTP rigs.
- ``serving``: ``okrbot serve`` as a real process on a free port.
- ``settings``: ``configured``, settings written compactly by field name, each value given to
  the core or to the platform whose settings have that field.
- ``databases``, ``fakes``, ``bulk`` and ``volume``: migrated databases, the in-process chat
  port and directory, and many rows written fast.
"""
