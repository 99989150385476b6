"""Slack: payloads to ChatEvents, replies to Block Kit, the Web API out, wired into slack-bolt.

The pure parts (``inbound``, ``blocks``, ``modals``, ``answers``) know nothing of Bolt; the thin
wiring (``listeners``, ``bolt``, ``web``, ``socket``) does.
"""
