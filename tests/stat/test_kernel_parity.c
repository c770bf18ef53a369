/* test_kernel_parity.c - objects against the running kernel: every example
 * (examples/NAME.bpf.c) and tests/obj fixture object (clang 14, and clang-22
 * -mcpu=v4 when installed) that stackbpf loads without
 * extensions (no __ksym host functions, no r11 stack arguments) is also loaded
 * into the kernel through libbpf, one program at a time (as veristat does).
 * Checked: `stackbpf verify --prog` gives the kernel's verdict; the source
 * lines ("; ... @ file.c:N") of the level-2 logs are the same (their order,
 * which follows the explored paths, is counted, not required); and for
 * socket/tc/xdp programs accepted by both, BPF_PROG_TEST_RUN on a few
 * Ethernet frames returns what `stackbpf run --data-hex` prints on the same
 * bytes, its data_out is what `--data-out` writes, and a frame the kernel
 * refuses stackbpf refuses too (exit 2). Objects with a prog_array are
 * loaded whole (libbpf fills its .values with loaded programs only). Programs of a
 * type the verifier does not support are counted apart. Exit 77 when
 * bpf() is not permitted (or the kernel is not 6.18.y). Prints the counts. */
#include "testlib.h"
#include "testcli.h"
#include "testkernel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stackbpf/stackbpf.h"

static struct stackbpf_host *host;
static char klog[1 << 22];
static char ulog[1 << 22];
static size_t ulog_len;

static struct {
	int objects, objects_skipped, progs, verdicts_agree, lines_agree, lines_same_order, lines_compared;
	int runs, runs_agree, runs_refused, runs_nonzero, unsupported;
} cnt;

static const char *const packets[] = {
	/* IPv4/TCP (the examples README) */
	"000000000002 000000000001 0800 4500 0028 0000 4000 4006 0000 0a000001 0a000002 0000",
	/* IPv4/UDP DNS query to port 53 */
	("000000000002 000000000001 0800 4500 0028 0000 4000 4011 0000 0a000001 0a000002 c000 0035 0014 0000 "
	 "00000000 00000000 00000000"),
	/* ARP, 42 bytes */
	"ffffffffffff 000000000001 0806 0001 0800 0604 0001 000000000001 0a000001 000000000000 0a000002",
	/* only an Ethernet header (IPv6 type: too short for a __sk_buff) */
	"ffffffffffff 000000000001 86dd",
	/* IPv4/TCP with addresses 0x08000001 and 0x0a000002 */
	("000000000002 000000000001 0800 4500 0028 0000 4000 4006 0000 0800 0001 0a000002 0000 0000 06 "
	 "00000000 00000000 00000000 00000000"),
	/* to the loopback device's own address (pkt_type host), IPv4/UDP */
	"000000000000 000000000001 0800 4500 001c 0000 4000 4011 0000 0a000001 0a000002 c000 0035 0008 0000",
	/* multicast destination, IPv6 header (40 bytes) */
	("333300000001 000000000001 86dd 6000 0000 0000 1140 fe800000000000000000000000000001 "
	 "ff020000000000000000000000000001"),
	/* 802.3 length instead of a type (protocol ETH_P_802_2), LLC header */
	"000000000002 000000000001 0006 aaaa 0300 0000",
	/* IPv4, 33 bytes: a __sk_buff's test run wants the whole IP header */
	"000000000002 000000000001 0800 4500 0014 0000 4000 4006 0000 0a000001 0a0000",
	/* 13 bytes: shorter than an Ethernet header */
	"000000000002 000000000001 08",
};

static size_t unhex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n < cap; s++) {
		if (*s == ' ')
			continue;
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		s++;
	}
	return n;
}

static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx, (void)level;
	int n = snprintf(ulog + ulog_len, sizeof(ulog) - ulog_len, "%s\n", msg);
	if (n > 0 && (size_t)n < sizeof(ulog) - ulog_len)
		ulog_len += (size_t)n;
}

/* the "; " lines of a log, joined; sorted and unique with `set` */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *source_lines(const char *log, bool set)
{
	size_t n = 0, cnt = 0, cap = strlen(log) + 1;
	char *copy = strdup(log), *out = malloc(cap), *save = NULL, *l;
	char **v = calloc(cap / 2 + 1, sizeof(*v));
	for (char *s = copy; copy && v && (l = strtok_r(s, "\n", &save)); s = NULL)
		if (l[0] == ';' && l[1] == ' ')
			v[cnt++] = l;
	if (set && cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	for (size_t i = 0; out && i < cnt; i++)
		if (!set || !i || strcmp(v[i], v[i - 1]))
			n += (size_t)sprintf(out + n, "%s\n", v[i]);
	if (out)
		out[n] = '\0';
	free(v);
	free(copy);
	return out;
}

static bool uses_r11(const struct stackbpf_prog *p)
{
	const struct stackbpf_insn *in = stackbpf_prog__insns(p);
	for (size_t i = 0; i < stackbpf_prog__insn_cnt(p); i++)
		if (in[i].dst == 11 || (in[i].src == 11 && in[i].code != 0x18))
			return true;
	return false;
}

static bool test_runnable(enum stackbpf_prog_type t)
{
	return t == STACKBPF_PROG_SOCKET_FILTER || t == STACKBPF_PROG_SCHED_CLS || t == STACKBPF_PROG_XDP;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void check_prog(const char *path, const struct stackbpf_program *sp)
{
	const char *name = stackbpf_program__name(sp);
	cnt.progs++;
	/* the kernel */
	struct bpf_object *ko = bpf_object__open_file(path, NULL);
	if (!ko) {
		T_OK(0, "%s: libbpf cannot open it: %d", path, -errno);
		return;
	}
	struct bpf_program *kp = NULL, *p;
	/* libbpf fills a prog_array's .values only with loaded programs: an
	 * object with one is loaded whole */
	struct bpf_map *km;
	bool whole = false;
	bpf_object__for_each_map(km, ko)
		whole |= bpf_map__type(km) == BPF_MAP_TYPE_PROG_ARRAY;
	bpf_object__for_each_program(p, ko) {
		bool me = strcmp(bpf_program__name(p), name) == 0;
		bpf_program__set_autoload(p, me || whole);
		if (me)
			kp = p;
	}
	T_OK(kp != NULL, "%s: libbpf has no program %s", path, name);
	if (!kp) {
		bpf_object__close(ko);
		return;
	}
	klog[0] = '\0';
	bpf_program__set_log_buf(kp, klog, sizeof(klog));
	bpf_program__set_log_level(kp, 2);
	int kerr = bpf_object__load(ko);
	bool kok = kerr == 0;

	/* stackbpf: the CLI's verdict, the library's log */
	char a[4096];
	snprintf(a, sizeof(a), "'%s' --prog %s --log-level 0", path, name);
	struct t_out o = t_cli("", "verify", a);
	if (o.status == 2 && strstr(o.err, "the verifier does not support program type")) {
		/* raw_tracepoint, tracepoint, ...: outside the verifier's
		 * program types (stackbpf_verify_opts.prog_type) */
		printf("unsupported program type: %s/%s (%s)\n", path, name, stackbpf_program__section(sp));
		cnt.unsupported++;
		bpf_object__close(ko);
		return;
	}
	bool uok = o.status == 0, agree = (o.status == 0 || o.status == 1) && uok == kok;
	T_OK(agree, "%s/%s: kernel %s, stackbpf %s (exit %d) %s", path, name, kok ? "accepts" : "rejects",
	     uok ? "accepts" : "rejects", o.status, o.err);
	cnt.verdicts_agree += agree;

	ulog_len = 0;
	ulog[0] = '\0';
	STACKBPF_OPTS(stackbpf_verify_opts, vo, .host = host, .log_level = 2, .log = capture,
		      .prog_type = stackbpf_program__type(sp), .lines = stackbpf_program__line(sp, 0),
		      .line_cnt = stackbpf_program__line_cnt(sp));
	stackbpf_prog__verify(stackbpf_program__prog(sp), &vo, NULL);
	if (agree) {
		/* the same source lines (text, trimming, file, number); their
		 * order follows the paths explored, which pruning decides */
		char *kl = source_lines(klog, true), *ul = source_lines(ulog, true);
		char *ks = source_lines(klog, false), *us = source_lines(ulog, false);
		cnt.lines_compared++;
		bool same = kl && ul && strcmp(kl, ul) == 0 && kl[0];
		T_OK(same, "%s/%s: source lines differ:\nkernel:\n%s\nstackbpf:\n%s", path, name, kl ? kl : "",
		     ul ? ul : "");
		cnt.lines_agree += same;
		cnt.lines_same_order += ks && us && strcmp(ks, us) == 0;
		free(kl);
		free(ul);
		free(ks);
		free(us);
	}

	/* test runs: the same frame for both (the kernel's test run pulls the
	 * Ethernet header of a socket filter's packet, and so does stackbpf's);
	 * r0 and the packet written back (data_out) agree, and so do refusals */
	if (kok && uok && test_runnable(stackbpf_program__type(sp))) {
		int fd = bpf_program__fd(kp);
		for (size_t i = 0; fd >= 0 && i < sizeof(packets) / sizeof(packets[0]); i++) {
			unsigned char pkt[256], kout[256], uout[256];
			size_t len = unhex(packets[i], pkt, sizeof(pkt));
			LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = (uint32_t)len,
				    .data_out = kout, .data_size_out = sizeof(kout), .repeat = 1);
			int e = bpf_prog_test_run_opts(fd, &topts);
			char outp[] = "/tmp/stackbpf-parity-XXXXXX";
			int ofd = mkstemp(outp);
			snprintf(a, sizeof(a), "'%s' --prog %s --data-out %s --data-hex '%s'", path, name, outp,
				 packets[i]);
			o = t_cli("", "run", a);
			FILE *f = ofd >= 0 ? fdopen(ofd, "rb") : NULL;
			size_t ulen = f ? fread(uout, 1, sizeof(uout), f) : 0;
			if (f)
				fclose(f);
			unlink(outp);
			cnt.runs++;
			if (e) {   /* e.g. a packet shorter than an Ethernet header */
				cnt.runs_refused++;
				bool same = o.status == 2;
				T_OK(same, "%s/%s packet %zu: kernel refuses (%d), stackbpf exit %d", path, name, i, e,
				     o.status);
				cnt.runs_agree += same;
				continue;
			}
			unsigned long long r0 = ~0ull;
			const char *last = strrchr(o.out, 'x');
			if (last)
				r0 = strtoull(last + 1, NULL, 16);
			bool same = o.status == 0 && r0 == topts.retval;
			T_OK(same, "%s/%s packet %zu: kernel retval 0x%x, stackbpf exit %d r0 0x%llx %s", path, name, i,
			     topts.retval, o.status, r0, o.err);
			bool same_out = ulen == topts.data_size_out && memcmp(uout, kout, ulen) == 0;
			T_OK(same_out, "%s/%s packet %zu: data_out: kernel %u bytes, stackbpf %zu bytes, %s", path, name,
			     i, topts.data_size_out, ulen, ulen == topts.data_size_out ? "differing" : "");
			cnt.runs_agree += same && same_out;
			cnt.runs_nonzero += topts.retval != 0;
		}
	}
	bpf_object__close(ko);
}

static void check_object(const char *path)
{
	STACKBPF_OPTS(stackbpf_object_opts, oo, .host = host);
	struct stackbpf_object *obj = stackbpf_object__open(path, &oo);
	bool skip = !obj;
	for (size_t i = 0; obj && i < stackbpf_object__prog_cnt(obj); i++) {
		const struct stackbpf_program *p = stackbpf_object__prog(obj, i);
		skip |= stackbpf_program__kfunc_cnt(p) > 0 || uses_r11(stackbpf_program__prog(p));
	}
	if (skip) {
		printf("skipped %s: %s\n", path, obj ? "host functions or stack arguments" : "stackbpf refuses it");
		cnt.objects_skipped++;
	} else {
		cnt.objects++;
		for (size_t i = 0; i < stackbpf_object__prog_cnt(obj); i++)
			check_prog(path, stackbpf_object__prog(obj, i));
	}
	stackbpf_object__close(obj);
}

static void check_dir(const char *dir, const char *suffix)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(list[i]->d_name), m = strlen(suffix);
		if (l > m && strcmp(list[i]->d_name + l - m, suffix) == 0) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			check_object(path);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

int main(void)
{
#ifndef HAVE_BPF
	printf("no <linux/bpf.h>: skipped\n");
	return 77;
#else
	(void)below;   /* testkernel.h's random numbers are not used here */
	int skip = kernel_oracle_skip();
	if (skip)
		return skip;
	if (!OBJ_FIXTURES[0] || !OBJ_EXAMPLES[0]) {
		printf("no BPF clang: skipped\n");
		return 77;
	}
	if (t_scratch("statkern"))
		return 1;
	libbpf_set_print(libbpf_quiet);
	host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, ho);
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, &ho))
		return 1;
	check_dir(OBJ_EXAMPLES, ".o");
	check_dir(OBJ_FIXTURES, ".bpf.o");
	check_dir(OBJ_FIXTURES_V4, ".bpf.o");   /* clang-22 -mcpu=v4, when installed */
	stackbpf_host__free(host);
	printf("kernel parity: %d objects (%d skipped), %d programs (%d of a type the verifier does not support): "
	       "verdicts agree %d/%d, source lines agree %d/%d (in the same order %d), test runs agree %d/%d "
	       "(%d with r0 != 0; %d refused by the kernel)\n",
	       cnt.objects, cnt.objects_skipped, cnt.progs, cnt.unsupported, cnt.verdicts_agree,
	       cnt.progs - cnt.unsupported, cnt.lines_agree, cnt.lines_compared, cnt.lines_same_order, cnt.runs_agree,
	       cnt.runs, cnt.runs_nonzero, cnt.runs_refused);
	T_OK(cnt.progs - cnt.unsupported >= 6, "programs compared: %d", cnt.progs - cnt.unsupported);
	T_OK(cnt.runs_nonzero > 0, "some test runs return non-zero");
	return t_done();
#endif
}
