// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libFuzzer target for the inspector: the input is a capture file, read
 * by libpcap (pcap or pcapng) and by the inspector's own pcapng reader,
 * decoded (link layers, IP, TCP streams through the shared core, GRE,
 * PPP) and printed as JSON and as a tree.  Built by `make inspect-fuzz`;
 * tests/inspect/fuzz.test runs it briefly over tests/data/ and the public
 * captures.  The hold budget is a few KiB, picked by the input's size,
 * so that inputs this small give gaps up to it too.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include "../../userspace/inspect/inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void start(struct insp_capture *cap, size_t size)
{
	memset(cap, 0, sizeof(*cap));
	cap->file = "fuzz";
	cap->max_held_set = 1;
	cap->max_held = size * 2654435761u % 8192;
}

static void report(struct insp_capture *cap)
{
	insp_json(devnull, &cap, 1);
	insp_tree(devnull, &cap, 1);
	insp_capture_free(cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	struct insp_capture cap;
	pcap_t *pc;
	FILE *f;

	if (!size)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	start(&cap, size);
	pc = pcap_fopen_offline(f, err);
	if (pc) {
		if (insp_read_pcap(&cap, pc, err, sizeof(err)) >= 0)
			insp_capture_end(&cap);
		pcap_close(pc);		/* closes f */
	} else {
		fclose(f);
	}
	report(&cap);

	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	start(&cap, size);
	insp_read_pcapng_fp(&cap, f, err, sizeof(err));
	fclose(f);
	report(&cap);
	return 0;
}
