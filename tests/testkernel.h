/* testkernel.h - the running kernel as an oracle: loading a program with
 * bpf(BPF_PROG_LOAD) at log level 2, the skip rule shared by the
 * differential tests, and their random number source. */
#ifndef STACKBPF_TESTKERNEL_H
#define STACKBPF_TESTKERNEL_H

#include <stdint.h>

#if defined(__linux__) && __has_include(<linux/bpf.h>)
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#define HAVE_BPF 1

/* xorshift64*: seeded by the test (argv or a constant), never 0 */
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n) { return rnd() % n; }

/* Load n instructions (struct bpf_insn layout) as a socket filter with a
 * level-2 log into log[0..logsz); the prog fd or -1 with errno. */
static int kernel_load(const void *insns, int n, char *log, uint32_t logsz)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = logsz;
	a.log_level = 2;
	log[0] = 0;
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

/* 0 when the kernel can serve as the oracle: a 6.18.y kernel (the one our
 * verifier follows; STACKBPF_KERNEL_DIFF=1 forces another) that lets us
 * load a program. Otherwise prints why and returns 77 (skip). */
static int kernel_oracle_skip(void)
{
	static const uint64_t ret0[2] = { 0xb7, 0x95 };   /* r0 = 0; exit */
	static char log[4096];
	const char *force = getenv("STACKBPF_KERNEL_DIFF");
	struct utsname un;
	if (uname(&un) == 0 && strncmp(un.release, "6.18.", 5) && !(force && *force == '1')) {
		printf("kernel %s is not 6.18.y (STACKBPF_KERNEL_DIFF=1 runs anyway): skipped\n", un.release);
		return 77;
	}
	int fd = kernel_load(ret0, 2, log, sizeof(log));
	if (fd < 0) {
		printf("bpf(BPF_PROG_LOAD) not permitted here (errno %d): skipped\n", errno);
		return 77;
	}
	close(fd);
	return 0;
}
#endif

#endif
