/* kernel.c - the bench's Linux engine: loads a program with bpf(BPF_PROG_LOAD)
 * and times it with BPF_PROG_TEST_RUN, so Linux's JIT can stand beside ours.
 *
 * The kernel variants of the workloads (progs/kernel/NAME.s) reach their
 * memory through two array maps of one element each, named in the program as
 * map values (ld_imm64 src 2, imm = map index, patched here into the map fd):
 *   map 0 "data"   the 4 KiB input buffer (the r1 memory of our engines);
 *   map 1 "params" eight u64: loop bounds the verifier must not know
 *                  (see the .s files), a scratch slot, and in [7] the
 *                  program's 64-bit result (the test-run retval is 32 bits).
 * The program is a socket filter run on a 64-byte dummy packet; the kernel
 * reports the mean in-kernel duration of `repeat` runs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#if defined(__linux__) && __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#include <sys/syscall.h>
#define HAVE_BPF 1
#endif

#ifdef HAVE_BPF

struct kbench {
	int data_fd, params_fd;
	uint8_t *data_val;        /* BENCH_BUF_SIZE bytes, for map updates */
};

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int map_create(uint32_t value_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = value_size;
	a.max_entries = 1;
	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int map_rw(int fd, void *value, bool write)
{
	union bpf_attr a;
	uint32_t key = 0;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)value;
	return sys_bpf(write ? BPF_MAP_UPDATE_ELEM : BPF_MAP_LOOKUP_ELEM, &a) ? -errno : 0;
}

int kbench_open(struct kbench **out, char *why, size_t whysz)
{
	struct kbench *k = calloc(1, sizeof(*k));

	*out = NULL;
	if (!k) {
		snprintf(why, whysz, "out of memory");
		return -ENOMEM;
	}
	k->data_fd = map_create(BENCH_BUF_SIZE);
	k->params_fd = k->data_fd >= 0 ? map_create(sizeof(uint64_t) * KB_PARAMS) : -1;
	if (k->data_fd < 0 || k->params_fd < 0) {
		int err = errno;

		snprintf(why, whysz, "bpf() not permitted: %s", strerror(err));
		kbench_close(k);
		return -err;
	}
	*out = k;
	return 0;
}

void kbench_close(struct kbench *k)
{
	if (!k)
		return;
	if (k->data_fd >= 0)
		close(k->data_fd);
	if (k->params_fd >= 0)
		close(k->params_fd);
	free(k);
}

int kbench_load(struct kbench *k, const struct stackbpf_insn *insns, size_t cnt, double *load_us,
		uint64_t *processed, char *why, size_t whysz)
{
	struct stackbpf_insn *code = malloc(cnt * sizeof(*code));
	static char log[1 << 16];
	union bpf_attr a;
	double t;
	int fd;

	if (!code) {
		snprintf(why, whysz, "out of memory");
		return -ENOMEM;
	}
	memcpy(code, insns, cnt * sizeof(*code));
	for (size_t i = 0; i + 1 < cnt; i++) {
		if (code[i].code != 0x18)
			continue;
		if (code[i].src == BPF_PSEUDO_MAP_VALUE || code[i].src == BPF_PSEUDO_MAP_FD) {
			if (code[i].imm < 0 || code[i].imm > 1) {
				snprintf(why, whysz, "insn %zu: map %d (the kernel variants have maps 0 and 1)", i,
					 code[i].imm);
				free(code);
				return -EINVAL;
			}
			code[i].imm = code[i].imm ? k->params_fd : k->data_fd;
		}
		i++;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)code;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	t = bench_now_ns(BENCH_CLOCK_WALL);
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (load_us)
		*load_us = (bench_now_ns(BENCH_CLOCK_WALL) - t) / 1e3;
	if (fd < 0) {
		/* again with a log, for the reason */
		int err = errno;
		char *last, *p;

		log[0] = '\0';
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
		if (fd >= 0)
			close(fd);
		/* the last non-empty log line */
		for (p = log + strlen(log); p > log && p[-1] == '\n'; p--)
			p[-1] = '\0';
		last = strrchr(log, '\n');
		snprintf(why, whysz, "BPF_PROG_LOAD: %s%s%s", strerror(err), log[0] ? ": " : "",
			 last ? last + 1 : log);
		free(code);
		return -err;
	}
	if (processed) {
		/* again with the statistics line: "processed N insns (limit ...) ..." */
		int fd2;

		log[0] = '\0';
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 4;   /* BPF_LOG_STATS */
		fd2 = (int)sys_bpf(BPF_PROG_LOAD, &a);
		if (fd2 >= 0)
			close(fd2);
		const char *p = strstr(log, "processed ");
		unsigned long long n = 0;

		*processed = p && sscanf(p, "processed %llu insns", &n) == 1 ? n : 0;
	}
	free(code);
	return fd;
}

int kbench_set_data(struct kbench *k, const uint8_t *buf)
{
	return map_rw(k->data_fd, (void *)(uintptr_t)buf, true);
}

int kbench_get_data(struct kbench *k, uint8_t *buf)
{
	return map_rw(k->data_fd, buf, false);
}

int kbench_set_params(struct kbench *k, const uint64_t *params)
{
	return map_rw(k->params_fd, (void *)(uintptr_t)params, true);
}

int kbench_get_params(struct kbench *k, uint64_t *params)
{
	return map_rw(k->params_fd, params, false);
}

int kbench_run(struct kbench *k, int prog_fd, uint32_t repeat, double *ns_per_run)
{
	static uint8_t pkt[64];   /* a dummy packet: the programs ignore it */
	union bpf_attr a;

	(void)k;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = repeat;
	if (sys_bpf(BPF_PROG_TEST_RUN, &a))
		return -errno;
	*ns_per_run = (double)a.test.duration;
	return 0;
}

#else /* !HAVE_BPF */

int kbench_open(struct kbench **out, char *why, size_t whysz)
{
	*out = NULL;
	snprintf(why, whysz, "bpf() not permitted: not built for Linux");
	return -ENOSYS;
}

void kbench_close(struct kbench *k)
{
	(void)k;
}

int kbench_load(struct kbench *k, const struct stackbpf_insn *insns, size_t cnt, double *load_us,
		uint64_t *processed, char *why, size_t whysz)
{
	(void)k, (void)insns, (void)cnt, (void)load_us, (void)processed;
	snprintf(why, whysz, "bpf() not permitted");
	return -ENOSYS;
}

int kbench_set_data(struct kbench *k, const uint8_t *buf)
{
	(void)k, (void)buf;
	return -ENOSYS;
}

int kbench_get_data(struct kbench *k, uint8_t *buf)
{
	(void)k, (void)buf;
	return -ENOSYS;
}

int kbench_set_params(struct kbench *k, const uint64_t *params)
{
	(void)k, (void)params;
	return -ENOSYS;
}

int kbench_get_params(struct kbench *k, uint64_t *params)
{
	(void)k, (void)params;
	return -ENOSYS;
}

int kbench_run(struct kbench *k, int prog_fd, uint32_t repeat, double *ns_per_run)
{
	(void)k, (void)prog_fd, (void)repeat, (void)ns_per_run;
	return -ENOSYS;
}

#endif
