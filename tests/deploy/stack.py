"""Helpers of the deployment tests: Debian's nginx running the project's config, real ``ava serve``
processes, and the skip-or-fail rule for a missing tool (``AVA_REQUIRE_SERVICES=1`` fails)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "ava.conf"
STATIC = ROOT / "src" / "ava_backtest" / "static"
NGINX = "/usr/sbin/nginx"
AVA = Path(sys.executable).with_name("ava")
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def required(what: str) -> None:
    """Skip (or, with AVA_REQUIRE_SERVICES=1, fail) because ``what`` is missing."""
    if os.environ.get("AVA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} and AVA_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(f"{what} (set AVA_REQUIRE_SERVICES=1 to make this a failure)")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a listening TCP socket on ``port`` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f[9])
    try:
        fds = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link == f"socket:[{inode}]" for link in fds for inode in inodes)


def port_or_free(preferred: int) -> int:
    """``preferred`` when nothing listens there now, else a free port."""
    return free_port() if reachable("127.0.0.1", preferred) else preferred


def render_template(text: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst step does: ``${NAME}`` and ``$NAME`` of the variables that
    are set become their values; every other ``$name`` (nginx's own) stays."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return values[name] if name in values else m.group(0)

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", sub, text)


class Nginx:
    """Debian's nginx, in the foreground, running the project's template rendered with local
    ports and paths inside a minimal main config (pid, logs and temp files under ``tmp``)."""

    def __init__(
        self, tmp: Path, api_ports: list[int], ui_root: Path = STATIC, port: int | None = None
    ) -> None:
        self.dir = tmp / f"nginx-{uuid.uuid4().hex[:6]}"
        for sub in ("logs", "temp"):
            (self.dir / sub).mkdir(parents=True)
        self.port = port if port is not None else free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        site = render_template(
            NGINX_TEMPLATE.read_text(),
            {
                "AVA_API_SERVERS": " ".join(f"server 127.0.0.1:{p};" for p in api_ports),
                "AVA_UI_PORT": f"127.0.0.1:{self.port}",
                "AVA_UI_ROOT": str(ui_root),
            },
        )
        assert "${AVA_" not in site, site
        (self.dir / "ava.conf").write_text(site)
        d = self.dir
        temp = "\n".join(
            f"    {kind}_temp_path {d / 'temp' / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As root, nginx would hand its workers to `nobody`, who cannot read pytest's 0700 dirs.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (d / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {d / 'nginx.pid'};\nerror_log {d / 'logs/error.log'};\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            "    log_format ava '$request_method $uri $status $upstream_addr';\n"
            f"    access_log {d / 'logs/access.log'} ava;\n"
            f"{temp}\n"
            f"    include {d / 'ava.conf'};\n"
            "}\n"
        )
        args = [NGINX, "-p", str(d), "-e", str(d / "logs/error.log"), "-c", str(d / "nginx.conf")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(
            [*args, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # This nginx holds the listening socket (a connection to the port alone could reach
        # another server that had it first; nginx then retries its bind, and exits).
        deadline = time.monotonic() + 30
        while not listens(self.proc.pid, self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"nginx did not start: {self.errors()}")
            time.sleep(0.1)

    def errors(self) -> str:
        log = self.dir / "logs/error.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def access(self) -> list[list[str]]:
        """The access log so far: [method, uri, status, upstream addresses] per request. The last
        field keeps its spaces: a request nginx passed on to the next upstream logs every address
        it tried, as ``127.0.0.1:8001, 127.0.0.1:8002``."""
        log = self.dir / "logs/access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line.split(" ", 3) for line in lines]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish the open connections
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class Server:
    """``ava serve`` on a free port with ``env`` added to this process's environment."""

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"server-{self.port}.log"
        self.log = self.log_path.open("w")
        cleared = ("AVA_DATABASE_URL", "AVA_REDIS_URL", "AVA_API_TOKEN", "AVA_CORS_ORIGINS")
        child_env = {k: v for k, v in os.environ.items() if k not in cleared}
        self.proc = subprocess.Popen(
            [str(AVA), "serve", "--port", str(self.port)],
            env={**child_env, **env},
            cwd=tmp,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.base}/api/v2/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"ava serve on {self.port} did not start: {self.tail()}")

    def tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self.log.closed:
            self.log.close()
