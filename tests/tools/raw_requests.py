#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sends malformed SealFS requests to a server, one per raw TCP connection
(tests/cluster/malformed.sh).

    raw_requests.py HOST:PORT VOLUME_ID

For every case of the table: connect, greet with a well-formed HELLO
(unless the case is about HELLO), send the bad bytes, then read until the
server closes the connection or 3 s pass. The case passes when every reply
carries one of the statuses the protocol documents for it (never OK) and
the server either closed the connection or answered with such a status;
then a PING on a new connection must be answered. Prints one line per
case; exits 1 if any failed.
"""
import socket
import struct
import sys

MAGIC = 0x4C414553
HDR = struct.Struct("<IHHIIQQII")  # magic version opcode flags len req_id epoch status reserved
OK, PERM, BADMSG, NOTSUPP, VERSION = 0, 1, 28, 19, 29
OP_HELLO, OP_PING, OP_LOOKUP, OP_CREATE, OP_WRITE = 1, 2, 32, 35, 65
OP_ENTRY_PREPARE, OP_TXN_FINISH, OP_TXN_QUERY = 96, 97, 98
OP_INODE_UPDATE, OP_DIR_FREEZE, OP_DIR_WALK = 99, 100, 101
MAX_PAYLOAD = (4 << 20) + 4096
ROLE_CLIENT = 1


def hdr(opcode, length, req_id=7, flags=0, version=1, magic=MAGIC, status=0,
        reserved=0, epoch=0):
    return HDR.pack(magic, version, opcode, flags, length, req_id, epoch, status,
                    reserved)


def msg(opcode, payload, **kw):
    return hdr(opcode, len(payload), **kw) + payload


def hello_body(role=ROLE_CLIENT, major=1, reserved1=0, max_payload=MAX_PAYLOAD):
    return struct.pack("<HHHHQQII", major, 0, role, 0, 0, 0, max_payload, reserved1)


def name_req(vol, name, parent=1, name_len=None, reserved=0):
    n = len(name) if name_len is None else name_len
    return struct.pack("<QIHH", parent, vol, n, reserved) + name


def create_req(vol, name, flags=0, mode=0o100644):
    return struct.pack("<QIIIIIIHHI", 1, vol, mode, 0, 0, 0, flags, len(name), 0, 0) + name


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        part = s.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def greet(s):
    s.sendall(msg(OP_HELLO, hello_body(), req_id=1))
    h = recv_exact(s, HDR.size)
    if h is None:
        raise RuntimeError("no HELLO reply")
    f = HDR.unpack(h)
    if f[0] != MAGIC or f[7] != OK:
        raise RuntimeError("HELLO refused: status %d" % f[7])
    if recv_exact(s, f[4]) is None:
        raise RuntimeError("short HELLO reply")


def outcome(s):
    """Reads replies until the server closes or 3 s pass: (statuses, closed)."""
    statuses, closed = [], False
    s.settimeout(3)
    try:
        while True:
            h = recv_exact(s, HDR.size)
            if h is None:
                closed = True
                break
            f = HDR.unpack(h)
            statuses.append(f[7])
            if recv_exact(s, f[4]) is None:
                closed = True
                break
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    return statuses, closed


def ping(addr):
    with socket.create_connection(addr, timeout=5) as s:
        greet(s)
        s.sendall(msg(OP_PING, b"", req_id=2))
        h = recv_exact(s, HDR.size)
        return h is not None and HDR.unpack(h)[7] == OK


def cases(vol):
    ok_lookup = name_req(vol, b"x")
    # (name, greet first, bytes, statuses allowed, must close)
    return [
        ("bad magic", True, msg(OP_LOOKUP, ok_lookup, magic=0x12345678), {BADMSG}, True),
        ("bad version", True, msg(OP_LOOKUP, ok_lookup, version=2), {VERSION}, True),
        ("oversized len", True, hdr(OP_WRITE, MAX_PAYLOAD + 1) + b"\0" * 64, {BADMSG}, True),
        ("stream ends inside the body", True, hdr(OP_LOOKUP, 64) + ok_lookup, set(), True),
        ("truncated fixed body", True, msg(OP_LOOKUP, ok_lookup[:8]), {BADMSG}, False),
        ("header reserved set", True, msg(OP_LOOKUP, ok_lookup, reserved=1), {BADMSG}, False),
        ("unknown header flag", True, msg(OP_LOOKUP, ok_lookup, flags=0x4), {BADMSG}, False),
        ("request with a status", True, msg(OP_LOOKUP, ok_lookup, status=2), {BADMSG}, False),
        ("request with the reply flag", True, msg(OP_LOOKUP, ok_lookup, flags=1), set(), True),
        ("body reserved set", True, msg(OP_LOOKUP, name_req(vol, b"x", reserved=1)), {BADMSG}, False),
        ("unknown CREATE flag", True, msg(OP_CREATE, create_req(vol, b"y", flags=0x80)), {BADMSG}, False),
        ("name with '/'", True, msg(OP_LOOKUP, name_req(vol, b"a/b")), {BADMSG}, False),
        ("name with NUL", True, msg(OP_LOOKUP, name_req(vol, b"a\0b")), {BADMSG}, False),
        ("name '..'", True, msg(OP_LOOKUP, name_req(vol, b"..")), {BADMSG}, False),
        ("empty name", True, msg(OP_LOOKUP, name_req(vol, b"")), {BADMSG}, False),
        ("name too long", True, msg(OP_CREATE, create_req(vol, b"n" * 256)), {BADMSG}, False),
        ("name_len past the payload", True,
         msg(OP_LOOKUP, name_req(vol, b"abc", name_len=200)), {BADMSG}, False),
        ("bytes after the name", True, msg(OP_LOOKUP, ok_lookup + b"zz"), {BADMSG}, False),
        ("unknown opcode", True, msg(77, b""), {NOTSUPP}, False),
        ("opcode out of range", True, msg(0xFFFF, b""), {NOTSUPP}, False),
        ("request before HELLO", False, msg(OP_LOOKUP, ok_lookup), {BADMSG}, True),
        ("HELLO of another major", False, msg(OP_HELLO, hello_body(major=2)), {VERSION}, True),
        ("HELLO with reserved set", False, msg(OP_HELLO, hello_body(reserved1=1)), {BADMSG}, True),
        ("second HELLO", True, msg(OP_HELLO, hello_body()), {BADMSG}, True),
        ("garbage", False, b"\x5a" * 64, {BADMSG}, True),
        # server-to-server messages on a client's session: PERM
        ("ENTRY_PREPARE from a client", True,
         msg(OP_ENTRY_PREPARE, struct.pack("<QQQIIIHH", 1 << 40 | 1, 1, 99, vol,
                                           0o100000, 0, 1, 0) + b"p"), {PERM}, False),
        ("TXN_FINISH from a client", True,
         msg(OP_TXN_FINISH, struct.pack("<QIIII", 1 << 40 | 1, vol, 2, 1, 0)), {PERM}, False),
        ("TXN_QUERY from a client", True,
         msg(OP_TXN_QUERY, struct.pack("<QIIII", 1 << 40 | 1, vol, 0, 1, 0)), {PERM}, False),
        ("INODE_UPDATE from a client", True,
         msg(OP_INODE_UPDATE, struct.pack("<QQQIIiI", 1, 0, 0, vol, 1, 1, 0)), {PERM}, False),
        ("DIR_FREEZE from a client", True,
         msg(OP_DIR_FREEZE, struct.pack("<QQII", 1 << 40 | 1, 1, vol, 1)), {PERM}, False),
        ("DIR_WALK from a client", True,
         msg(OP_DIR_WALK, struct.pack("<QQQII", 1, 0, 1 << 40 | 1, vol, 1)), {PERM}, False),
    ]


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    addr = (host, int(port))
    vol = int(sys.argv[2])
    failed = 0
    for name, hello, data, allowed, must_close in cases(vol):
        why = ""
        try:
            with socket.create_connection(addr, timeout=5) as s:
                if hello:
                    greet(s)
                s.sendall(data)
                if name == "stream ends inside the body":
                    s.shutdown(socket.SHUT_WR)
                statuses, closed = outcome(s)
        except (OSError, RuntimeError) as e:
            statuses, closed, why = [], False, "error: %s" % e
        bad = [st for st in statuses if st not in allowed]
        if not why and bad:
            why = "answered status %s, expected one of %s" % (bad, sorted(allowed))
        elif not why and must_close and not closed:
            why = "connection not closed"
        elif not why and not closed and not statuses:
            why = "neither answered nor closed"
        if not why:
            try:
                if not ping(addr):
                    why = "PING on a new connection not answered OK"
            except (OSError, RuntimeError) as e:
                why = "PING on a new connection: %s" % e
        print("%-40s %s (statuses %s, %s)" % (name, "FAIL: " + why if why else "ok",
                                              statuses, "closed" if closed else "open"))
        failed += bool(why)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
