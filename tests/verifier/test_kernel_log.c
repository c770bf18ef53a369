/* test_kernel_log.c - differential test of the whole verifier walk against the
 * running kernel's verifier log (level 2).
 *
 * Random programs of scalar ALU ops (32/64, K/X, neg, div/mod, and/or with
 * constants on [-1, 0] registers), 8-byte spills and 1/2/4/8-byte fills of the
 * stack, and forward conditional jumps (JMP/JMP32, K/X, a register against
 * itself) end in `r0 = 0; exit`. Unknown values come from reads of
 * uninitialised stack (allowed to a privileged loader, here and in the
 * kernel). r1 and r2 are never used: the kernel's socket filter gets r1 =
 * ctx() and r2 uninitialised, our raw type r1 = mem(sz=0) and r2 = 0.
 *
 * Each program is loaded into the kernel as a socket filter and verified by
 * stackbpf_prog__verify, both at log level 2. The instruction lines (with
 * their `; R..` annotations) and the `from X to Y:` lines of both logs must be
 * identical, in order. Normalised, and nothing else:
 *  - the `R1=...` and `R2=...` tokens are dropped from both logs (see above);
 *  - an annotation is compared as its own line: the kernel prints the state
 *    after an instruction as `N: (xx) insn    ; R..`, or as a line `N: R..`
 *    of its own when something was logged in between (its mark_precise
 *    backtracking lines, which we do not have), so both become
 *    `N: (xx) insn` + `N: R..`;
 *  - precise marks (`R6=P5`) are dropped: precision tracking is not done yet
 *    (mark_precise lines are not compared either).
 * Without precision our pruning is stricter than the kernel's: a log whose
 * first difference is a `safe` line (one side pruned, the other did not) is
 * counted apart, as identical up to that pruning decision. So is a log whose
 * first differing line differs only in scalar ids (`id=N`): 6.18 drops some
 * links (e.g. a spilled copy whose id it no longer tracks) that we keep; the
 * values printed agree. Those, and the values that then differ because
 * the kernel no longer refines such a copy, must stay below 1% of the
 * programs (0.4% for 1000 programs at the default seed when written; any
 * broken rule of the walk shows in most programs).
 *
 * Skips (77) where bpf() is not permitted or the kernel is not 6.18.y
 * (STACKBPF_KERNEL_DIFF=1 forces a run). Usage: vt_kernel_log [programs
 * [seed]] [-v|-vv|-vvv] (-v: the first lines that differ in the first
 * three mismatching programs; -vv: their whole logs too; -vvv: also name
 * the programs whose first difference is an id). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

#include "testkernel.h"

#ifdef HAVE_BPF
enum { MAXI = 96 };

static int32_t pick_imm(void)
{
	static const int32_t edge[] = { 0, 1, 2, 3, 5, 7, 8, 15, 16, 31, 32, 63, 100, 127, 128, 255, 256, 0x7fff,
					0xffff, 0x10000, 0x7fffffff, -1, -2, -5, -128, -0x8000, INT32_MIN };
	switch (below(3)) {
	case 0: return edge[below(sizeof(edge) / sizeof(edge[0]))];
	case 1: return (int32_t)below(200) - 100;
	default: return (int32_t)rnd();
	}
}

/* r0, r3..r9: the registers a program may use */
static int pick_reg(void)
{
	int r = (int)below(8);
	return r ? r + 2 : 0;
}

static struct stackbpf_insn I(uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	struct stackbpf_insn i = { .code = code, .dst = (uint8_t)dst, .src = (uint8_t)src, .off = off, .imm = imm };
	return i;
}

/* a straight-line-or-branching program of n instructions, all registers set
 * up front */
static int generate(struct stackbpf_insn *p, int want)
{
	static const uint8_t alu_ops[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0,
					   0xb0, 0xc0 };
	static const uint8_t jmp_ops[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0 };
	static const uint8_t ld_size[] = { 0x18, 0x10, 0x08, 0x00 };   /* u64 u32 u16 u8 */
	int n = 0;
	/* unknown values from uninitialised stack, some narrow, and constants */
	for (int r = 0; r < 10; r++) {
		if (r == 1 || r == 2)
			continue;
		switch (below(4)) {
		case 0: p[n++] = I(0xb7, r, 0, 0, pick_imm()); break;
		default: p[n++] = I(0x61 | ld_size[below(4)], r, 10, (int16_t)(-8 * (int)(9 + below(8))), 0); break;
		}
	}
	while (n < want) {
		int dst = pick_reg(), src = pick_reg(), k = (int)below(20);
		if (k < 10) {
			uint8_t op = alu_ops[below(sizeof(alu_ops))];
			bool is64 = below(2), x = below(2) && op != 0x80;
			int32_t imm = pick_imm();
			if (op == 0x60 || op == 0x70 || op == 0xc0)
				imm = (int32_t)below(is64 ? 64 : 32);
			if ((op == 0x30 || op == 0x90) && imm == 0)
				imm = 3;
			if (op == 0x80)
				imm = 0;
			int16_t off = 0;
			if ((op == 0x30 || op == 0x90) && below(2))
				off = 1;   /* signed div/mod */
			p[n++] = I((uint8_t)((is64 ? 0x07 : 0x04) | op | (x ? 0x08 : 0)), dst, x ? src : 0, off,
				   x ? 0 : imm);
		} else if (k < 12) {
			/* a [-1, 0] register masked with a constant (the kernel forks) */
			p[n++] = I(0x67, dst, 0, 0, 63);
			p[n++] = I(0xc7, dst, 0, 0, 63);
			p[n++] = I((uint8_t)((below(2) ? 0x07 : 0x04) | (below(2) ? 0x50 : 0x40)), dst, 0, 0, pick_imm());
		} else if (k < 14) {
			p[n++] = I(0x7b, 10, src, 0, (int16_t)(-8 * (int)(1 + below(4))));
			p[n - 1].off = (int16_t)(-8 * (int)(1 + below(4)));
			p[n - 1].imm = 0;
		} else if (k < 16) {
			/* fill: u8/u16/u32/u64, sometimes sign-extending */
			int sz = (int)below(4);
			int16_t off = (int16_t)(-8 * (int)(1 + below(4)));
			uint8_t code = (uint8_t)(0x61 | ld_size[sz]);
			if (sz != 0 && below(3) == 0)
				code = (uint8_t)(0x81 | ld_size[sz]);   /* ldsx */
			p[n++] = I(code, dst, 10, off, 0);
		} else {
			uint8_t op = jmp_ops[below(sizeof(jmp_ops))];
			bool is64 = below(2), x = below(2);
			if (x && below(5) == 0)
				src = dst;
			int16_t off = (int16_t)below(4);
			p[n++] = I((uint8_t)((is64 ? 0x05 : 0x06) | op | (x ? 0x08 : 0)), dst, x ? src : 0, off,
				   x ? 0 : pick_imm());
		}
	}
	/* jumps may land on the final two instructions at most */
	for (int i = 0; i < n; i++) {
		uint8_t cls = p[i].code & 7;
		if ((cls == 0x05 || cls == 0x06) && i + 1 + p[i].off > n)
			p[i].off = (int16_t)(n - i - 1);
	}
	p[n++] = I(0xb7, 0, 0, 0, 0);
	p[n++] = I(0x95, 0, 0, 0, 0);
	return n;
}

static char klog[1 << 22];

static int kload(const struct stackbpf_insn *p, int n)
{
	return kernel_load(p, n, klog, sizeof(klog));
}

/* the instruction and "from" lines of a log, normalised, into out */
static void extract(const char *log, char *out, size_t outsz)
{
	size_t o = 0;
	while (*log) {
		const char *nl = strchr(log, '\n');
		size_t len = nl ? (size_t)(nl - log) : strlen(log);
		int a, b, used = 0;
		char line[4096];
		snprintf(line, sizeof(line), "%.*s", (int)len, log);
		log += len + (nl ? 1 : 0);
		bool insn = sscanf(line, "%d: (%*2x)%n", &a, &used) == 1 && used;
		bool keep = insn || (sscanf(line, "from %d to %d:%n", &a, &b, &used) == 2 && used) ||
			    !strncmp(line, "mark_precise: ", 14) || strstr(line, ": propagating ") ||
			    (sscanf(line, "%d: R%n", &a, &used) == 1 && used) ||
			    (sscanf(line, "%d: fp%n", &a, &used) == 1 && used) ||
			    (sscanf(line, "%d: safe%n", &a, &used) == 1 && used);
		if (!keep)
			continue;
		/* "N: (xx) insn      ; state" -> "N: (xx) insn" and "N: state" */
		char *semi = insn ? strstr(line, " ; ") : NULL;
		char state[4096] = "";
		if (semi) {
			snprintf(state, sizeof(state), "%d:%s", a, semi + 2);
			while (semi > line && semi[-1] == ' ')
				semi--;
			*semi = '\0';
		}
		for (const char *l = line; l; l = l == line && *state ? state : NULL) {
			for (size_t i = 0; l[i] && o + 2 < outsz; i++) {
				/* tokens " R1=..." and " R2=..." */
				if (i > 0 && l[i - 1] == ' ' && l[i] == 'R' && (l[i + 1] == '1' || l[i + 1] == '2') &&
				    l[i + 2] == '=') {
					while (l[i + 1] && l[i + 1] != ' ')
						i++;
					if (l[i + 1])
						i++;
					continue;
				}
				out[o++] = l[i];
			}
			while (o && out[o - 1] == ' ')
				o--;
			out[o++] = '\n';
		}
	}
	out[o] = '\0';
}

/* does the line starting at l contain w */
static bool strstr_line(const char *l, const char *w)
{
	const char *e = strchr(l, '\n'), *f = strstr(l, w);
	return f && (!e || f < e);
}

/* the line at l without its "id=N," / "id=N+K," tokens */
static void strip_ids(const char *l, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; l[i] && l[i] != '\n' && o + 1 < outsz; i++) {
		if (!strncmp(l + i, "id=", 3) && i && l[i - 1] == '(') {
			size_t j = i + 3;
			while (l[j] && strchr("0123456789+-", l[j]))
				j++;
			if (l[j] == ',' || l[j] == ')') {
				i = l[j] == ',' ? j : j - 1;
				continue;
			}
		}
		out[o++] = l[i];
	}
	out[o] = '\0';
}

static bool same_but_ids(const char *a, const char *b)
{
	static char x[8192], y[8192];
	strip_ids(a, x, sizeof(x));
	strip_ids(b, y, sizeof(y));
	return !strcmp(x, y);
}

static char kx[1 << 22], ox[1 << 22];

/* our level-2 log, as big as the kernel's buffer */
static char olog[1 << 22];
static size_t olen;

static void olog_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	size_t n = strlen(msg);
	if (olen + n + 2 < sizeof(olog)) {
		memcpy(olog + olen, msg, n);
		olen += n;
		olog[olen++] = '\n';
		olog[olen] = '\0';
	}
}

/* level 2 into olog; *quiet gets the statistics of a run without a log
 * (which takes shortcuts the log cannot: they must not change the walk) */
static int our_verify(const struct stackbpf_insn *p, int n, struct stackbpf_verify_stats *quiet)
{
	struct stackbpf_prog *prog = stackbpf_prog__from_insns(p, (size_t)n);
	if (!prog)
		return -ENOMEM;
	olen = 0;
	olog[0] = '\0';
	STACKBPF_OPTS(stackbpf_verify_opts, o, .host = vt_host(), .log_level = 2, .log = olog_cb);
	int err = stackbpf_prog__verify(prog, &o, NULL);
	STACKBPF_OPTS(stackbpf_verify_opts, q, .host = vt_host());
	stackbpf_prog__verify(prog, &q, quiet);
	stackbpf_prog__free(prog);
	return err;
}

/* the final statistics line: "processed N insns (limit ..) ... mark_read M" */
static const char *stats_line(const char *log, char *out, size_t sz)
{
	const char *p = strstr(log, "processed ");
	out[0] = '\0';
	if (p) {
		const char *e = strchr(p, '\n');
		snprintf(out, sz, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
	}
	return out;
}

static long count_lines(const char *from, const char *to)
{
	long n = 0;
	for (const char *c = from; c < to; c++)
		n += *c == '\n';
	return n;
}

int main(int argc, char **argv)
{
	int programs = 1000, verbose = 0, dumped = 0;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-v", 2))
			verbose = (int)strlen(argv[i]) - 1;
		else if (i == 1)
			programs = atoi(argv[i]);
		else
			rng = strtoull(argv[i], NULL, 0);
	}
	if (!rng)
		rng = 0x9e3779b97f4a7c15ULL;
	int skip = kernel_oracle_skip();
	if (skip)
		return skip;
	struct stackbpf_insn p[MAXI + 8];
	int fd;
	long same = 0, differ = 0, kreject = 0, verdicts = 0, lines = 0, pruned = 0, plines = 0, idonly = 0;
	long stats_same = 0, kinsns = 0, oinsns = 0, kstates = 0, ostates = 0, quiet_differ = 0;
	for (int t = 0; t < programs; t++) {
		int n = generate(p, 12 + (int)below(MAXI - 24));
		fd = kload(p, n);
		if (fd >= 0)
			close(fd);
		else
			kreject++;
		struct stackbpf_verify_stats qs = { .sz = sizeof(qs) };
		int err = our_verify(p, n, &qs);
		verdicts += (err == 0) != (fd >= 0);
		char ks[256], os[256];
		stats_line(klog, ks, sizeof(ks));
		stats_line(olog, os, sizeof(os));
		stats_same += *ks && !strcmp(ks, os);
		long v;
		const char *q;
		if ((q = strstr(ks, "processed ")) && sscanf(q, "processed %ld", &v) == 1)
			kinsns += v;
		if ((q = strstr(os, "processed ")) && sscanf(q, "processed %ld", &v) == 1) {
			oinsns += v;
			quiet_differ += (uint64_t)v != qs.insns_processed;
		}
		if ((q = strstr(ks, "total_states ")) && sscanf(q, "total_states %ld", &v) == 1)
			kstates += v;
		if ((q = strstr(os, "total_states ")) && sscanf(q, "total_states %ld", &v) == 1) {
			ostates += v;
			quiet_differ += (uint64_t)v != qs.total_states;
		}
		extract(klog, kx, sizeof(kx));
		extract(olog, ox, sizeof(ox));
		if (!strcmp(kx, ox)) {
			same++;
			lines += count_lines(kx, kx + strlen(kx));
			continue;
		}
		const char *a = kx, *b = ox;
		while (*a && *a == *b)
			a++, b++;
		while (a > kx && a[-1] != '\n')
			a--, b--;
		/* the first difference is a pruning decision (one side found an
		 * equivalent state, the other did not): from there on the walks
		 * legitimately part */
		if (strstr_line(a, "safe") || strstr_line(b, "safe")) {
			pruned++;
			plines += count_lines(kx, a);
			if (verbose > 2)
				printf("program %d: pruning differs first\n%.200s\n--\n%.200s\n", t, a, b);
			continue;
		}
		/* the first difference is only in scalar ids: the kernel drops
		 * some links we keep (not modelled yet, see the header) */
		if (same_but_ids(a, b)) {
			idonly++;
			if (verbose > 2)
				printf("program %d: ids differ first\n", t);
			continue;
		}
		differ++;
		if (verbose && dumped++ < 3) {
			const char *ae = strchr(a, '\n'), *be = strchr(b, '\n');
			printf("program %d differs; kernel:\n%.*s\nours:\n%.*s\n", t, ae ? (int)(ae - a) : 300, a,
			       be ? (int)(be - b) : 300, b);
			if (verbose > 1)
				printf("full kernel log:\n%s\nfull log of ours:\n%s\n", klog, olog);
		}
	}
	printf("%d programs: %ld logs identical (%ld lines), %ld identical up to a pruning decision (%ld lines), "
	       "%ld first differ in an id, %ld differ otherwise; %ld rejected by the kernel, %ld verdicts differ\n",
	       programs, same, lines, pruned, plines, idonly, differ, kreject, verdicts);
	printf("%ld identical \"processed N insns ... mark_read\" lines; processed insns: kernel %ld, ours %ld; "
	       "total states: kernel %ld, ours %ld\n",
	       stats_same, kinsns, oinsns, kstates, ostates);
	/* 6.18 drops some scalar links we keep (seen after same-register
	 * JSET / conditional jumps and forks; not modelled yet): the first
	 * difference is then an id, or a copy the kernel no longer refines.
	 * They stay rare; anything systematic (any rule of the walk broken)
	 * shows in most programs. */
	T_OK(idonly + differ <= programs / 100, "logs that differ from the kernel's: %ld + %ld by ids (at most 1%%)",
	     differ, idonly);
	/* precision and pruning as the kernel's: most logs are identical,
	 * line for line, mark_precise included */
	T_OK(same * 2 >= programs, "identical logs: %ld of %d (at least half)", same, programs);
	T_OK(stats_same * 2 >= programs, "identical statistics lines: %ld of %d (at least half)", stats_same, programs);
	T_EQ_U64(quiet_differ, 0, "programs whose walk without a log differs (processed insns, states)");
	T_EQ_U64(verdicts, 0, "verdicts that differ from the kernel's");
	T_EQ_U64(kreject, 0, "programs the kernel rejected");
	return t_done();
}
#else
int main(void)
{
	printf("no <linux/bpf.h>: skipped\n");
	return 77;
}
#endif
