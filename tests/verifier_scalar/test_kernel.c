/* test_kernel.c - differential test of the scalar domain against the running
 * kernel's verifier.
 *
 * Random straight-line programs of ALU (32/64, K/X, every op incl. signed
 * div/mod, neg, movsx, byte swaps, ld_imm64) and conditional jumps (JMP/JMP32,
 * K/X, a register against itself) to a final exit are loaded as socket
 * filters with log_level 2. In lockstep we run the same instructions through
 * scalar_alu / scalar_refine / scalar_branch_taken, and every scalar register
 * the kernel prints (the "; R6=..." annotations of the main path, and the
 * "from X to Y: ..." states of taken jumps) must print identically from our
 * state through scalar_fmt. Ids ("id=N") and precise marks ("P") are the
 * verifier walk's business, not the domain's, and are stripped from the
 * kernel's text. Exits 77 (skip) where bpf() is not permitted.
 * Only on a 6.18.y kernel (the one this domain follows; STACKBPF_KERNEL_DIFF=1
 * forces a run elsewhere). Usage: verifier_scalar_kernel [programs [seed]] [-v]
 * (-v prints the kernel's log for mismatches and invariant warnings). */
#include <errno.h>
#include <stdlib.h>
#include "testlib.h"
#include "verifier/scalar.h"

#include "testkernel.h"

#ifdef HAVE_BPF
struct ins {
	uint8_t code, regs;
	int16_t off;
	int32_t imm;
};

enum { MAXI = 128, NREG = 10 };

static int32_t pick_imm(void)
{
	static const int32_t edge[] = { 0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256,
					511, 512, 513, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, -1, -2,
					-5, -128, -129, -512, -513, -0x8000, INT32_MIN };

	switch (below(3)) {
	case 0: return edge[below(sizeof(edge) / sizeof(edge[0]))];
	case 1: return (int32_t)below(1000) - 500;
	default: return (int32_t)rnd();
	}
}

/* the simulated machine state: scalars and which registers hold one */
struct sim {
	struct sbpf_scalar r[NREG];
	bool scalar[NREG];
};

/* expected state of every jump's taken side */
static struct sim taken_state[MAXI];
static bool has_taken[MAXI];
static struct sim main_after[MAXI];
static int fork_at;       /* first instruction where the kernel forked, or 0 */
static int8_t decided[MAXI];   /* per main-path jump: -1 open, 0/1 decided; -2 no jump */
static bool seen_from[MAXI];
static bool on_main[MAXI];

static struct ins I(uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	return (struct ins){ code, (uint8_t)(dst | src << 4), off, imm };
}

static int pick_scalar(const struct sim *s)
{
	int r;

	do
		r = (int)below(NREG);
	while (!s->scalar[r]);
	return r;
}

/* Generate one program, simulating it as we go. Returns its length. */
static int generate(struct ins *p, int want, int *end)
{
	struct sim s = { 0 };
	int n = 0, jumps[MAXI], nj = 0;
	bool done = false;

	fork_at = 0;
	memset(decided, -2, sizeof(decided));
	memset(has_taken, 0, sizeof(has_taken));
	memset(on_main, 0, sizeof(on_main));
	/* prologue: unknowns of several widths */
	p[n++] = I(0x61, 6, 1, 0, 0);         /* r6 = *(u32 *)(r1 + 0)  skb->len */
	p[n++] = I(0x69, 7, 1, 0, 0);         /* r7 = *(u16 *)(r1 + 0) */
	p[n++] = I(0x71, 8, 1, 0, 0);         /* r8 = *(u8 *)(r1 + 0) */
	p[n++] = I(0x85, 0, 0, 0, 7);         /* call bpf_get_prandom_u32 */
	p[n++] = I(0xbf, 9, 0, 0, 0);         /* r9 = r0 */
	p[n++] = I(0x85, 0, 0, 0, 7);         /* call bpf_get_prandom_u32 */
	scalar_mark_loaded(&s.r[6], 4, false);
	scalar_mark_loaded(&s.r[7], 2, false);
	scalar_mark_loaded(&s.r[8], 1, false);
	scalar_mark_unknown(&s.r[9]);
	scalar_mark_unknown(&s.r[0]);
	s.scalar[0] = s.scalar[6] = s.scalar[7] = s.scalar[8] = s.scalar[9] = true;

	while (n < want && !done) {
		int k = (int)below(100), dst, src;
		bool is64 = below(3) != 0, x = below(2);
		struct sbpf_scalar sv;
		int at = n;

		if (k < 8) {            /* constant: mov K or ld_imm64 */
			dst = (int)below(NREG);
			if (below(3) == 0) {
				uint64_t v = rnd() >> below(64);

				p[n++] = I(0x18, dst, 0, 0, (int32_t)(uint32_t)v);
				p[n++] = I(0x00, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
				scalar_mark_known(&s.r[dst], v);
			} else {
				int32_t imm = pick_imm();

				p[n++] = I(is64 ? 0xb7 : 0xb4, dst, 0, 0, imm);
				scalar_mark_known(&s.r[dst], is64 ? (uint64_t)(int64_t)imm : (uint32_t)imm);
			}
			s.scalar[dst] = true;
		} else if (k < 62) {    /* ALU */
			static const uint8_t ops[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70,
						       0x80, 0x90, 0xa0, 0xb0, 0xc0 };
			uint8_t op = ops[below(13)];
			int16_t off = 0;
			int32_t imm = 0;

			dst = pick_scalar(&s);
			src = pick_scalar(&s);
			if ((op == 0x30 || op == 0x90) && below(2))
				off = 1;                          /* signed div/mod */
			if (op == 0x80)
				x = false;
			if (x) {
				sv = s.r[src];
			} else {
				imm = pick_imm();
				if (op == 0x60 || op == 0x70 || op == 0xc0)
					imm = (int32_t)below(is64 ? 64 : 32);
				if ((op == 0x30 || op == 0x90) && imm == 0)
					imm = 3;
				if (op == 0x80)
					imm = 0;
				src = 0;
				scalar_mark_known(&sv, (uint64_t)(int64_t)imm);
			}
			{
				struct sbpf_scalar zero;

				/* the kernel forks [-1, 0] before &= / |= a constant and
				 * goes on with -1; the 0 path is not compared */
				if (scalar_fork_sign_mask(&s.r[dst], &zero, &sv, op) && !fork_at)
					fork_at = at;
			}
			if (op == 0xb0 && x && below(3) == 0) {   /* movsx */
				int size = is64 ? (int)(1u << below(3)) : (int)(1u << below(2));

				off = (int16_t)(size * 8);
				scalar_movsx(&s.r[dst], &s.r[src], size, is64);
			} else if (op == 0xb0 && !x) {
				scalar_mark_known(&s.r[dst], is64 ? (uint64_t)(int64_t)imm : (uint32_t)imm);
			} else {
				scalar_alu(&s.r[dst], &sv, op, is64, off == 1);
			}
			p[n++] = I((uint8_t)((is64 ? 0x07 : 0x04) | op | (x ? 0x08 : 0)), dst, src, off, imm);
			/* a register copy links the two (same id, later jumps refine
			 * both): that is the walk's business, so unlink by "r ^= 0" */
			if (op == 0xb0 && x && dst != src) {
				main_after[at] = s;
				on_main[at] = true;
				at = n;
				p[n++] = I(0xa7, dst, 0, 0, 0);
				scalar_mark_known(&sv, 0);
				scalar_alu(&s.r[dst], &sv, 0xa0, true, false);
			}
		} else if (k < 66) {    /* byte swap */
			int bits = 16 << below(3);
			int kind = (int)below(3);       /* le, be, bswap */

			dst = pick_scalar(&s);
			p[n++] = I(kind == 2 ? 0xd7 : kind == 1 ? 0xdc : 0xd4, dst, 0, 0, bits);
			scalar_bswap(&s.r[dst], bits, kind != 0);
		} else {                /* conditional jump to the end */
			static const uint8_t jops[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0,
							0xc0, 0xd0 };
			uint8_t op = jops[below(11)];
			struct sbpf_scalar td, ts, fd, fs;
			int taken;
			int32_t imm = 0;

			dst = pick_scalar(&s);
			src = x ? (below(8) == 0 ? dst : pick_scalar(&s)) : 0;
			if (!x)
				imm = below(2) ? pick_imm() : (int32_t)s.r[dst].var_off.value;
			if (x)
				sv = s.r[src];
			else
				scalar_mark_known(&sv, (uint64_t)(int64_t)imm);
			jumps[nj++] = n;
			p[n++] = I((uint8_t)((is64 ? 0x05 : 0x06) | op | (x ? 0x08 : 0)), dst, src, 0, imm);
			if (x && src == dst) {
				taken = scalar_branch_taken_same(&s.r[dst], op, is64);
				if (taken < 0) {
					scalar_refine_same(&td, &fd, &s.r[dst], op, is64);
					has_taken[at] = true;
					taken_state[at] = s;
					taken_state[at].r[dst] = td;
					s.r[dst] = fd;
				}
			} else {
				taken = scalar_branch_taken(&s.r[dst], &sv, op, is64);
				if (taken < 0) {
					scalar_refine(&td, &ts, &fd, &fs, &s.r[dst], &sv, op, is64);
					has_taken[at] = true;
					taken_state[at] = s;
					taken_state[at].r[dst] = td;
					if (x)
						taken_state[at].r[src] = ts;
					s.r[dst] = fd;
					if (x)
						s.r[src] = fs;
				}
			}
			decided[at] = (int8_t)taken;
			if (taken == 1)
				done = true;     /* the main path ends at the exit */
		}
		main_after[at] = s;
		on_main[at] = true;
	}
	*end = n;
	p[n++] = I(0x95, 0, 0, 0, 0);
	for (int j = 0; j < nj; j++)
		p[jumps[j]].off = (int16_t)(*end - jumps[j] - 1);
	return n;
}

static char logbuf[1 << 22], logcopy[1 << 22];

static int load(const struct ins *p, int n)
{
	return kernel_load(p, n, logbuf, sizeof(logbuf));
}

/* kernel text -> comparable text: drop a leading P and any id=N[+-K] */
static void normalize(const char *in, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	if (len && in[0] == 'P') {
		in++;
		len--;
	}
	for (size_t i = 0; i < len && o + 1 < outsz; i++) {
		if (!strncmp(in + i, "id=", 3) && (i == 0 || in[i - 1] == '(' || in[i - 1] == ',')) {
			size_t j = i + 3;

			while (j < len && (in[j] == '+' || in[j] == '-' || (in[j] >= '0' && in[j] <= '9')))
				j++;
			if (j < len && in[j] == ',')
				j++;
			i = j - 1;
			continue;
		}
		out[o++] = in[i];
	}
	out[o] = 0;
}

static long compared, mismatched, programs_rejected, invariant_warnings, branches, branch_mismatch;
static bool verbose, dumped;

/* Compare every "R<n>=<value>" in text (up to end of line) with sim. */
static void compare_regs(const char *text, const struct sim *s, int insn, const char *where,
			 const struct ins *p, int n)
{
	const char *q = text;

	while ((q = strchr(q, 'R'))) {
		char *e;
		long reg;
		const char *v, *next;
		char got[256], want[256];

		if (q != text && q[-1] != ' ') {
			q++;
			continue;
		}
		reg = strtol(q + 1, &e, 10);
		if (e == q + 1 || *e != '=') {
			q++;
			continue;
		}
		v = e + 1;
		next = v;
		/* the value runs to the next " R<digit>" or " fp" entry, or line end */
		for (;;) {
			const char *sp = strchr(next, ' ');

			if (!sp || sp[1] == '\n' || !sp[1]) {
				next = v + strcspn(v, "\n");
				break;
			}
			if ((sp[1] == 'R' && sp[2] >= '0' && sp[2] <= '9') || !strncmp(sp + 1, "fp", 2)) {
				next = sp;
				break;
			}
			next = sp + 1;
		}
		normalize(v, (size_t)(next - v), got, sizeof(got));
		q = next;
		if (reg < 0 || reg >= NREG || !s->scalar[reg])
			continue;
		if (strncmp(got, "scalar(", 7) && !(got[0] == '-' || (got[0] >= '0' && got[0] <= '9')))
			continue;
		scalar_fmt(want, sizeof(want), &s->r[reg], 0);
		compared++;
		if (strcmp(got, want)) {
			mismatched++;
			if (mismatched <= 10) {
				fprintf(stderr, "insn %d (%s) R%ld: kernel %s\n%*s ours   %s\n", insn, where, reg, got,
					(int)strlen(where) + 12, "", want);
				if (verbose) {
					(void)p;
					(void)n;
					fprintf(stderr, "%s\n", dumped ? "" : logcopy);
					dumped = true;
				}
			}
		}
	}
}

static void check_log(const struct ins *p, int n)
{
	char *line = logbuf;

	if (strstr(logbuf, "REG INVARIANTS VIOLATION")) {
		invariant_warnings++;
		if (verbose)
			fprintf(stderr, "invariant warning:\n%s\n", logbuf);
	}
	bool other_paths = false, main_path = true;

	dumped = false;
	memset(seen_from, 0, sizeof(seen_from));
	if (verbose)
		memcpy(logcopy, logbuf, sizeof(logbuf));
	while (line && *line) {
		char *nl = strchr(line, '\n');
		int a, b, used = 0;

		if (nl)
			*nl = 0;
		if (sscanf(line, "from %d to %d: %n", &a, &b, &used) == 2 && used) {
			/* a fork path (not a jump to the exit) replays later
			 * jumps with other states: stop there */
			if (b != n - 1)
				other_paths = true;
			if (a >= 0 && a < MAXI)
				seen_from[a] = true;
			if (!other_paths && a >= 0 && a < MAXI && has_taken[a] && strncmp(line + used, "safe", 4))
				compare_regs(line + used, &taken_state[a], a, "taken", p, n);
			main_path = false;
		} else if (main_path && sscanf(line, "%d: (%*2x) %n", &a, &used) == 1 && used) {
			char *semi = strstr(line + used, "; ");

			if (semi && a >= 0 && a < MAXI && on_main[a])
				compare_regs(semi + 2, &main_after[a], a, "main", p, n);
		}
		if (!nl)
			break;
		*nl = '\n';
		line = nl + 1;
	}
	/* every jump we left open the kernel pushed ("from J to ..."), and no
	 * jump we decided; jumps after a fork are replayed, so not judged */
	for (int j = 0; j < n && j < MAXI && (!fork_at || j < fork_at); j++) {
		if (decided[j] == -2 || decided[j] == 1)
			continue;
		branches++;
		if ((decided[j] < 0) != seen_from[j]) {
			branch_mismatch++;
			if (branch_mismatch <= 5)
				fprintf(stderr, "insn %d: we %s the jump, the kernel %s\n%s", j,
					decided[j] < 0 ? "left open" : "decided", seen_from[j] ? "pushed it" : "did not",
					verbose ? logcopy : "");
		}
	}
}

int main(int argc, char **argv)
{
	int programs = 2000;
	struct ins p[MAXI + 4];
	int fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (i == 1)
			programs = atoi(argv[i]);
		else
			rng = strtoull(argv[i], NULL, 0);
	}
	if (!rng)
		rng = 0x853c49e6748fea9bULL;
	int skip = kernel_oracle_skip();
	if (skip)
		return skip;
	for (int t = 0; t < programs; t++) {
		int end, n = generate(p, 8 + (int)below(60), &end);

		fd = load(p, n);
		if (fd >= 0)
			close(fd);
		else
			programs_rejected++;
		check_log(p, n);
	}
	printf("%d programs (%ld rejected by the kernel), %ld register values compared, %ld differ, "
	       "%ld jumps judged, %ld decided differently, %ld invariant warnings\n", programs,
	       programs_rejected, compared, mismatched, branches, branch_mismatch, invariant_warnings);
	T_OK(compared > 1000L * programs / 100, "enough values compared (%ld)", compared);
	T_EQ_U64(mismatched, 0, "values printed differently from the kernel");
	T_EQ_U64(branch_mismatch, 0, "jumps decided differently from the kernel");
	T_EQ_U64(programs_rejected, 0, "programs the kernel rejected");
	return t_done();
}
#else
int main(void)
{
	printf("no <linux/bpf.h>: skipped\n");
	return 77;
}
#endif
