#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# fake_ngd.py SOCKET DOC: stand in for pptp-ngd's control socket.  Every
# connection to the Unix socket SOCKET gets the bytes file DOC holds at
# that moment, then the socket closes, as pptp-ngd does with its status
# document; while a file DOC.hold exists it stays open instead, as a
# daemon that never finishes.  Prints "ready" once listening; runs until
# killed.
#
# fake_ngd.py --nest N OUT: write a status document nested N containers
# deep (objects inside arrays inside objects...) to OUT.

import os
import socket
import sys


def nested(n):
    """N containers, alternately objects and arrays, a number innermost."""
    head, tail = [], []
    for i in range(n):
        if i % 2:
            head.append("[")
            tail.append("]")
        else:
            head.append('{"d%d":' % i)
            tail.append("}")
    return "".join(head) + "1" + "".join(reversed(tail))


def serve(path, doc):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    print("ready", flush=True)
    held = []
    while True:
        c, _ = s.accept()
        try:
            with open(doc, "rb") as f:
                c.sendall(f.read())
        except OSError:
            pass
        if os.path.exists(doc + ".hold"):
            held.append(c)
        else:
            c.close()


if sys.argv[1] == "--nest":
    with open(sys.argv[3], "w") as f:
        f.write(nested(int(sys.argv[2])))
else:
    serve(sys.argv[1], sys.argv[2])
