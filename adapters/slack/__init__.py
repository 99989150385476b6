"""Slack: payloads to ChatEvents, replies to Block Kit, the Web API out, wired into slack-bolt.

The pure parts (``settings``, ``inbound``, ``mentions``, ``forms``, ``blocks``, ``answers``)
know nothing of Bolt; the thin wiring (``edge``, ``listeners``, ``bolt``, ``socket``, ``client``,
``port``, ``directory``, ``checks``) does, and ``platform`` is Slack's entry in okrbot's list.
"""
