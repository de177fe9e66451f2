# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Helpers for the end-to-end tests (tests/e2e/) with real PPTP peers:
# fake-pppd, the "pppd" pptpd launches, which echoes PPP frames, and
# pptp-echo, which drives a pptp client and checks the echoes.  libc only.

TOOLS_HDLC	:= tests/tools/hdlc.c tests/tools/hdlc.h

$(B)/tests/fake-pppd: tests/tools/fake_pppd.c $(TOOLS_HDLC)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -o $@ tests/tools/fake_pppd.c tests/tools/hdlc.c

$(B)/tests/pptp-echo: tests/tools/pptp_echo.c $(TOOLS_HDLC)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -o $@ tests/tools/pptp_echo.c tests/tools/hdlc.c

# pptp-attack, forged packets for the hostile-traffic suite (tests/lib/attacks.sh).
$(B)/tests/pptp-attack: tests/tools/pptp_attack.c include/pptp_ng/wire.h
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -o $@ tests/tools/pptp_attack.c

# pptp-fuzzpkt, the core fuzzer's scripts as packets through a face (tests/lib/fuzzpkt.sh).
$(B)/tests/pptp-fuzzpkt: tests/tools/pptp_fuzzpkt.c include/pptp_ng/wire.h tests/fuzz/script.h
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -o $@ tests/tools/pptp_fuzzpkt.c

# pptp-replay, a capture's PPTP through a real firewall (tests/parity/).
$(B)/tests/pptp-replay: tests/tools/pptp_replay.c
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -o $@ tests/tools/pptp_replay.c

BINS		+= $(B)/tests/fake-pppd $(B)/tests/pptp-echo $(B)/tests/pptp-attack \
		   $(B)/tests/pptp-fuzzpkt $(B)/tests/pptp-replay $(B)/tests/nfq-hold

# nfq-hold, NFQUEUE that accepts each packet a while later (row 20-first-packets).
$(B)/tests/nfq-hold: tests/tools/nfq_hold.c
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(shell pkg-config --cflags libmnl libnetfilter_queue) -o $@ \
		tests/tools/nfq_hold.c $(shell pkg-config --libs libmnl libnetfilter_queue)
