"""The production stack files agree with the code: real commands, wiring, no committed secrets."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.worker import GRACEFUL_SHUTDOWN

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = {name: s for name, s in SERVICES.items() if "build" in s}
SECRETS = ("POSTGRES_PASSWORD", "POSTGRES_PWD", "PAYLOAD_KEYS", "JWT_SECRET", "OIDC_CLIENT_SECRET")


def command_words(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(w) for w in command]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def depends_on(service: dict[str, Any]) -> list[str]:
    return list(service.get("depends_on", []))


def test_every_service_has_an_image_or_a_build() -> None:
    assert {"postgresql", "temporal", "temporal-ui", "migrate", "api", "worker"} <= set(SERVICES)
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name


@pytest.mark.parametrize("name", sorted(OURS))
def test_our_services_run_a_real_appraisal_command(name: str) -> None:
    script, *args = command_words(OURS[name])
    assert script == "appraisal", f"{name}: {script}"
    # Groups are told apart by their subcommands: typer's command classes are its own.
    command: Any = typer.main.get_command(app)
    path = [script]
    while hasattr(command, "commands") and args and not args[0].startswith("-"):
        sub = command.commands.get(args[0])
        assert sub is not None, f"{name}: no command {' '.join([*path, args[0]])!r}"
        path.append(args.pop(0))
        command = sub
    assert not hasattr(command, "commands"), f"{name}: {' '.join(path)} needs a subcommand"
    command.make_context(" ".join(path), args)  # unknown options or arguments raise here


def test_dependencies_name_existing_services_and_wait_properly() -> None:
    for name, service in SERVICES.items():
        for dep in depends_on(service):
            assert dep in SERVICES, f"{name} depends on unknown {dep}"
    for name in ("api", "worker"):
        conditions = SERVICES[name]["depends_on"]
        assert conditions["migrate"]["condition"] == "service_completed_successfully"
        assert conditions["temporal"]["condition"] == "service_healthy"
        registers = [
            dep
            for dep in depends_on(SERVICES[name])
            if "register-search-attributes" in command_words(SERVICES[dep])
        ]
        assert registers, f"{name} may start before the search attributes exist"


def test_api_and_worker_are_configured_and_encrypt() -> None:
    for name in ("api", "worker"):
        env = environment(SERVICES[name])
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://"), name
        assert env["TEMPORAL_ADDRESS"] == "temporal:7233", name
        assert env["PAYLOAD_KEYS"].startswith("${PAYLOAD_KEYS:?"), "encryption must be on"
    api_env = environment(SERVICES["api"])
    tokens = {"JWT_SECRET", "JWT_ISSUER", "JWT_AUDIENCE", "OIDC_ISSUER", "OIDC_AUDIENCE"}
    assert {*tokens, "OIDC_JWKS_URL", "JWT_MAX_LIFETIME_SECONDS"} <= set(api_env)
    sso = {"OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_DISCOVERY_URL", "OIDC_REDIRECT_URL"}
    assert {*sso, "OIDC_SCOPES", "OIDC_NIP_CLAIM", "OIDC_ROLES_CLAIM"} <= set(api_env)
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker, "workers must scale"


def test_a_stopping_worker_is_given_its_grace_before_it_is_killed() -> None:
    # Compose's stop_grace_period is a duration such as "30s" or "1m"; Docker's default is 10 s.
    grace = SERVICES["worker"].get("stop_grace_period", "10s")
    duration = re.fullmatch(r"(\d+)(s|m)", grace)
    assert duration, grace
    seconds = int(duration[1]) * (60 if duration[2] == "m" else 1)
    assert seconds > GRACEFUL_SHUTDOWN.total_seconds() + 5, grace


def test_no_secret_is_committed() -> None:
    for name, service in SERVICES.items():
        for key, value in environment(service).items():
            if key in SECRETS:
                assert re.fullmatch(r"\$\{[A-Z_]+:?[-?][^}]*\}", value), f"{name}: {key}"
    url = environment(SERVICES["api"])["DATABASE_URL"]
    assert "${POSTGRES_PASSWORD:?" in url
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored, "a local .env must not be baked into the image"


def test_healthchecks_where_others_wait() -> None:
    for name in ("postgresql", "temporal", "api"):
        assert SERVICES[name].get("healthcheck", {}).get("test"), name
    readyz = " ".join(SERVICES["api"]["healthcheck"]["test"])
    assert "/readyz" in readyz and ":8000" in readyz


def test_dockerfile_runs_the_declared_script() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.M), "the image must not run as root"
    lines = re.findall(r"^(?:ENTRYPOINT|CMD) (.+)$", dockerfile, re.M)
    assert lines, "no ENTRYPOINT or CMD"
    words = [w for line in lines for w in json.loads(line)]
    assert "appraisal" in scripts and words[0] == "appraisal"
