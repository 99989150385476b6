"""Alembic environment: runs on the connection okrbot hands over, or on its own async engine."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from storage.engine import create_engine
from storage.schema import metadata
from storage.search import outside_models

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=outside_models,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or os.environ.get(
        "OKRBOT_DATABASE_URL", "sqlite+aiosqlite:///okrbot.db"
    )


given = config.attributes.get("connection")
if given is not None:
    run_on(given)
elif context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_with_own_engine(database_url()))
