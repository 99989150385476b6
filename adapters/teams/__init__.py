"""Microsoft Teams: Bot Framework activities in, Adaptive Cards and text out.

The pure parts (``inbound``, ``mentions``, ``forms``, ``cards``, ``markup``, ``answers``,
``references``) know nothing of botbuilder; the thin wiring (``edge``, ``client``, ``port``,
``directory``, ``identity``) does.
"""
