"""Peers for the probe to reach: TCP listeners and STUN responders (RFC 5389 Binding).

Standalone (standard library only): the network-namespace test runs it inside the
namespace as well as importing it.
"""

import socket
import struct
import threading

BINDING_REQUEST, BINDING_SUCCESS, MAGIC_COOKIE = 0x0001, 0x0101, 0x2112A442
XOR_MAPPED_ADDRESS = 0x0020


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def stun_answer(request: bytes, peer, *, transaction_id: bytes | None = None) -> bytes | None:
    """Return the Binding Success Response to ``request`` from ``peer``, with an
    XOR-MAPPED-ADDRESS; None for anything but a Binding Request. ``transaction_id``
    overrides the request's (a wrong answer, for tests)."""
    if len(request) < 20:
        return None
    kind, _, cookie = struct.unpack("!HHI", request[:8])
    if kind != BINDING_REQUEST or cookie != MAGIC_COOKIE:
        return None
    transaction = transaction_id or request[8:20]
    host, port = peer[0], peer[1]
    packed = socket.inet_pton(_family(host), host)
    mask = struct.pack("!I", MAGIC_COOKIE) + transaction
    xored = bytes(a ^ b for a, b in zip(packed, mask, strict=False))
    family = 0x01 if len(packed) == 4 else 0x02
    value = struct.pack("!BBH", 0, family, port ^ (MAGIC_COOKIE >> 16)) + xored
    attribute = struct.pack("!HH", XOR_MAPPED_ADDRESS, len(value)) + value
    header = struct.pack("!HHI", BINDING_SUCCESS, len(attribute), MAGIC_COOKIE)
    return header + transaction + attribute


def _serve_tcp(sock):
    while True:
        connection, _ = sock.accept()
        connection.close()


def _serve_stun(sock, mode: str):
    while True:
        data, peer = sock.recvfrom(2048)
        if mode == "echo":
            sock.sendto(data, peer)
            continue
        wrong = b"\x00" * 12 if mode == "wrong-transaction" else None
        answer = stun_answer(data, peer, transaction_id=wrong)
        if answer:
            sock.sendto(answer, peer)


def listen(address: str, protocol: str, port: int, *, mode: str = "stun") -> socket.socket:
    """Listen on ``address``:``port``: accept TCP connections, or answer UDP with ``mode``
    ``stun`` (Binding Success), ``wrong-transaction`` or ``echo`` (not STUN at all)."""
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(_family(address), kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    if protocol == "tcp":
        sock.listen(64)
        threading.Thread(target=_serve_tcp, args=(sock,), daemon=True).start()
    else:
        threading.Thread(target=_serve_stun, args=(sock, mode), daemon=True).start()
    return sock
