"""Microsoft Teams: Bot Framework activities in, Adaptive Cards and text out.

The pure parts (``settings``, ``inbound``, ``mentions``, ``forms``, ``cards``, ``markup``,
``answers``, ``references``) know nothing of botbuilder; the thin wiring (``edge``, ``client``,
``port``, ``directory``, ``identity``, ``checks``) does, and ``platform`` is Teams' entry in
okrbot's list.
"""
