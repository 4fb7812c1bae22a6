"""Fixtures that start real peers. ``celery_worker``: real Celery worker processes on
Redis, working on the test database. ``browser``: Debian's Chromium driven by Playwright.
``live_server``: the service over plain HTTP for the browser. For fault tests (see
``tests/e2e/faults.py``): ``redis_server``, a Redis of the test's own to kill or hang;
``database_proxy``, a TCP proxy in front of PostgreSQL to cut or stall; ``web_server``,
gunicorn serving the service with the environment the test gives it.

Tests using it need ``@pytest.mark.django_db(transaction=True)``: the worker is another
process and only sees committed data.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection
from django.test import override_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.e2e.faults import RedisServer, TcpProxy, database_upstream, free_port

BASE_DIR = Path(settings.BASE_DIR)
# CI exports REDIS_URL; a developer can point the tests at another Redis database.
BROKER_URL = (
    os.environ.get("CELERY_TEST_BROKER_URL")
    or os.environ.get("REDIS_URL")
    or "redis://127.0.0.1:6379/1"
)
READY_TIMEOUT = 60

# Debian's Chromium, never a downloaded browser; the flags keep it off the closed network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Launch headless Chromium for the module's tests."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def live_server():
    """Serve the service over plain HTTP for the module's tests. Middleware reads the
    HTTPS switches once, when the server starts, so they are off before then."""
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        server = LiveServer("localhost")
        yield server
        server.stop()


def worker_database_url() -> str:
    """Return a DATABASE_URL naming the database the tests run on."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """A ``celery -A config worker`` process and its log."""

    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker at once, as the OOM killer or a lost host would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _forget_broker_connections() -> None:
    """Make the next task sent open a connection to the broker configured now."""
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Return ``start(broker_url=…, pool="solo", as_deployed=False, beat=False, **env)``
    that starts a real worker (with ``beat``, running the periodic jobs too); tasks sent by
    the test, and by processes given ``CELERY_TASK_DEFAULT_QUEUE=start.queue``, go to it.

    Each test gets its own queue, so workers of parallel test runs sharing a Redis
    server never take each other's tasks.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    conf = current_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    conf.update(broker_url=BROKER_URL, task_always_eager=False, task_default_queue=queue)
    _forget_broker_connections()
    workers: list[WorkerProcess] = []

    def start(
        *,
        broker_url: str = BROKER_URL,
        pool: str = "solo",
        as_deployed: bool = False,
        beat: bool = False,
        **extra_env,
    ) -> WorkerProcess:
        if broker_url != conf.broker_url:  # a broker of the test's own (see redis_server)
            conf.update(broker_url=broker_url)
            _forget_broker_connections()
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_CONN_MAX_AGE": "0",
            # What the worker sends (retries, the outbox relay, beat's jobs) stays on its queue.
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            **{key: str(value) for key, value in extra_env.items()},
        }
        log = tmp_path / f"worker-{len(workers) + 1}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            f"--pool={pool}", "--concurrency=1", "--queues", queue, "--loglevel=INFO",
            "--hostname", f"worker{len(workers) + 1}-{queue}@%h",
        ]  # fmt: skip
        if not as_deployed:  # quicker to start; a deployed worker runs all three
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:  # the periodic jobs too, as `celery beat` would send them
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{len(workers) + 1}")]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = WorkerProcess(process, log)
        workers.append(worker)
        deadline = time.monotonic() + READY_TIMEOUT
        while " ready." not in worker.output():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"The Celery worker did not start:\n{worker.output()}")
            time.sleep(0.2)
        return worker

    start.queue = queue  # for other processes that send tasks (see web_server)
    yield start

    for worker in workers:
        worker.stop()
    conf.update(saved)
    _forget_broker_connections()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25, message: str = ""):
    """Poll ``predicate`` until it returns a true value, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(message or f"Timed out after {timeout}s waiting for {predicate}.")


@pytest.fixture
def redis_server(tmp_path):
    """Start a private Redis server on a free port; the test may kill or hang it."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def database_proxy():
    """Put a TCP proxy in front of PostgreSQL; the test may cut, stall and restore it."""
    proxy = TcpProxy(database_upstream(connection.settings_dict))
    proxy.start()
    yield proxy
    proxy.close()


class WebServer:
    """A gunicorn process serving the service on a free port, and its log."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def web_server(tmp_path):
    """Return ``start(workers=2, **env)`` that serves the service with gunicorn as deployed.

    By default it works on the test database, runs tasks in-process and keeps its cache
    in process memory; ``env`` overrides any of that (e.g. ``CELERY_BROKER_URL``).
    """
    servers: list[WebServer] = []

    def start(*, workers: int = 2, **extra_env) -> WebServer:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DEBUG"}},
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": "",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_CONN_MAX_AGE": "0",
            **{key: str(value) for key, value in extra_env.items()},
        }
        log = tmp_path / f"web-{len(servers) + 1}.log"
        # The shipped gunicorn settings, so the test serves the way a deployment does.
        command = [
            sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        server = WebServer(process, port, log)
        servers.append(server)
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                urllib.request.urlopen(f"{server.url}/healthz", timeout=2).close()
                return server
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start:\n{server.output()}") from exc
                time.sleep(0.2)

    yield start

    for server in servers:
        server.stop()


# The Node packages some tests drive for real (agora-rtc-sdk-ng, typescript, jsonwebtoken):
# versions pinned in .npm-test/package-lock.json, installed by the test run, never committed.
NPM_DIR = BASE_DIR / ".npm-test"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """Install the pinned Node packages once (``npm ci``) and return their directory."""
    installed = NPM_DIR / "node_modules" / ".package-lock.json"
    lock = NPM_DIR / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NPM_DIR, check=True, timeout=600,
        )  # fmt: skip
    return NPM_DIR / "node_modules"
