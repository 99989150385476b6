"""The pages a Teams app package links to: what okrbot is, its privacy notice, its terms.

Teams shows an app's website, privacy and terms links in the app's details, and requires
them in the manifest. okrbot serves a short page for each (``/``, ``/privacy``, ``/terms``)
saying what this software does with people's data, true of every deployment; an operator whose
organisation has its own notice or terms links to those instead (``OKRBOT_PRIVACY_URL``,
``OKRBOT_TERMS_URL``).
"""

from __future__ import annotations

from html import escape

PATHS = {"about": "/", "privacy": "/privacy", "terms": "/terms"}

_PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "about": (
        "okrbot",
        (
            "okrbot is a chat bot for Slack and Microsoft Teams that helps teams working with "
            "OKRs reward learning, adaptation and real change for customers: quarterly "
            "retrospectives in chat, learning and customer-impact stories, shout-outs between "
            "teams kept apart from key-result attainment, and a weekly learning digest for "
            "leads.",
            "This okrbot is run by the organisation that installed it in your workspace or "
            "tenant. Type okr help in a chat with the bot to see what you can ask it.",
        ),
    ),
    "privacy": (
        "okrbot: privacy",
        (
            "okrbot is run by the organisation that installed it; that organisation decides "
            "where its database lives and who may read it. okrbot sends nothing anywhere else: "
            "it talks only to Slack or Microsoft Teams.",
            "It keeps what people tell it (retrospective answers, stories, metric concerns, "
            "shout-outs), with the author's platform id and the time, and what it needs to "
            "reach people later (the conversations it is in, people's timezones).",
            "Anonymous answers and anonymous concerns are stored with no author, no link to a "
            "person and only the day; they are shown only once enough people have answered "
            "anonymously that nobody can be picked out. Shout-outs are never linked to key "
            "results, and there are no rankings of people.",
            "Events it handled are remembered only as keyed hashes, and delivered messages "
            "only for a few days. The operator can export everything and can erase a person's "
            "data on request (okrbot erase-user): ask the admins who installed okrbot.",
        ),
    ),
    "terms": (
        "okrbot: terms of use",
        (
            "okrbot is software your organisation runs for its own teams; its use is governed "
            "by your organisation's own rules for its chat tools. Ask the admins who installed "
            "it about them.",
            "The software is provided as is, without warranty of any kind. Use it to help "
            "teams learn; do not use what people tell it to rank or rate individuals.",
        ),
    ),
}


def page(name: str) -> str:
    """One of the pages as a small, self-contained HTML document."""
    title, paragraphs = _PAGES[name]
    body = "\n".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;"
        "padding:0 1em;color:#1b1b1b}</style></head>\n"
        f"<body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )
