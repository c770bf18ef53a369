/* testkernel.h - the running kernel as an oracle: loading a program with
 * bpf(BPF_PROG_LOAD) at log level 2 (or as any program type), creating and
 * filling maps, BPF_PROG_TEST_RUN, the skip rule shared by the differential
 * tests, and their random number source. */
#ifndef STACKBPF_TESTKERNEL_H
#define STACKBPF_TESTKERNEL_H

#include <stdint.h>

#if defined(__linux__) && __has_include(<linux/bpf.h>)
#include <errno.h>
#include <bpf/btf.h>
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

static inline uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t below(uint64_t n) { return rnd() % n; }

/* Load n instructions (struct bpf_insn layout) as a program of `type`
 * (BPF_PROG_TYPE_*) with prog_flags `flags` (BPF_F_STRICT_ALIGNMENT, ...)
 * and a log of `level` into log[0..logsz) (level 0: log may be NULL); the
 * prog fd or -1 with errno. */
static inline int kernel_load_type(uint32_t type, uint32_t flags, const void *insns, int n, int level, char *log,
				   uint32_t logsz)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.prog_flags = flags;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	if (level && log && logsz) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = logsz;
		a.log_level = (uint32_t)level;
		log[0] = 0;
	}
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

/* BTF func_info for a program's subprograms (Linux wants it for bpf_loop
 * callbacks): every function static, `long f(long, ...)` with the given
 * parameter counts. Loads the BTF into the kernel; its fd (close it after
 * the program load) or -1. rec[] gets one (insn_off, type_id) per function. */
static inline int kernel_btf_funcs(const uint32_t *starts, const int *nparams, int nfuncs,
				   struct bpf_func_info *rec)
{
	struct btf *btf = btf__new_empty();
	if (!btf)
		return -1;
	int lng = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	for (int i = 0; i < nfuncs; i++) {
		char name[16];
		int proto = btf__add_func_proto(btf, lng);
		for (int a = 0; a < nparams[i]; a++)
			btf__add_func_param(btf, "a", lng);
		snprintf(name, sizeof(name), "f%d", i);
		rec[i].insn_off = starts[i];
		rec[i].type_id = (uint32_t)btf__add_func(btf, name, BTF_FUNC_STATIC, proto);
	}
	int fd = btf__load_into_kernel(btf) ? -1 : dup(btf__fd(btf));
	btf__free(btf);
	return fd;
}

/* Load with func_info (kernel_btf_funcs); as kernel_load_type otherwise. */
static inline int kernel_load_btf(uint32_t type, uint32_t flags, const void *insns, int n, int btf_fd,
				  const struct bpf_func_info *rec, int nrec, int level, char *log, uint32_t logsz)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.prog_flags = flags;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.prog_btf_fd = (uint32_t)btf_fd;
	a.func_info = (uint64_t)(uintptr_t)rec;
	a.func_info_cnt = (uint32_t)nrec;
	a.func_info_rec_size = sizeof(*rec);
	if (level && log && logsz) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = logsz;
		a.log_level = (uint32_t)level;
		log[0] = 0;
	}
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

/* Load n instructions as a socket filter with a level-2 log into
 * log[0..logsz); the prog fd or -1 with errno. */
static inline int kernel_load(const void *insns, int n, char *log, uint32_t logsz)
{
	return kernel_load_type(BPF_PROG_TYPE_SOCKET_FILTER, 0, insns, n, 2, log, logsz);
}

/* A map (BPF_MAP_TYPE_*, map_flags as BPF_F_RDONLY_PROG): its fd or -1 with errno. */
static inline int kernel_map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key;
	a.value_size = value;
	a.max_entries = max;
	a.map_flags = flags;
	return (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

/* BPF_MAP_FREEZE (what libbpf does to .rodata: a read-only map's values
 * become constants to the verifier): 0 or -1 with errno. */
static inline int kernel_map_freeze(int fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	return (int)syscall(__NR_bpf, BPF_MAP_FREEZE, &a, sizeof(a));
}

/* BPF_MAP_UPDATE_ELEM with BPF_ANY: 0 or -1 with errno. */
static inline int kernel_map_update(int fd, const void *key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	return (int)syscall(__NR_bpf, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

/* BPF_PROG_TEST_RUN once on `len` bytes of packet: 0 with *retval (and the
 * packet after the run in out[0..*out_len) when out is given), or -1 with
 * errno (the type cannot be test-run, the packet is too short, ...). */
static inline int kernel_test_run(int prog_fd, const void *data, uint32_t len, uint32_t *retval, void *out,
				  uint32_t *out_len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = len;
	if (out && out_len) {
		a.test.data_out = (uint64_t)(uintptr_t)out;
		a.test.data_size_out = *out_len;
	}
	a.test.repeat = 1;
	int r = (int)syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a));
	if (r == 0) {
		*retval = a.test.retval;
		if (out && out_len)
			*out_len = a.test.data_size_out;
	}
	return r;
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
