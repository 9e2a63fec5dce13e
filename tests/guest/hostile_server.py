#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# A hostile SealFS server for tests/guest/hostile.sh: answers as the
# manager (HELLO, MAP_GET naming itself as the only server and a volume
# "vol1") and as that server (GETATTR of the root, STATFS, READDIR), and
# answers LOOKUP according to the looked-up name with a well-formed or a
# deliberately broken reply:
#
#   ok          a well-formed reply: regular file, inode 2
#   badstatus   a status the protocol does not define
#   shortbody   status OK with a body shorter than the opcode's
#   badmagic    a header with a wrong magic
#   hugelen     a header announcing a payload beyond the limit
#   closemid    half a reply, then the connection closes
#   unknownid   a reply for a request id never sent, then the real one
#   dup         the reply twice
#   badtype     attributes without a file type
#   silent      no reply at all
#   wrongop     a reply carrying another opcode
#
#   hostile_server.py PORT
import socket
import struct
import sys
import threading

MAGIC = 0x4C414553
HDR = struct.Struct("<IHHIIQQII")
OP_HELLO, OP_MAP_GET, OP_LOOKUP, OP_GETATTR = 1, 3, 32, 33
OP_READDIR, OP_STATFS = 42, 43
HF_REPLY = 1
EPOCH = 7


def hdr(op, length, req_id, status=0, magic=MAGIC):
    return HDR.pack(magic, 1, op, HF_REPLY, length, req_id, EPOCH, status, 0)


def attr(ino, mode):
    return struct.pack("<7Q10I", ino, 0, 0, 1, 0, 0, 0, 0, 0, 0, mode, 1, 0, 0, 0, 1, 0)


def rec(kind, body):
    data = struct.pack("<HHI", kind, 0, 0) + body
    data += b"\0" * (-len(data) % 8)
    return data[:4] + struct.pack("<I", len(data)) + data[8:]


def map_reply(port):
    addr = struct.pack("<HHI16s", 4, port, 0, socket.inet_aton("127.0.0.1"))
    none = struct.pack("<HHI16s", 0, 0, 0, b"")
    server = struct.pack("<IIII16s", 1, 100, 1, 0, b"\1" * 16) + addr + none
    name = b"vol1"
    volume = struct.pack("<IIQQIHH", 1, 1 << 20, 0, 0, 1, len(name), 0) + name
    recs = rec(2, server) + rec(3, volume)
    return struct.pack("<QII", EPOCH, 2, 0) + recs


AGAIN_SEEN = {}


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError
        data += chunk
    return data


def serve(conn, port):
    while True:
        _, _, op, _, length, req_id, _, _, _ = HDR.unpack(recv_exact(conn, HDR.size))
        payload = recv_exact(conn, length)
        if op == OP_HELLO:
            body = struct.pack("<HHHHQQII", 1, 0, 2, 0, 7, 42, 1 << 22, 1)
        elif op == OP_MAP_GET:
            body = map_reply(port)
        elif op == OP_GETATTR:
            ino = struct.unpack_from("<Q", payload)[0]
            body = attr(ino, 0o40755 if ino == 1 else 0o100644)
        elif op == OP_STATFS:
            body = struct.pack("<6Q", 1 << 30, 1 << 29, 1000, 500, 0, 0)
        elif op == OP_READDIR:
            body = struct.pack("<II", 0, 1)
        elif op == OP_LOOKUP:
            name = payload[16:].decode()
            good = struct.pack("<II", 1, 0) + attr(2, 0o100644)
            if name == "ok":
                body = good
            elif name == "badstatus":
                conn.sendall(hdr(op, 0, req_id, status=9999))
                continue
            elif name == "shortbody":
                body = good[:8]
            elif name == "badmagic":
                conn.sendall(hdr(op, len(good), req_id, magic=0x12345678) + good)
                continue
            elif name == "hugelen":
                conn.sendall(hdr(op, 0x7FFFFFF0, req_id))
                continue
            elif name == "closemid":
                conn.sendall(hdr(op, len(good), req_id) + good[:50])
                conn.close()
                return
            elif name == "unknownid":
                conn.sendall(hdr(op, len(good), req_id + 1000) + good)
                body = good
            elif name == "dup":
                conn.sendall(hdr(op, len(good), req_id) + good)
                body = good
            elif name == "badtype":
                body = struct.pack("<II", 1, 0) + attr(3, 0o644)
            elif name == "silent":
                continue
            elif name.startswith("again"):
                # AGAIN ("again3": the first three times, "againever":
                # always); a retry must come with a new request id.
                seen = AGAIN_SEEN.setdefault(name, set())
                if req_id in seen:
                    conn.sendall(hdr(op, 0, req_id, status=9999))
                    continue
                seen.add(req_id)
                if name == "againever" or len(seen) <= 3:
                    conn.sendall(hdr(op, 0, req_id, status=21))  # AGAIN
                    continue
                body = good
            elif name == "wrongop":
                conn.sendall(hdr(OP_GETATTR, 96, req_id) + attr(2, 0o100644))
                continue
            else:
                conn.sendall(hdr(op, 0, req_id, status=2))  # NOENT
                continue
        else:
            conn.sendall(hdr(op, 0, req_id, status=19))  # NOTSUPP
            continue
        conn.sendall(hdr(op, len(body), req_id) + body)


def handle(conn, port):
    try:
        serve(conn, port)
    except (ConnectionError, OSError):
        pass
    finally:
        conn.close()


def main():
    port = int(sys.argv[1])
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(16)
    print("listening", flush=True)
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=handle, args=(conn, port), daemon=True).start()


if __name__ == "__main__":
    main()
