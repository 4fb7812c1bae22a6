#!/usr/bin/env python3
"""Check that this network lets an app's cloud proxy traffic through its firewall.

Tries a TCP connection to every destination and port of the app's firewall rules (port
ranges sampled at both ends and a few ports inside) and a STUN Binding Request on every
UDP port; a UDP port counts as reachable only when a Binding Success Response with the
request's transaction ID comes back. Prints a table, or with --json a list of
{"destination", "protocol", "port", "reachable", "ms"}. Exits 1 when anything is blocked.

The app's entries as of the download are embedded below, so the script runs on a host
that cannot reach the service; --refresh fetches the latest rules, --report sends the
result back (both with an API key holding the "rules" scope: --api-key or the
PROXY_API_KEY environment variable). Python 3.8+, standard library only.
"""

import argparse
import ipaddress
import json
import os
import socket
import struct
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

# Filled in when the script is downloaded: JSON text of the app's entries (one line).
EMBEDDED = json.loads("{}")

STUN_BINDING_REQUEST = 0x0001
STUN_BINDING_SUCCESS = 0x0101
STUN_MAGIC_COOKIE = 0x2112A442
PORTS_INSIDE_RANGE = 3
ADDRESSES_PER_NETWORK = 16
EXIT_BLOCKED, EXIT_ERROR = 1, 2


def sample_ports(start, end):
    """Return both ends of a port range and a few ports evenly spread inside it."""
    ports = {start, end}
    inside = end - start - 1
    for step in range(1, PORTS_INSIDE_RANGE + 1):
        if inside > 0:
            ports.add(start + step * (end - start) // (PORTS_INSIDE_RANGE + 1))
    return sorted(ports)


def sample_addresses(destination):
    """Return the addresses of a destination network to try (at most a few per network)."""
    network = ipaddress.ip_network(destination, strict=False)
    if network.num_addresses == 1:
        return [str(network.network_address)]
    hosts = []
    for address in network.hosts():
        hosts.append(str(address))
        if len(hosts) >= ADDRESSES_PER_NETWORK:
            break
    return hosts


def targets(entries):
    """Return the (destination, protocol, port) tries of ``entries``, without repeats."""
    found = []
    for entry in entries:
        for address in sample_addresses(entry["destination"]):
            for start, end in entry["ports"]:
                for port in sample_ports(int(start), int(end)):
                    found.append((address, entry["protocol"], port))

    def key(target):
        address = ipaddress.ip_address(target[0])
        return (address.version, int(address), target[1], target[2])

    return sorted(set(found), key=key)


def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def try_tcp(address, port, timeout):
    with socket.socket(family(address), socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except OSError:
            return False
        return True


def stun_request():
    """Return a Binding Request (RFC 5389) and its transaction ID."""
    transaction_id = os.urandom(12)
    header = struct.pack("!HHI", STUN_BINDING_REQUEST, 0, STUN_MAGIC_COOKIE)
    return header + transaction_id, transaction_id


def stun_success(data, transaction_id):
    """Return whether ``data`` is a Binding Success Response to ``transaction_id``."""
    if len(data) < 20:
        return False
    kind, length, cookie = struct.unpack("!HHI", data[:8])
    return (
        kind == STUN_BINDING_SUCCESS
        and cookie == STUN_MAGIC_COOKIE
        and data[8:20] == transaction_id
        and length == len(data) - 20
    )


def try_stun(address, port, timeout):
    request, transaction_id = stun_request()
    deadline = time.monotonic() + timeout
    with socket.socket(family(address), socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((address, port))
            sock.send(request)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                sock.settimeout(left)
                if stun_success(sock.recv(2048), transaction_id):
                    return True
        except OSError:
            return False


def run_one(target, timeout):
    address, protocol, port = target
    started = time.monotonic()
    attempt = try_tcp if protocol == "tcp" else try_stun
    reachable = attempt(address, port, timeout)
    ms = round((time.monotonic() - started) * 1000)
    return {"destination": address, "protocol": protocol, "port": port,
            "reachable": reachable, "ms": ms}  # fmt: skip


def run_all(tries, timeout, workers):
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda target: run_one(target, timeout), tries))


def api_request(url, api_key, body=None):
    """Return the JSON answer of a GET (or a POST of ``body``) to the service."""
    headers = {"Authorization": "Api-Key " + api_key, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode())


def refreshed(embedded, base_url, api_key):
    """Return ``embedded`` with the app's latest version and entries from the service."""
    url = f"{base_url}/api/v1/apps/{embedded['app_id']}/rules/latest/?format=json"
    latest = api_request(url, api_key)
    entries = [
        {"destination": e["destination"], "protocol": e["protocol"], "ports": e["port_ranges"]}
        for e in latest["entries"]
    ]
    return dict(embedded, version=latest["version"], entries=entries)


def report(embedded, base_url, api_key, results):
    url = f"{base_url}/api/v1/apps/{embedded['app_id']}/connectivity/reports/"
    body = {"version": embedded["version"], "source": "probe", "results": results}
    return api_request(url, api_key, body)


def table(results):
    lines = [f"{'DESTINATION':<40} {'PROTO':<5} {'PORT':>5}  {'RESULT':<9} {'MS':>6}"]
    for item in results:
        verdict = "reachable" if item["reachable"] else "BLOCKED"
        lines.append(
            f"{item['destination']:<40} {item['protocol']:<5} {item['port']:>5}  "
            f"{verdict:<9} {item['ms']:>6}"
        )
    blocked = sum(1 for item in results if not item["reachable"])
    lines.append(f"{len(results)} tried, {blocked} blocked")
    return "\n".join(lines)


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--refresh", action="store_true", help="fetch the latest rules first")
    parser.add_argument("--report", action="store_true", help="send the result to the service")
    parser.add_argument("--api-key", default=os.environ.get("PROXY_API_KEY", ""))
    parser.add_argument("--base-url", default=EMBEDDED.get("base_url", ""))
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per try")
    parser.add_argument("--workers", type=int, default=32, help="tries at once")
    return parser.parse_args(argv)


def main(argv=None):
    options = arguments(argv)
    embedded, base_url = EMBEDDED, options.base_url.rstrip("/")
    if (options.refresh or options.report) and not (options.api_key and base_url):
        print("--refresh and --report need --api-key (or PROXY_API_KEY) and --base-url.",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    try:
        if options.refresh:
            embedded = refreshed(embedded, base_url, options.api_key)
        results = run_all(targets(embedded["entries"]), options.timeout, options.workers)
        print(json.dumps(results, indent=1) if options.json else table(results))
        if options.report:
            stored = report(embedded, base_url, options.api_key, results)
            print(f"Reported as #{stored['id']}.", file=sys.stderr)
    except (OSError, ValueError, KeyError) as error:
        detail = error.read().decode(errors="replace") if hasattr(error, "read") else ""
        print(f"Error: {error} {detail}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_BLOCKED if any(not item["reachable"] for item in results) else 0


if __name__ == "__main__":
    sys.exit(main())
