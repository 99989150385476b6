"""`okrbot export` of adaptations: who took one on, until when, and what became of it."""

from datetime import date, datetime

from sqlalchemy import insert, select

from storage.core import Team
from storage.learning import Fate, FollowThrough
from storage.retro import Adaptation
from tests.cli.erased_person import table_ids
from tests.cli.test_export import A_QUARTER, bulk
from tests.support.times import START


def test_an_adaptation_says_who_took_it_on_until_when_and_what_became_of_it(shell, database_url):
    shell.chat(*A_QUARTER)

    async def write(connection):
        team, workspace = (
            await connection.execute(
                select(Team.id, Team.workspace_id).where(Team.name == "Checkout")
            )
        ).one()
        placed = {"workspace_id": workspace, "team_id": team, "created_at": START}
        taken, _untouched = await table_ids(
            connection,
            Adaptation,
            [{**placed, "text": "show shipping costs early"}, {**placed, "text": "pair on KR2"}],
        )
        await connection.execute(
            insert(FollowThrough),
            [
                {"adaptation_id": taken, "workspace_id": workspace, "owner_id": "U2"}
                | {"due_on": date(2027, 1, 20), "fate": Fate.DONE, "decided_at": START}
            ],
        )

    bulk(database_url, write)
    adaptations = {r["text"]: r for r in shell.export() if r["type"] == "adaptation"}
    taken = adaptations["show shipping costs early"]
    assert (taken["owner_id"], taken["due_on"], taken["fate"]) == ("U2", "2027-01-20", "done")
    assert datetime.fromisoformat(taken["decided_at"]) == START
    untouched = adaptations["pair on KR2"]
    assert (untouched["owner_id"], untouched["due_on"], untouched["fate"]) == (None, None, None)
