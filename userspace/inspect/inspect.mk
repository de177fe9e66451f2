# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The inspector, build/pptp-ng (included by the top Makefile), and its
# sanitizer build build/inspect-asan/pptp-ng for tests/inspect/.

#
# offline/: captures (pcap, explain); live/: the running firewall (show,
# doctor, the nft checks, pptp-ngd's JSON); main.c and out.c serve both.
# Only offline/ is fuzzed: live/ reads the kernel and the daemon.

INSP_OFFLINE_SRCS := $(wildcard userspace/inspect/offline/*.c)
INSP_LIVE_SRCS	:= $(wildcard userspace/inspect/live/*.c)
INSP_COMMON_SRCS := userspace/inspect/out.c
INSP_SRCS	:= $(INSP_OFFLINE_SRCS) $(INSP_LIVE_SRCS) $(INSP_COMMON_SRCS) userspace/inspect/main.c
INSP_HDRS	:= $(wildcard userspace/inspect/*.h userspace/inspect/*/*.h)
INSP_OBJS	:= $(patsubst userspace/inspect/%.c,$(B)/inspect/%.o,$(INSP_SRCS))
INSP_BIN	:= $(B)/pptp-ng
INSP_ASAN	:= $(B)/inspect-asan/pptp-ng
INSP_LIBS	:= -lpcap $(shell pkg-config --libs libnetfilter_conntrack 2>/dev/null || echo -lnetfilter_conntrack)
INSP_INC	:= -Iuserspace/inspect
INSP_ASAN_CFLAGS := -std=c11 -D_GNU_SOURCE $(PPTP_WARN) -Iinclude $(INSP_INC) -g -O1 \
		   -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

$(B)/inspect/%.o: userspace/inspect/%.c $(INSP_HDRS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(INSP_INC) -c -o $@ $<

$(INSP_BIN): $(INSP_OBJS) $(CORE_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(INSP_OBJS) $(CORE_LIB) $(INSP_LIBS)

# The core is compiled in so it runs under the sanitizers too.
$(INSP_ASAN): $(INSP_SRCS) $(INSP_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(INSP_ASAN_CFLAGS) -o $@ $(INSP_SRCS) $(CORE_SRCS) $(INSP_LIBS)

BINS		+= $(INSP_BIN)

.PHONY: inspect-asan
inspect-asan: $(INSP_ASAN)

# libFuzzer over the capture readers and every decoder (clang only, not
# part of `make all`): `make inspect-fuzz INSP_FUZZ_TIME=60`.
INSP_FUZZ	:= $(B)/inspect-fuzz/fuzz-pcap
INSP_FUZZ_TIME	?= 60
INSP_FUZZ_SRCS	:= $(INSP_OFFLINE_SRCS) $(INSP_COMMON_SRCS)

$(INSP_FUZZ): tests/inspect/fuzz_pcap.c $(INSP_FUZZ_SRCS) $(INSP_HDRS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(INSP_INC) -o $@ tests/inspect/fuzz_pcap.c $(INSP_FUZZ_SRCS) \
		$(CORE_SRCS) -lpcap

.PHONY: inspect-fuzz
inspect-fuzz: $(INSP_FUZZ)
	@mkdir -p $(B)/inspect-fuzz/corpus $(B)/inspect-fuzz/artifacts
	$(INSP_FUZZ) -max_total_time=$(INSP_FUZZ_TIME) -max_len=16384 -timeout=10 \
		-error_exitcode=1 -timeout_exitcode=1 \
		-artifact_prefix=$(B)/inspect-fuzz/artifacts/ \
		$(B)/inspect-fuzz/corpus tests/data
