"""docker-compose.yml follows the Compose specification and runs okrbot as the docs say."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft7Validator

from tests.deploy.files import ROOT, SCHEMAS, settings_variables, yaml_documents

COMPOSE = ROOT / "docker-compose.yml"
OKRBOT_SERVICES = ("migrate", "okrbot")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    (document,) = yaml_documents(COMPOSE)
    return document


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads((SCHEMAS / "compose" / "compose-spec.json").read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_the_file_is_valid_against_the_compose_specification(
    compose: dict[str, Any], validator: Draft7Validator
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_refuses_what_compose_would(validator: Draft7Validator) -> None:
    # The check above is only worth something if the schema can fail.
    broken = {"services": {"okrbot": {"image": 3, "replica": 2}}, "volume": {}}
    found = sorted(e.message for e in validator.iter_errors(broken))
    assert found == [
        "'replica' does not match any of the regexes: '^x-'",
        "'volume' does not match any of the regexes: '^x-'",
        "3 is not of type 'string'",
    ]


def test_postgres_reports_health_and_keeps_its_data(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "ports" not in postgres  # reached by the services only


def test_the_migration_runs_once_before_the_servers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["okrbot"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }


def test_two_replicas_serve_with_the_scheduler_on(compose: dict[str, Any]) -> None:
    okrbot = compose["services"]["okrbot"]
    assert okrbot["deploy"]["replicas"] == 2
    assert okrbot["command"][0] == "serve"
    assert "--no-scheduler" not in okrbot["command"]
    assert "ports" not in okrbot  # replicas cannot share a published port; the proxy has it


def test_one_published_port_reaches_every_replica(compose: dict[str, Any]) -> None:
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["ports"] == ["${OKRBOT_PORT:-3000}:80"]
    assert services["proxy"]["depends_on"]["okrbot"]["condition"] == "service_healthy"
    (mount,) = services["proxy"]["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    config = (ROOT / source).read_text()
    port = services["okrbot"]["command"][services["okrbot"]["command"].index("--port") + 1]
    # The upstream names the service, which Docker's DNS answers with every replica.
    assert re.search(rf"^\s*server okrbot:{port} resolve;$", config, re.MULTILINE)
    assert re.search(r"^\s*listen 80;$", config, re.MULTILINE)
    assert "proxy_pass http://okrbot;" in config


def test_the_servers_get_the_database_and_only_variables_okrbot_reads(
    compose: dict[str, Any],
) -> None:
    known = settings_variables()
    for name in OKRBOT_SERVICES:
        environment = compose["services"][name]["environment"]
        assert set(environment) <= known, set(environment) - known
        url = environment["OKRBOT_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://okrbot:")
        assert url.endswith("@postgres:5432/okrbot")


def test_no_secret_is_written_in_the_file(compose: dict[str, Any]) -> None:
    # Every value that could be a secret comes from the environment of `docker compose`.
    for name in OKRBOT_SERVICES:
        for variable, value in compose["services"][name]["environment"].items():
            if variable != "OKRBOT_DATABASE_URL":
                assert value == f"${{{variable}:-}}", variable
    password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")


def test_the_servers_write_nothing_in_their_containers(compose: dict[str, Any]) -> None:
    for name in OKRBOT_SERVICES:
        service = compose["services"][name]
        assert service["read_only"] is True
        assert service["tmpfs"] == ["/tmp"]
        assert service["cap_drop"] == ["ALL"]
