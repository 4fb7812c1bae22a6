"""Run inside ``unshare -rn``: put the proxies' addresses on lo, start coturn and the
listeners, bridge one loopback port to a Unix socket (the service outside), then for each
step load firewall files and run the downloaded probe.

Input (JSON on stdin): {"addresses": [...], "coturn": [[address, port], ...],
"listen": [[address, protocol, port], ...], "bridge": {"port": int, "socket": path},
"steps": [{"name": str, "commands": [[argv...]], "probe": [argv...]}]}.
Output (JSON on stdout): {step name: {"errors": [...], "returncode", "stdout", "stderr",
"rules": the OUTPUT chain and our sets as loaded}}.
Standalone: standard library and the test peers only, no Django.
"""

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time

from tests.provisioning.connectivity import peers

TURNSERVER = "/usr/bin/turnserver"


def _pump(source, target):
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def bridge(port: int, path: str) -> None:
    """Accept TCP on 127.0.0.1:``port`` and carry each connection to the Unix socket."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)

    def serve():
        while True:
            client, _ = server.accept()
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(path)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()


def coturn(address: str, port: int, relay_low: int) -> subprocess.Popen:
    """Start coturn on ``address``:``port`` (UDP and TCP) and wait until it listens."""
    process = subprocess.Popen(
        [TURNSERVER, "-n", "--use-auth-secret", "--static-auth-secret=netns-test",
         "--realm=proxy.test", f"--listening-ip={address}", f"--relay-ip={address}",
         f"--listening-port={port}", f"--min-port={relay_low}", f"--max-port={relay_low + 49}",
         "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers", "--log-file=stdout"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((address, port), 0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"coturn did not listen on {address}:{port}")


def _setup(spec: dict) -> list:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for address in spec["addresses"]:
        prefix, extra = ("128", ["nodad"]) if ":" in address else ("32", [])
        subprocess.run(
            ["ip", "addr", "add", f"{address}/{prefix}", "dev", "lo", *extra], check=True
        )
    processes = [
        coturn(address, port, 50000 + 50 * index)
        for index, (address, port) in enumerate(spec["coturn"])
    ]
    for address, protocol, port in spec["listen"]:
        peers.listen(address, protocol, port)
    bridge(spec["bridge"]["port"], spec["bridge"]["socket"])
    return processes


def main() -> None:
    spec = json.load(sys.stdin)
    processes = _setup(spec)
    results = {}
    try:
        for step in spec["steps"]:
            errors = []
            for command in step["commands"]:
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode:
                    errors.append(f"{command}: {done.stderr}")
            probe = subprocess.run(step["probe"], capture_output=True, text=True, check=False)
            rules = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True)
            results[step["name"]] = {
                "errors": errors, "returncode": probe.returncode, "stdout": probe.stdout,
                "stderr": probe.stderr, "rules": rules.stdout,
            }  # fmt: skip
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
