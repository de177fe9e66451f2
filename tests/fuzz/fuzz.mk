# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Fuzzing the shared core (included by the top Makefile).
#
#   make fuzz [FUZZ_TIME=300]   build build/fuzz/fuzz-core and fuzz for FUZZ_TIME s
#   make fuzz-smoke             the same for 30 s (tests/fuzz/smoke.test)
#   make fuzz-seeds             regenerate the committed seeds, tests/fuzz/corpus/
#
# The fuzzer needs clang's libFuzzer, so it is not part of `make all`; the
# seed generator is plain C and is.  New inputs go to build/fuzz/corpus,
# which libFuzzer lists first; the committed seeds are only read.  Crashes
# land in build/fuzz/artifacts/: replay one with build/fuzz/fuzz-core FILE,
# PPTP_FUZZ_TRACE=1 to see every event.  FUZZ_ARGS adds libFuzzer options
# (-fork=2, -seed=N, ...).

FUZZ_CC		?= clang
FUZZ_TIME	?= 300
FUZZ_ARGS	?=
FUZZ_DIR	:= $(B)/fuzz
FUZZ_BIN	:= $(FUZZ_DIR)/fuzz-core
FUZZ_SEEDS	:= tests/fuzz/corpus
FUZZ_GEN	:= $(B)/tests/fuzz-gen-seeds
FUZZ_CFLAGS	:= -std=c11 -D_GNU_SOURCE $(PPTP_WARN) -Iinclude -g -O1 \
		   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

BINS		+= $(FUZZ_GEN)

$(FUZZ_GEN): tests/fuzz/gen_seeds.c tests/fuzz/script.h $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -o $@ tests/fuzz/gen_seeds.c $(CORE_LIB)

# The core is compiled in directly so it gets the sanitizers and coverage too.
$(FUZZ_BIN): tests/fuzz/fuzz_core.c tests/fuzz/script.h $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_core.c $(CORE_SRCS)

# $(call fuzz_run,SECONDS): fail (exit 1) on any finding, crash or timeout.
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(FUZZ_BIN) -max_total_time=$(1) -max_len=4096 -timeout=10 \
		-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		-dict=tests/fuzz/pptp.dict -artifact_prefix=$(FUZZ_DIR)/artifacts/ \
		$(FUZZ_ARGS) $(FUZZ_DIR)/corpus $(FUZZ_SEEDS) || { \
		echo "fuzz: findings in $(FUZZ_DIR)/artifacts/:" >&2; \
		ls -l $(FUZZ_DIR)/artifacts/ >&2; exit 1; }
endef

# The faces under the packet-level fuzzer (tests/lib/fuzzpkt.sh) for
# longer than CI runs it (100,000 packets a face): the nfqueue daemon on
# this machine, then the module and the cthelper daemon in QEMU.
FUZZ_SEGMENTS	?= 2000000
.PHONY: fuzz-faces
fuzz-faces: all
	FUZZ_SEGMENTS=$(FUZZ_SEGMENTS) tests/daemon/fuzzpkt.test
	FUZZ_SEGMENTS=$(FUZZ_SEGMENTS) SCENARIO_TIMEOUT=$$(( $(FUZZ_SEGMENTS) / 200 + 300 )) \
		VM_TIMEOUT=$$(( $(FUZZ_SEGMENTS) / 50 + 600 )) tests/kernel/faces.test 15-fuzz-packets

.PHONY: fuzz fuzz-smoke fuzz-seeds
fuzz: deps $(FUZZ_BIN)
	$(call fuzz_run,$(FUZZ_TIME))

fuzz-smoke: $(FUZZ_BIN)
	$(call fuzz_run,30)

# Regenerate the committed seeds (remove the old ones first, names may change).
fuzz-seeds: $(FUZZ_GEN)
	@mkdir -p $(FUZZ_SEEDS)
	rm -f $(FUZZ_SEEDS)/[0-9][0-9]-*
	$(FUZZ_GEN) $(FUZZ_SEEDS)
