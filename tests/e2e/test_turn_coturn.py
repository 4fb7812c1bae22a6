"""The TURN credentials the SDK endpoint hands out allocate relays on a real coturn.

coturn runs as in production with ``use-auth-secret``: it knows the shared secret, not the
users, and checks each username's expiry and HMAC itself.
"""

import contextlib
import random
import select
import socket
import subprocess
import time

import pytest

from provisioning.services.turn import turn_credential_mint, turn_credential_sign
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set

pytestmark = pytest.mark.e2e

TURNSERVER = "/usr/bin/turnserver"
UCLIENT = "/usr/bin/turnutils_uclient"
SECRET = "coturn-e2e-shared-secret"
START_TIMEOUT_S = 5
CLIENT_TIMEOUT_S = 8


def _free_port() -> int:
    """Return a port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("No free port on 127.0.0.1.")


@contextlib.contextmanager
def turnserver_running(secret: str = SECRET):
    """Run coturn on 127.0.0.1 (UDP and TCP on one random port, no config file); yield
    the port."""
    port = _free_port()
    relay_low = random.randrange(49152, 65000, 100)
    process = subprocess.Popen(
        [
            TURNSERVER,
            "-n",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=proxy.test",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            f"--min-port={relay_low}",
            f"--max-port={relay_low + 99}",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--log-file=stdout",
            "--simple-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"turnserver did not start (exit {process.poll()}).")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def allocate_relay(*, port: int, username: str, credential: str, tcp: bool = False) -> str:
    """Ask coturn for a relay with ``turnutils_uclient``; return the relay address, or ''
    when the allocation is refused."""
    command = [UCLIENT, "-v", "-y", "-c", "-n", "1", "-m", "1", "-l", "32"]
    command += ["-t"] if tcp else []
    command += ["-u", username, "-w", credential, "-p", str(port), "127.0.0.1"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    deadline = time.monotonic() + CLIENT_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    return ""
                continue
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                return ""
            if "Received relay addr:" in line:
                return line.rsplit("Received relay addr:", 1)[1].strip()
            if "Cannot complete Allocation" in line:
                return ""
        raise AssertionError("turnutils_uclient neither allocated nor failed in time.")
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def turn_port():
    with turnserver_running() as port:
        yield port


@pytest.fixture
def served(db, client, settings, turn_port):
    """The proxy config of an app served from 127.0.0.1 with coturn's port."""
    settings.TURN_SHARED_SECRETS = [SECRET, "previous-secret"]
    settings.TURN_UDP_PORT = turn_port
    settings.TURN_TCP_PORT = turn_port
    app = AppFactory()
    live_set(app, addresses=["127.0.0.1"])
    response = client.get("/api/v1/sdk/proxy-config", {"app_id": app.app_id})
    assert response.status_code == 200, response.content
    return app, response.json()["ice_servers"][0]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_served_credentials_allocate_a_relay(served, turn_port, transport):
    _, ice = served
    assert f"turn:127.0.0.1:{turn_port}?transport={transport}" in ice["urls"]

    relay = allocate_relay(
        port=turn_port,
        username=ice["username"],
        credential=ice["credential"],
        tcp=transport == "tcp",
    )

    assert relay.startswith("127.0.0.1:")


def test_credentials_of_a_wrong_secret_are_refused(served, turn_port):
    _, ice = served

    relay = allocate_relay(
        port=turn_port,
        username=ice["username"],
        credential=turn_credential_sign(secret="not-the-secret", username=ice["username"]),
    )

    assert relay == ""


def test_expired_credentials_are_refused(served, turn_port):
    app, _ = served
    expired = turn_credential_mint(app_id=app.app_id, expires_at=int(time.time()) - 60)

    relay = allocate_relay(port=turn_port, username=expired.username, credential=expired.credential)

    assert relay == ""


def test_tampered_username_is_refused(served, turn_port):
    _, ice = served
    expiry, app_id = ice["username"].split(":")
    longer = f"{int(expiry) + 86400}:{app_id}"

    assert allocate_relay(port=turn_port, username=longer, credential=ice["credential"]) == ""
