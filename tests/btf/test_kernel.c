/* test_kernel.c - the objects `btf fix` writes still load in the running
 * kernel through libbpf (BTF, func_info and every program verified), as the
 * inputs do. None of the fixtures uses stack arguments; uretprobe programs
 * load without being attached. Exits 77 where bpf() is not permitted. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

static const char *names[] = { "alloc_exit", "mid_dead", "two_dead", "const_arg", "clean5", "all_kept" };

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* libbpf open + load; the number of programs loaded, or -errno */
static int libbpf_load(const char *path)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	if (!o)
		return -errno;
	int r = bpf_object__load(o);
	int n = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, o)
		n += bpf_program__fd(p) >= 0;
	bpf_object__close(o);
	return r ? r : n;
}

int main(void)
{
	if (!BTF_FIXTURES[0]) {
		printf("clang cannot target bpf: skipped\n");
		return 77;
	}
	static const struct bpf_insn ret0[2] = { { .code = 0xb7 }, { .code = 0x95 } };
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", ret0, 2, NULL);
	if (fd < 0) {
		printf("bpf(BPF_PROG_LOAD) not permitted here (errno %d): skipped\n", errno);
		return 77;
	}
	close(fd);
	char t_dir[] = "/tmp/stackbpf-btfk-XXXXXX";
	if (!mkdtemp(t_dir))
		return 1;
	libbpf_set_print(quiet);
	struct stackbpf_host *host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, ho);
	if (!host || stackbpf_host__add_linux_helpers(host, &ho))
		return 1;
	int loaded = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char in[512], out[256];
		snprintf(in, sizeof(in), "%s/%s.bpf.o", BTF_FIXTURES, names[i]);
		snprintf(out, sizeof(out), "%s/%s.fixed.o", t_dir, names[i]);
		STACKBPF_OPTS(stackbpf_object_opts, oo, .host = host);
		struct stackbpf_object *obj = stackbpf_object__open(in, &oo);
		T_OK(obj, "open %s", names[i]);
		if (!obj)
			continue;
		T_EQ_U64(stackbpf_object__fix_btf(obj, out, NULL, NULL), 0, names[i]);
		size_t nprogs = stackbpf_object__prog_cnt(obj);
		stackbpf_object__close(obj);
		int a = libbpf_load(in), b = libbpf_load(out);
		T_OK(a == (int)nprogs, "%s: the input loads (%d of %zu programs)", names[i], a, nprogs);
		T_OK(b == (int)nprogs, "%s: the fixed object loads (%d of %zu programs)", names[i], b, nprogs);
		loaded += b > 0 ? b : 0;
	}
	T_EQ_U64(loaded, 12, "programs of the fixed objects loaded by the kernel");
	stackbpf_host__free(host);
	return t_done();
}
