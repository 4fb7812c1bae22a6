"""Run inside ``unshare -rn``: put addresses on lo, start TCP listeners and UDP echo
servers, run the given firewall commands step by step, and probe after each step.

Input (JSON on stdin): {"addresses": [...], "listen": [[addr, proto, port], ...],
"steps": [{"name": str, "commands": [[argv...], ...], "probes": [[src, dst, proto, port]]}]}.
Output (JSON on stdout): {step name: {"src dst proto port": bool}, "<step>:rules": text}.
Standalone: it runs in the namespace's own Python process, without Django.
"""

import json
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 1.0


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _serve_tcp(sock):
    while True:
        conn, _ = sock.accept()
        conn.close()


def _serve_udp(sock):
    while True:
        data, peer = sock.recvfrom(2048)
        sock.sendto(data, peer)


def listen(address: str, protocol: str, port: int) -> None:
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(_family(address), kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    if protocol == "tcp":
        sock.listen(64)
    target = _serve_tcp if protocol == "tcp" else _serve_udp
    threading.Thread(target=target, args=(sock,), daemon=True).start()


def probe(source: str, destination: str, protocol: str, port: int) -> bool:
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    with socket.socket(_family(destination), kind) as sock:
        sock.settimeout(TIMEOUT)
        sock.bind((source, 0))
        try:
            sock.connect((destination, port))
            if protocol == "udp":
                sock.send(b"ping")
                return sock.recv(16) == b"ping"
            return True
        except OSError:
            return False


def main() -> None:
    spec = json.load(sys.stdin)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for address in spec["addresses"]:
        prefix = "128" if ":" in address else "32"
        extra = ["nodad"] if ":" in address else []
        subprocess.run(
            ["ip", "addr", "add", f"{address}/{prefix}", "dev", "lo", *extra], check=True
        )
    for address, protocol, port in spec["listen"]:
        listen(address, protocol, port)
    results = {}
    for step in spec["steps"]:
        for command in step["commands"]:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                results[step["name"] + ":error"] = f"{command}: {done.stderr}"
        # In parallel: each blocked probe waits for its timeout.
        with ThreadPoolExecutor(max_workers=64) as pool:
            outcomes = list(pool.map(lambda item: probe(*item), step["probes"]))
        results[step["name"]] = {
            " ".join(map(str, item)): seen
            for item, seen in zip(step["probes"], outcomes, strict=True)
        }
        listing = subprocess.run(step.get("listing", ["true"]), capture_output=True, text=True)
        results[step["name"] + ":rules"] = listing.stdout
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
