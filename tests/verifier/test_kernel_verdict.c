/* test_kernel_verdict.c - our verifier's verdicts and results against the
 * running kernel's: every case of tests/verifier/cases that Linux can load
 * (no r11, no host functions, no BTF prototypes) is loaded with
 * bpf(BPF_PROG_LOAD): raw cases that never read r1..r5 as a socket filter
 * (as a kprobe when they call tracing helpers), @type cases as their type,
 * @map cases with maps made by BPF_MAP_CREATE (the ld_imm64 map index
 * rewritten to the fd), @align cases with BPF_F_STRICT/ANY_ALIGNMENT, and
 * programs with bpf_loop callbacks with BTF func_info (all functions static
 * `long f(long, ...)`; not for @strict cases, which stand for no BTF). Verdicts must agree; for programs both accept, the
 * return value of BPF_PROG_TEST_RUN on the case's packet (64 zero bytes for
 * raw cases) must equal ours. Then generated programs (tests/gen) without
 * r11 and host functions go through the same comparison.
 *
 * usage: vt_kernel_verdict [GENERATED [SEED]] [-v]
 * Prints "N/M verdicts agree, K/L retvals agree" for the cases and for the
 * generated programs and lists every disagreement (-v: with the kernel's
 * log). The test fails when more than MAX_DISAGREE_PCT percent of either
 * set disagree (disagreements that are verifier work in progress are listed,
 * not hidden). Exits 77 when bpf() is not permitted. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "isa/insn.h"
#include "obj/pktctx.h"
#include "testkernel.h"
#include "vt.h"

/* the threshold: disagreements above this share of a set fail the test */
#define MAX_DISAGREE_PCT 5.0

/* differences by design, printed as KNOWN and not counted */
static const struct {
	const char *name, *why;
} known[] = {
	{ "return_pointer_from_main", "raw programs return a scalar; Linux lets a privileged socket filter return a pointer" },
	{ "raw_returns_pointer", "raw programs return a scalar; Linux lets a privileged socket filter return a pointer" },
	{ "map_pointer_write", "struct bpf_map fields through BTF are not modelled (the case says so)" },
	{ "bounded_recursion", "recursion is a default-mode extension (docs/extensions.md); bounded_recursion_strict has Linux's verdict" },
	/* return values */
	{ "may_goto_imprecise_accumulator", "the loop ends when may_goto's budget does: Linux's x86 JIT times it" },
};

static const char *known_why(const char *name)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].name, name) == 0)
			return known[i].why;
	return NULL;
}

/* helpers whose result differs from run to run (time, random, cpu, pid) */
static bool nondeterministic(const struct stackbpf_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].code == (SBPF_JMP | 0x80) && p[i].src == 0 &&
		    (p[i].imm == 5 || p[i].imm == 7 || p[i].imm == 8 || p[i].imm == 14))
			return true;
	return false;
}

#ifdef HAVE_BPF

static bool verbose;
static char klog[1 << 20];

struct tally {
	int verdicts, verdicts_agree, retvals, retvals_agree, skipped, ours_unsupported, known, kernel_bugs;
	const char *why[16];
	int nwhy[16];
};

static void skip(struct tally *t, const char *why)
{
	int i = 0;
	while (i < 15 && t->why[i] && strcmp(t->why[i], why))
		i++;
	t->why[i] = why;
	t->nwhy[i]++;
	t->skipped++;
}

/* --------------------------------------------------------- the .vt reader */

struct vcase {
	char name[128];
	char file[64];
	int line;
	char *text;
	size_t len, cap;
	struct vt_setup set;            /* the @ lines */
};

static void add_line(struct vcase *c, const char *line)
{
	size_t n = strlen(line);
	if (c->len + n + 2 > c->cap) {
		c->cap = (c->len + n + 2) * 2;
		c->text = realloc(c->text, c->cap);
		if (!c->text)
			exit(2);
	}
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
}

static void free_case(struct vcase *c)
{
	free(c->text);
	vt_setup_free(&c->set);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------- what Linux can load */

/* registers read before written at the entry (backward liveness) */
static uint16_t live_at_entry(const struct stackbpf_insn *p, size_t n)
{
	uint16_t *live = calloc(n + 1, sizeof(*live));
	if (!live)
		exit(2);
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = n; i-- > 0;) {
			const struct stackbpf_insn *in = &p[i];
			uint8_t cls = SBPF_CLASS(in->code), op = SBPF_OP(in->code);
			uint16_t use = 0, def = 0, out = 0;
			bool fall = true;
			int target = -1;
			uint16_t d = (uint16_t)(1u << in->dst), s = (uint16_t)(1u << in->src);
			switch (cls) {
			case SBPF_ALU: case SBPF_ALU64:
				if (op == 0xb0)
					use = SBPF_SRCX(in->code) ? s : 0;
				else
					use = (uint16_t)(d | (SBPF_SRCX(in->code) && op != 0xd0 && op != 0x80 ? s : 0));
				def = d;
				break;
			case SBPF_LDX:
				use = in->src < 11 ? s : 0;
				def = d;
				break;
			case SBPF_ST:
				use = in->dst < 11 ? d : 0;
				break;
			case SBPF_STX:
				use = (uint16_t)((in->dst < 11 ? d : 0) | s);
				if (SBPF_MODE(in->code) == SBPF_ATOMIC && (in->imm & SBPF_ATOMIC_FETCH))
					def = in->imm == SBPF_ATOMIC_CMPXCHG ? 1 : s;
				if (SBPF_MODE(in->code) == SBPF_ATOMIC && in->imm == SBPF_ATOMIC_CMPXCHG)
					use |= 1;
				break;
			case SBPF_LD:
				if (SBPF_MODE(in->code) == SBPF_IMM) {
					def = d;
				} else {   /* ld_abs / ld_ind: ctx in r6 */
					use = (uint16_t)(1u << 6 | (SBPF_MODE(in->code) == SBPF_IND ? s : 0));
					def = 0x3f;
				}
				break;
			default:   /* jumps */
				if (op == 0x90) {
					use = 1;
					fall = false;
				} else if (op == 0x80) {
					/* a helper reads its arguments, a subprogram what it reads */
					const struct stackbpf_fn_desc *h = stackbpf_host__helper(vt_host(), in->imm);
					if (in->src == SBPF_CALL_LOCAL && i + 1 + (size_t)in->imm < n)
						use = live[i + 1 + (size_t)in->imm] & 0x3e;
					else
						use = (uint16_t)(h ? ((1u << (h->nargs + 1)) - 2) & 0x3e : 0x3e);
					def = 0x3f;
				} else if (op == 0x00) {
					target = (int)i + 1 + (cls == SBPF_JMP32 ? in->imm : in->off);
					fall = false;
				} else {
					target = (int)i + 1 + in->off;
					if (op != 0xe0)
						use = (uint16_t)(d | (SBPF_SRCX(in->code) ? s : 0));
				}
				break;
			}
			if (cls == SBPF_LD && SBPF_MODE(in->code) == SBPF_IMM && i + 1 < n)
				out = live[i + 2 <= n ? i + 2 : n];
			else if (fall)
				out = live[i + 1];
			if (target >= 0 && (size_t)target < n)
				out |= live[target];
			uint16_t in_live = (uint16_t)(use | (out & ~def));
			if (in_live != live[i]) {
				live[i] = in_live;
				changed = true;
			}
		}
	}
	uint16_t r = live[0];
	free(live);
	return r;
}

/* Linux's program type for a case, or -1 with the reason */
static int kernel_type(const struct vcase *c, const struct stackbpf_insn *p, size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].dst == 11 || p[i].src == 11) {
			*why = "r11";
			return -1;
		}
		if (p[i].code == (SBPF_JMP | 0x80) && p[i].src == SBPF_CALL_KFUNC) {
			*why = "host function";
			return -1;
		}

	}
	if (c->set.env.nfuncs) {
		*why = "BTF prototypes";
		return -1;
	}
	switch (c->set.env.type) {
	case STACKBPF_PROG_UNSPEC:
		break;
	case STACKBPF_PROG_SOCKET_FILTER: case STACKBPF_PROG_KPROBE: case STACKBPF_PROG_SCHED_CLS:
	case STACKBPF_PROG_SCHED_ACT: case STACKBPF_PROG_XDP: case STACKBPF_PROG_CGROUP_SKB:
	case STACKBPF_PROG_TRACEPOINT: case STACKBPF_PROG_PERF_EVENT: case STACKBPF_PROG_RAW_TRACEPOINT:
		return (int)c->set.env.type;
	default:
		*why = "program type";
		return -1;
	}
	if (live_at_entry(p, n) & 0x3e) {
		*why = "raw program reads r1..r5";
		return -1;
	}
	for (size_t i = 0; i < n; i++)   /* tracing helpers: get_current_pid_tgid, probe_read_* */
		if (p[i].code == (SBPF_JMP | 0x80) && p[i].src == 0 &&
		    (p[i].imm == 14 || p[i].imm == 112 || p[i].imm == 113 || p[i].imm == 6))
			return BPF_PROG_TYPE_KPROBE;
	return BPF_PROG_TYPE_SOCKET_FILTER;
}

/* the last line of the kernel's log that is not statistics */
static const char *klast(void)
{
	static char line[512];
	const char *p = klog, *best = "";
	size_t bl = 0;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			best = p;
			bl = l;
		}
		p += l + (e ? 1 : 0);
	}
	snprintf(line, sizeof(line), "%.*s", (int)(bl < sizeof(line) - 1 ? bl : sizeof(line) - 1), best);
	return line;
}

/* Load into the kernel with maps made like ours; the prog fd or -1 (errno),
 * the map fds in mfd[] (closed by the caller). */
static int kload(int ktype, uint32_t flags, bool strict, const struct stackbpf_insn *insns, size_t cnt, const uint32_t (*maps)[5],
		 const struct gen_map *gmaps, size_t nmaps, int *mfd)
{
	struct stackbpf_insn *p = malloc(cnt * sizeof(*p));
	if (!p)
		exit(2);
	memcpy(p, insns, cnt * sizeof(*p));
	for (size_t i = 0; i < nmaps; i++) {
		uint32_t t = maps ? maps[i][0] : gmaps[i].type, k = maps ? maps[i][1] : gmaps[i].key_size,
			 v = maps ? maps[i][2] : gmaps[i].value_size, m = maps ? maps[i][3] : gmaps[i].max_entries,
			 fl = maps ? maps[i][4] : 0;
		mfd[i] = kernel_map_create(t, k, v, m, fl);
		/* read-only maps are .rodata: frozen, as libbpf leaves them */
		if (mfd[i] >= 0 && (fl & BPF_F_RDONLY_PROG) && kernel_map_freeze(mfd[i])) {
			close(mfd[i]);
			mfd[i] = -1;
		}
		if (mfd[i] < 0) {
			snprintf(klog, sizeof(klog), "BPF_MAP_CREATE(%u, %u, %u, %u): %s", t, k, v, m, strerror(errno));
			free(p);
			return -2;
		}
		for (unsigned e = 0; gmaps && e < gmaps[i].ninit; e++)
			kernel_map_update(mfd[i], gmaps[i].init_key[e], gmaps[i].init_val[e]);
	}
	for (size_t i = 0; i + 1 < cnt; i++) {
		if (p[i].code != (SBPF_LD | SBPF_IMM | SBPF_DW))
			continue;
		if ((p[i].src == SBPF_PSEUDO_MAP_FD || p[i].src == SBPF_PSEUDO_MAP_VALUE) && (size_t)p[i].imm < nmaps)
			p[i].imm = mfd[p[i].imm];
		i++;
	}
	klog[0] = '\0';
	/* callbacks (ld_imm64 src 4): Linux wants BTF func_info for every function */
	uint32_t starts[64];
	int nparams[64], nf = 1;
	struct bpf_func_info rec[64];
	bool cb = false;
	starts[0] = 0;
	for (size_t i = 0; i < cnt; i++) {
		bool call = p[i].code == (SBPF_JMP | 0x80) && p[i].src == SBPF_CALL_LOCAL;
		bool func = p[i].code == (SBPF_LD | SBPF_IMM | SBPF_DW) && p[i].src == SBPF_PSEUDO_FUNC;
		cb |= func;
		uint32_t t = (uint32_t)((int64_t)i + 1 + p[i].imm);
		bool seen = false;
		for (int f = 0; f < nf; f++)
			seen |= starts[f] == t;
		if ((call || func) && !seen && nf < 64)
			starts[nf++] = t;
	}
	for (int a = 1; a < nf; a++)   /* sorted by offset, as Linux wants */
		for (int b = a; b > 0 && starts[b - 1] > starts[b]; b--) {
			uint32_t x = starts[b];
			starts[b] = starts[b - 1];
			starts[b - 1] = x;
		}
	for (int f = 0; f < nf; f++)
		nparams[f] = f ? 5 : 1;
	/* (a @strict case stands for Linux without BTF) */
	int btf_fd = cb && !strict ? kernel_btf_funcs(starts, nparams, nf, rec) : -1;
	int fd = btf_fd >= 0 ? kernel_load_btf((uint32_t)ktype, flags, p, (int)cnt, btf_fd, rec, nf, 0, NULL, 0)
			     : kernel_load_type((uint32_t)ktype, flags, p, (int)cnt, 0, NULL, 0);
	if (fd < 0) {
		int e = errno;
		/* again with a log for the message (a truncated log is fine) */
		if (btf_fd >= 0)
			kernel_load_btf((uint32_t)ktype, flags, p, (int)cnt, btf_fd, rec, nf, 1, klog, sizeof(klog));
		else
			kernel_load_type((uint32_t)ktype, flags, p, (int)cnt, 1, klog, sizeof(klog));
		errno = e;
	}
	if (btf_fd >= 0)
		close(btf_fd);
	free(p);
	return fd;
}

static void close_maps(int *mfd, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mfd[i] >= 0)
			close(mfd[i]);
}

/* our run of an accepted case (as vt_cases runs it), r0 or -1 on a fault */
static int our_run(struct vcase *c, const struct stackbpf_insn *insns, size_t cnt, uint64_t *r0)
{
	struct stackbpf_prog *p = vt_prog(insns, cnt, &c->set.env);
	STACKBPF_OPTS(stackbpf_vm_opts, vo, .host = vt_host(), .checked = true, .insn_limit = 100000000);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &vo);
	struct sbpf_pktctx pkt = { 0 };
	uint8_t mem[256];
	uint64_t ctx[32] = { 0 };
	int err = -1;
	memcpy(mem, c->set.mem, sizeof(mem));
	if (vm) {
		for (size_t i = 0; i < c->set.env.nmaps; i++) {
			size_t len = 0;
			void *st = stackbpf_map__storage(c->set.env.maps[i], &len);
			if (st && len)
				stackbpf_vm__add_region(vm, st, len);
		}
		if (sbpf_pktctx_wanted(c->set.env.type)) {
			if (!sbpf_pktctx_new(&pkt, c->set.env.type, c->set.data, c->set.data_len)) {
				stackbpf_vm__add_region(vm, pkt.ctx, pkt.ctx_len);
				if (pkt.data_len)
					stackbpf_vm__add_region(vm, pkt.data, pkt.data_len);
				err = stackbpf_vm__run(vm, pkt.ctx, pkt.ctx_len, r0);
			}
		} else if (c->set.env.type != STACKBPF_PROG_UNSPEC) {
			stackbpf_vm__add_region(vm, ctx, sizeof(ctx));
			err = stackbpf_vm__run(vm, ctx, sizeof(ctx), r0);
		} else {
			err = stackbpf_vm__run(vm, c->set.env.mem_size ? mem : NULL, c->set.env.mem_size, r0);
		}
	}
	sbpf_pktctx_free(&pkt);
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	return err;
}

static void check_case(struct vcase *c, struct tally *t)
{
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = vt_host());
	if (stackbpf_asm__text(c->text ? c->text : "", c->len, &ao, &insns, &cnt)) {
		skip(t, "does not assemble");   /* vt_cases reports it */
		return;
	}
	const char *why = "";
	int ktype = kernel_type(c, insns, cnt, &why);
	if (ktype < 0) {
		if (verbose)
			printf("  skipped %s:%d %s: %s\n", c->file, c->line, c->name, why);
		skip(t, why);
		free(insns);
		return;
	}
	static struct vt_log log;
	int err = vt_verify_env(insns, cnt, &c->set.env, 1, &log, NULL);
	if (err == -EOPNOTSUPP) {
		t->ours_unsupported++;
		free(insns);
		return;
	}
	int mfd[16];
	uint32_t maps[16][5];
	for (size_t i = 0; i < c->set.env.nmaps; i++) {
		const struct stackbpf_map *m = c->set.env.maps[i];
		maps[i][0] = stackbpf_map__type(m);
		maps[i][1] = stackbpf_map__key_size(m);
		maps[i][2] = stackbpf_map__value_size(m);
		maps[i][3] = stackbpf_map__max_entries(m);
		maps[i][4] = stackbpf_map__flags(m);   /* BPF_F_RDONLY_PROG: the same bit */
	}
	uint32_t flags = (c->set.env.strict_alignment ? BPF_F_STRICT_ALIGNMENT : 0) |
			 (c->set.env.any_alignment ? BPF_F_ANY_ALIGNMENT : 0);
	int fd = kload(ktype, flags, c->set.env.strict, insns, cnt, (const uint32_t (*)[5])maps, NULL, c->set.env.nmaps, mfd);
	if (fd == -2) {
		printf("  %s:%d %s: %s\n", c->file, c->line, c->name, klog);
		skip(t, "map not created");
		free(insns);
		return;
	}
	const char *kw = (fd >= 0) != (err == 0) ? known_why(c->name) : NULL;
	if (kw) {
		printf("  KNOWN %s:%d %s: kernel %s, ours %s: %s\n", c->file, c->line, c->name,
		       fd >= 0 ? "accepts" : "rejects", err ? "rejects" : "accepts", kw);
		t->known++;
	} else if (++t->verdicts, (fd >= 0) == (err == 0)) {
		t->verdicts_agree++;
	} else {
		printf("  VERDICT %s:%d %s (as %s): kernel %s%s%s, ours %s%s%s\n", c->file, c->line, c->name,
		       c->set.type_name[0] ? c->set.type_name : ktype == BPF_PROG_TYPE_KPROBE ? "kprobe" : "socket",
		       fd >= 0 ? "accepts" : "rejects: \"", fd >= 0 ? "" : klast(), fd >= 0 ? "" : "\"",
		       err ? "rejects: \"" : "accepts", err ? log.err : "", err ? "\"" : "");
		if (verbose && fd < 0)
			printf("%s\n", klog);
	}
	/* the same packet for both (Linux wants an Ethernet header: 14 bytes);
	 * raw programs do not read theirs */
	bool raw = c->set.env.type == STACKBPF_PROG_UNSPEC;
	if (fd >= 0 && err == 0 && (raw || c->set.data_len >= 14) && !nondeterministic(insns, cnt)) {
		uint8_t pkt[256] = { 0 };
		uint32_t len = raw ? 64 : (uint32_t)c->set.data_len, retval = 0;
		memcpy(pkt, c->set.data, c->set.data_len);
		uint64_t r0 = 0;
		if (kernel_test_run(fd, pkt, len, &retval, NULL, NULL) == 0 && our_run(c, insns, cnt, &r0) == 0) {
			const char *why = (uint32_t)r0 != retval ? known_why(c->name) : NULL;
			if (why) {
				printf("  KNOWN %s:%d %s: kernel returns %u, ours %llu: %s\n", c->file, c->line, c->name, retval,
				       (unsigned long long)r0, why);
				t->known++;
			} else if (++t->retvals, (uint32_t)r0 == retval)
				t->retvals_agree++;
			else
				printf("  RETVAL %s:%d %s: kernel %u, ours %llu\n", c->file, c->line, c->name, retval,
				       (unsigned long long)r0);
		}
	}
	if (fd >= 0)
		close(fd);
	close_maps(mfd, c->set.env.nmaps);
	free(insns);
}

static void run_file(const char *dir, const char *fname, struct tally *t)
{
	char path[1024], line[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	struct vcase c;
	bool in_case = false, usable = true;
	int lineno = 0;
	memset(&c, 0, sizeof(c));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "=== ", 4) == 0) {
			free_case(&c);
			snprintf(c.name, sizeof(c.name), "%.*s", (int)sizeof(c.name) - 1, line + 4);
			snprintf(c.file, sizeof(c.file), "%.*s", (int)sizeof(c.file) - 1, fname);
			c.line = lineno;
			in_case = usable = true;
		} else if (!in_case) {
			continue;
		} else if (line[0] == '@') {
		{
			char why[256];
			usable &= vt_parse_at(&c.set, line, why, sizeof(why)) == 0;
		}
		} else if (strncmp(line, "--- ", 4) == 0) {
			in_case = false;
			if (usable) {
				check_case(&c, t);
			} else {
				if (verbose)
					printf("  skipped %s:%d %s: a directive\n", c.file, c.line, c.name);
				skip(t, "a directive we cannot reproduce");
			}
		} else {
			add_line(&c, line);
		}
	}
	free_case(&c);
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_cases(struct tally *t)
{
	const char *dir = STACKBPF_TESTS_DIR "/verifier/cases";
	DIR *d = opendir(dir);
	if (!d) {
		T_OK(0, "cannot open %s", dir);
		return;
	}
	char *names[256];
	size_t nn = 0;
	for (struct dirent *e; (e = readdir(d)) && nn < 256;) {
		size_t l = strlen(e->d_name);
		if (l > 3 && strcmp(e->d_name + l - 3, ".vt") == 0)
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		run_file(dir, names[i], t);
		free(names[i]);
	}
}

/* ---------------------------------------------------- generated programs */

static const struct {
	enum stackbpf_prog_type type;
	uint32_t ktype;
	unsigned features;
} gen_kinds[] = {
	/* raw without its input: loads as a socket filter */
	{ STACKBPF_PROG_UNSPEC, BPF_PROG_TYPE_SOCKET_FILTER, GEN_KERNEL & ~(GEN_MEM | GEN_PKT) },
	{ STACKBPF_PROG_SOCKET_FILTER, BPF_PROG_TYPE_SOCKET_FILTER, GEN_KERNEL },
	{ STACKBPF_PROG_SCHED_CLS, BPF_PROG_TYPE_SCHED_CLS, GEN_KERNEL },
	{ STACKBPF_PROG_XDP, BPF_PROG_TYPE_XDP, GEN_KERNEL },
};

static void check_generated(uint64_t seed, int kind, struct tally *t)
{
	struct gen_opts o = { .seed = seed, .type = gen_kinds[kind].type, .features = gen_kinds[kind].features,
			      .host = gen_host() };
	struct gen_prog g;
	struct gen_env e;
	char ours[512];
	if (gen_program(&o, &g) || gen_env_new(&g, &e)) {
		gen_free(&g);
		return;
	}
	int err = gen_verify(&g, &e, ours, sizeof(ours));
	if (err == -EOPNOTSUPP) {
		t->ours_unsupported++;
		goto out;
	}
	int mfd[GEN_MAX_MAPS];
	int fd = kload((int)gen_kinds[kind].ktype, 0, false, g.insns, g.cnt, NULL, g.maps, g.nmaps, mfd);
	if (fd == -2) {
		skip(t, "map not created");
		goto out;
	}
	if (fd < 0 && strncmp(klast(), "verifier bug", 12) == 0) {
		/* the kernel's own consistency check failed: not a verdict */
		printf("  KERNEL BUG generated seed %llu: \"%s\" (ours %s)\n", (unsigned long long)seed, klast(),
		       err ? "rejects" : "accepts");
		if (verbose)
			gen_write(stdout, &g, gen_host());
		t->kernel_bugs++;
		close_maps(mfd, g.nmaps);
		goto out;
	}
	t->verdicts++;
	if ((fd >= 0) == (err == 0)) {
		t->verdicts_agree++;
	} else {
		printf("  VERDICT generated seed %llu (%s): kernel %s%s%s, ours %s%s%s\n", (unsigned long long)seed,
		       kind == 0 ? "raw as socket" : kind == 1 ? "socket" : kind == 2 ? "tc" : "xdp",
		       fd >= 0 ? "accepts" : "rejects: \"", fd >= 0 ? "" : klast(), fd >= 0 ? "" : "\"",
		       err ? "rejects: \"" : "accepts", err ? ours : "", err ? "\"" : "");
		if (verbose) {
			gen_write(stdout, &g, gen_host());
			if (fd < 0)
				printf("%s\n", klog);
		}
	}
	if (fd >= 0 && err == 0) {
		uint8_t pkt[GEN_MAX_MEM];
		uint32_t len = kind == 0 ? 64 : g.mem_size, retval = 0;
		memcpy(pkt, g.mem, sizeof(pkt));
		if (kind == 0)
			memset(pkt, 0, sizeof(pkt));
		struct gen_result r;
		if (kernel_test_run(fd, pkt, len, &retval, NULL, NULL) == 0) {
			gen_run(&g, &e, STACKBPF_ENGINE_INTERP, true, &r);
			if (!r.err) {
				t->retvals++;
				if ((uint32_t)r.r0 == retval) {
					t->retvals_agree++;
				} else {
					printf("  RETVAL generated seed %llu: kernel %u, ours %llu\n", (unsigned long long)seed,
					       retval, (unsigned long long)r.r0);
					if (verbose)
						gen_write(stdout, &g, gen_host());
				}
			}
		}
	}
	if (fd >= 0)
		close(fd);
	close_maps(mfd, g.nmaps);
out:
	gen_env_free(&e);
	gen_free(&g);
}

static void report(const char *what, const struct tally *t)
{
	printf("%s: %d/%d verdicts agree, %d/%d retvals agree (%d known differences, %d \"verifier bug\" in the "
	       "kernel, %d not loadable by Linux or skipped, %d of a program type we do not verify yet)\n",
	       what, t->verdicts_agree, t->verdicts, t->retvals_agree, t->retvals, t->known, t->kernel_bugs,
	       t->skipped, t->ours_unsupported);
	for (int i = 0; i < 16 && t->why[i]; i++)
		printf("  skipped, %s: %d\n", t->why[i], t->nwhy[i]);
	int bad = (t->verdicts - t->verdicts_agree) + (t->retvals - t->retvals_agree);
	int total = t->verdicts + t->retvals;
	T_OK(total == 0 || 100.0 * bad / total <= MAX_DISAGREE_PCT,
	     "%s: %d of %d comparisons disagree (more than %.1f%%)", what, bad, total, MAX_DISAGREE_PCT);
}

int main(int argc, char **argv)
{
	int count = 2000;
	uint64_t seed = 1;
	int pos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (pos++ == 0)
			count = atoi(argv[i]);
		else
			seed = strtoull(argv[i], NULL, 0);
	}
	int skip = kernel_oracle_skip();
	if (skip)
		return skip;
	struct tally cases = { 0 }, gen = { 0 };
	printf("verifier cases:\n");
	run_cases(&cases);
	report("cases", &cases);
	T_OK(cases.verdicts >= 100, "only %d cases compared", cases.verdicts);
	printf("generated programs:\n");
	for (int i = 0; i < count; i++)
		check_generated(seed + (uint64_t)i, (int)((seed + (uint64_t)i) % 4), &gen);
	report("generated", &gen);
	return t_done();
}

#else
int main(void)
{
	printf("no <linux/bpf.h>: skipped\n");
	return 77;
}
#endif
