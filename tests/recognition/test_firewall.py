"""The firewall: recognition holds and says nothing about key results, and ranks nobody."""

import json
import re
from dataclasses import asdict

from sqlalchemy import inspect, select

import recognition.handlers
from bot.replies import reply_to_dict
from bot.runtime import routes
from recognition import forms, views
from recognition.service import Coverage
from storage.outbox import OutboxMessage
from storage.recognition import CoSign, ShoutOut, ShoutOutAnnouncement, ShoutOutRecipient
from storage.schema import metadata

RECOGNITION_MODELS = (ShoutOut, ShoutOutRecipient, CoSign, ShoutOutAnnouncement)
RECOGNITION_TABLES = {model.__tablename__ for model in RECOGNITION_MODELS}
KEY_RESULT_FIELD = re.compile(r"key_?result|(^|_)krs?(_|$)|kr_|okr|attain|target|quota", re.I)
KEY_RESULT_WORDS = re.compile(
    r"key[ _-]?results?|\bKRs?\d*\b|kr_|\bOKRs?\b|attainment|\btargets?\b|\bquotas?\b", re.I
)
SCOREBOARD_WORDS = re.compile(r"\bpoints?\b|\bscores?\b|\brank\w*|leaderboard|\bcurrency\b", re.I)
STORY = "paired with us on the refund flow until support could answer refunds alone"


def test_recognition_tables_have_no_key_result_column_or_link():
    for name in RECOGNITION_TABLES:
        table = metadata.tables[name]
        for column in table.columns:
            assert not KEY_RESULT_FIELD.search(column.name), f"{name}.{column.name}"
        for key in table.foreign_keys:
            assert key.column.table.name in {"workspace", "team", "shout_out"}, key.target_fullname


def test_no_table_links_key_results_and_shout_outs():
    for table in metadata.tables.values():
        linked = {key.column.table.name for key in table.foreign_keys} | {table.name}
        assert not (linked & RECOGNITION_TABLES and linked & {"key_result"}), table.name


def test_recognition_models_relate_only_to_recognition():
    for model in RECOGNITION_MODELS:
        mapper = inspect(model)
        for attribute in mapper.attrs:
            assert not KEY_RESULT_FIELD.search(attribute.key), f"{model.__name__}.{attribute.key}"
        for relation in mapper.relationships:
            assert relation.mapper.class_ in RECOGNITION_MODELS


def assert_clean(serialised: str) -> None:
    assert not KEY_RESULT_WORDS.search(serialised), serialised
    assert not SCOREBOARD_WORDS.search(serialised), serialised


def test_the_form_help_and_coverage_say_nothing_of_key_results_or_scores():
    form = forms.shout_out("C1")
    assert_clean(json.dumps(asdict(form)))
    for section in routes.help_sections(recognition.handlers.routes.table()):
        assert_clean(section.text)
    assert_clean(views.coverage_text(Coverage(("Search",), 0.5, 3, 4)))
    assert_clean(views.coverage_text(Coverage((), None, 0, 1)))


async def test_announcements_and_digests_say_nothing_of_key_results_or_scores(bot):
    await bot.say("/okr team create Checkout", channel="C1", user="U1")
    await bot.say("/okr kr add Checkout completion reaches 70%", channel="C1", user="U1")
    await bot.say("/okr team create Payments", channel="C2", user="U2")
    await bot.say(f"/shoutout Checkout {STORY}", user="U2", channel="C2")
    await bot.say(f"/shoutout private Checkout, Payments {STORY}", user="U9", channel="C9")
    async with bot.app.sessions() as session:
        payloads = (await session.scalars(select(OutboxMessage.payload))).all()
    assert payloads
    for payload in payloads:
        assert_clean(json.dumps(payload))
    await bot.deliver()
    for sent in bot.port.sent:
        assert_clean(json.dumps(reply_to_dict(sent.reply)))
    async with bot.app.sessions() as session:
        [shout_out, *_] = (await session.scalars(select(ShoutOut))).all()
        for section in views.digest_sections("Checkout", [shout_out]):
            assert_clean(json.dumps(asdict(section)))
        row = {c.key: getattr(shout_out, c.key) for c in inspect(ShoutOut).column_attrs}
    assert not any(KEY_RESULT_FIELD.search(name) for name in row)
