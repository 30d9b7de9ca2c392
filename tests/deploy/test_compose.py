"""docker-compose.yml validated by docker-compose itself (Debian's, /usr/bin/docker-compose), with
and without the .env the Quick Start copies from .env.example; the services, ports, volumes,
healthchecks and start order of the original's stack; the API container's environment read by
Ava's own settings object; .env.example covering every setting."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values

from ava_backtest.settings import Settings, get_settings, unknown_variables
from tests.deploy.stack import ROOT, required

DOCKER_COMPOSE = "/usr/bin/docker-compose"
SERVICES = {"ava-db", "redis", "backtester-v2", "ava-ui"}
PORTS = {"ava-db": (5435, 5432), "redis": (6379, 6379), "backtester-v2": (8201, 8201)}
PORTS["ava-ui"] = (8203, 8203)


def _compose(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(DOCKER_COMPOSE) is None:
        required(
            f"{DOCKER_COMPOSE} is missing (apt-get install docker-compose, or `make system-deps`)"
        )
    return subprocess.run(
        [DOCKER_COMPOSE, "--project-directory", str(project), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        # No variable of this machine leaks into the interpolation.
        env={"PATH": "/usr/bin:/bin", "HOME": str(project)},
    )


@pytest.fixture(params=["with .env from .env.example", "without .env"])
def project(request, tmp_path) -> Path:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    if request.param.startswith("with"):
        shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def _config(project: Path) -> dict[str, Any]:
    check = _compose(project, "config", "-q")
    assert check.returncode == 0 and not check.stderr.strip(), check.stderr
    full = _compose(project, "config")
    assert full.returncode == 0, full.stderr
    return yaml.safe_load(full.stdout)


def test_compose_file_validates_with_the_four_services_their_ports_and_volumes(project):
    config = _config(project)
    services = config["services"]
    assert set(services) == SERVICES
    for name, (published, target) in PORTS.items():
        ports = [(int(p["published"]), int(p["target"])) for p in services[name]["ports"]]
        assert ports == [(published, target)], (name, services[name]["ports"])
    assert services["ava-db"]["image"].startswith("timescale/timescaledb:")
    assert services["redis"]["image"].startswith("redis:7")
    assert {"ava-db-data", "ava-data"} <= set(config["volumes"])

    db_mounts = {m.split(":")[1] for m in services["ava-db"]["volumes"]}
    assert "/var/lib/postgresql/data" in db_mounts
    api = services["backtester-v2"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in api["volumes"]}
    assert mounts["/data"] == "ava-data"  # the market-data store, $AVA_HOME
    # The user strategies directory is the host's ./strategies, resolved against the project.
    assert Path(mounts["/strategies"]) == project / "strategies"
    assert api["build"]["target"] == "runtime"
    assert set(api["build"]["args"]) == {"AVA_UID", "AVA_GID"}
    assert services["ava-ui"]["build"]["target"] == "ava-ui"

    # Start order on health, and a healthcheck on every service.
    assert api["depends_on"] == {
        "ava-db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["ava-ui"]["depends_on"] == {"backtester-v2": {"condition": "service_healthy"}}
    for name in SERVICES:
        assert services[name]["healthcheck"]["test"], name
    assert "/api/v2/health" in " ".join(api["healthcheck"]["test"])
    ui_env = services["ava-ui"]["environment"]
    assert ui_env["AVA_API_SERVERS"].startswith("server backtester-v2:8201")
    assert ui_env["AVA_UI_PORT"] == "8203"


def test_the_api_containers_environment_configures_ava_for_the_stack(project, monkeypatch):
    env = _config(project)["services"]["backtester-v2"]["environment"]
    # The original's names for the services, as in its README.
    assert env["DATABASE_URL"] == "postgresql://ava:ava@ava-db:5432/ava"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    for name in list(Settings.model_fields):
        for var in _variables(name):
            monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        if value is not None:  # passed through from .env; unset when it is not there
            monkeypatch.setenv(key, str(value))
    s = get_settings()
    assert s.database_url == "postgresql+psycopg://ava:ava@ava-db:5432/ava"
    assert s.redis_url == "redis://redis:6379/0"
    assert s.host == "0.0.0.0" and s.port == 8201
    assert [str(p) for p in s.strategy_paths()] == ["/strategies"]
    assert s.workers == 2


def test_compose_passes_the_vendor_keys_from_env_into_the_api_container(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    env_text = (ROOT / ".env.example").read_text()
    env_text = env_text.replace("FMP_API_KEY=\n", "FMP_API_KEY=fmp-secret\n")
    env_text = env_text.replace("POSTGRES_PASSWORD=ava\n", "POSTGRES_PASSWORD=s3cret\n")
    (tmp_path / ".env").write_text(env_text)
    env = _config(tmp_path)["services"]["backtester-v2"]["environment"]
    assert env["FMP_API_KEY"] == "fmp-secret"
    assert env["DATABASE_URL"] == "postgresql://ava:s3cret@ava-db:5432/ava"
    db_env = _config(tmp_path)["services"]["ava-db"]["environment"]
    assert db_env["POSTGRES_PASSWORD"] == "s3cret"


def _variables(field: str) -> list[str]:
    alias = Settings.model_fields[field].validation_alias
    choices = getattr(alias, "choices", None)
    if choices:
        return [str(c) for c in choices]
    return [str(alias)] if isinstance(alias, str) else [f"AVA_{field}".upper()]


def _example_names() -> set[str]:
    """Every variable .env.example names, set or in a commented-out example line."""
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        stripped = line.lstrip("# ").strip()
        name = stripped.split("=", 1)[0]
        if "=" in stripped and name.isupper() and name.replace("_", "").isalnum():
            names.add(name)
    return names


def test_env_example_lists_every_setting_under_a_name_ava_reads():
    names = _example_names()
    for field in Settings.model_fields:
        assert names & set(_variables(field)), f"{field} ({_variables(field)}) not in .env.example"
    # Every AVA_* name in it is one Ava reads: none would be warned about as unknown at start-up
    # (the stack's own knobs carry no AVA_ prefix).
    assert unknown_variables(dict.fromkeys(names, "x")) == []


def test_env_example_values_are_accepted_by_the_settings_object(monkeypatch):
    for key, value in dotenv_values(ROOT / ".env.example").items():
        monkeypatch.setenv(key, value or "")
    s = get_settings()  # raises naming the variable if one were malformed
    assert s.workers == 2 and s.grid_limit == 100_000 and s.api_token is None
    assert s.fmp_api_key is None  # an empty value counts as unset


def _with_overrides(tmp_path: Path, override: str) -> dict[str, Any]:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / override, tmp_path / "deploy" / override)
    files = ["-f", "docker-compose.yml", "-f", f"deploy/{override}"]
    check = _compose(tmp_path, *files, "config", "-q")
    assert check.returncode == 0 and not check.stderr.strip(), check.stderr
    return yaml.safe_load(_compose(tmp_path, *files, "config").stdout)


def test_the_scaling_override_adds_an_identical_api_process_behind_nginx(tmp_path):
    services = _with_overrides(tmp_path, "docker-compose.scale.yml")["services"]
    a, b = services["backtester-v2"], services["backtester-v2-b"]
    # The same configuration as the first process (so the copy in the override cannot drift).
    assert b["environment"] == a["environment"]
    assert sorted(b["volumes"]) == sorted(a["volumes"])
    assert b["image"] == a["image"] and "ports" not in b
    # Built like the first (never pulled), from the project's directory.
    assert b["build"] == a["build"] and Path(b["build"]["context"]) == tmp_path
    servers = services["ava-ui"]["environment"]["AVA_API_SERVERS"]
    assert [s.split()[1] for s in servers.split(";") if s.strip()] == [
        "backtester-v2:8201",
        "backtester-v2-b:8201",
    ]
    assert set(services["ava-ui"]["depends_on"]) == {"backtester-v2", "backtester-v2-b"}


def test_the_dask_override_points_the_api_at_a_scheduler_with_workers_on_the_same_data(tmp_path):
    services = _with_overrides(tmp_path, "docker-compose.dask.yml")["services"]
    assert services["backtester-v2"]["environment"]["AVA_DASK_ADDRESS"] == (
        "tcp://dask-scheduler:8786"
    )
    worker = services["dask-worker"]
    assert "tcp://dask-scheduler:8786" in worker["command"]
    assert worker["image"] == services["backtester-v2"]["image"]
    assert worker["build"] == services["backtester-v2"]["build"]
    assert services["dask-scheduler"]["build"] == services["backtester-v2"]["build"]
    assert {m.split(":")[1] for m in worker["volumes"]} == {"/data", "/strategies"}
    assert worker["environment"]["AVA_HOME"] == "/data"
