# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/ha/probe.sh's TCP continuity check: one TCP connection that stays
# open across the failover.
#   python3 tcpecho.py server ADDR PORT       echo what arrives, until EOF
#   python3 tcpecho.py client ADDR PORT BIND GO
#       connect from BIND, send "before" and read it back, wait until the
#       file GO exists, then send "after": exit 0 when it comes back in 5 s
import os
import socket
import sys
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    c, _ = s.accept()
    while True:
        d = c.recv(100)
        if not d:
            break
        c.sendall(d)
    sys.exit(0)

bind, go = sys.argv[4], sys.argv[5]
c = socket.create_connection((addr, port), timeout=5, source_address=(bind, 0))
for word, wait in ((b"before\n", False), (b"after\n", True)):
    while wait and not os.path.exists(go):
        time.sleep(0.1)
    c.sendall(word)
    try:
        got = c.recv(100)
    except socket.timeout:
        got = b""
    print("tcpecho: sent %r, got %r" % (word, got), flush=True)
    if got != word:
        sys.exit(1)
sys.exit(0)
