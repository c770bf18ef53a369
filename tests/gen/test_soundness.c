/* test_soundness.c - the verifier's soundness against the checked
 * interpreter: thousands of generated programs (tests/gen/gen.h) of every
 * program type are verified, and every accepted one runs in the checked
 * engine, which validates each memory access against the regions the
 * program was given: no accepted program may fault. Each accepted program
 * also yields a mutant (one field of one instruction changed): the
 * ones the verifier accepts may not fault either. Then every accepted
 * program of tests/data runs again on random input contents (vt_data runs
 * them on the file's own input; an accepted program must be safe for all).
 *
 * usage: gen_soundness [COUNT [SEED]] [--reasons] [--show-rejects N [--log LEVEL]]
 * Prints generated / accepted / rejected / run counts per program type and
 * the most frequent rejection reasons. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "testlib.h"
#include "text/datafile.h"

struct reason {
	char msg[160];
	int n;
	uint64_t seed;
};

static struct reason reasons[64];
static int nreasons;

static void count_reason(const char *msg, uint64_t seed)
{
	char m[160];
	snprintf(m, sizeof(m), "%.*s", (int)sizeof(m) - 1, msg);
	/* numbers make every message distinct: keep the words only */
	for (char *p = m; *p; p++)
		if (*p >= '0' && *p <= '9')
			*p = '#';
	for (int i = 0; i < nreasons; i++)
		if (strcmp(reasons[i].msg, m) == 0) {
			reasons[i].n++;
			return;
		}
	if (nreasons < 64) {
		memcpy(reasons[nreasons].msg, m, sizeof(m));
		reasons[nreasons].seed = seed;
		reasons[nreasons++].n = 1;
	}
}

static int by_count(const void *a, const void *b)
{
	return ((const struct reason *)b)->n - ((const struct reason *)a)->n;
}

static const struct {
	enum stackbpf_prog_type type;
	const char *name;
} types[] = {
	{ STACKBPF_PROG_UNSPEC, "raw" },
	{ STACKBPF_PROG_SOCKET_FILTER, "socket" },
	{ STACKBPF_PROG_SCHED_CLS, "tc" },
	{ STACKBPF_PROG_XDP, "xdp" },
};
enum { NTYPES = 4 };

struct counts {
	int generated, accepted, rejected, unsupported, run, faults;
};

/* what the accepted programs contained */
static struct {
	unsigned long insns, with_calls, with_r11, with_host, with_loops, with_maps, args12;
	unsigned long edge, edge_rejected;   /* with a deliberate out-of-bounds access */
} mix;

static int show_rejects, show_log;

/* mutants: accepted programs with one field of one instruction changed */
static struct {
	int made, accepted, run, timeouts, faults;
} mut;

static uint64_t mrng = 0x1234567;

static uint32_t mrnd(uint32_t n)
{
	mrng ^= mrng << 13;
	mrng ^= mrng >> 7;
	mrng ^= mrng << 17;
	return (uint32_t)(mrng % n);
}

static void mutate(struct gen_prog *g)
{
	size_t i = mrnd((uint32_t)g->cnt);
	struct stackbpf_insn *in = &g->insns[i];
	static const int32_t nudge[] = { -8, -4, -2, -1, 1, 2, 4, 8 };
	switch (mrnd(7)) {
	case 0: in->off = (int16_t)(in->off + nudge[mrnd(8)]); break;
	case 1: in->imm = (int32_t)((uint32_t)in->imm + (uint32_t)nudge[mrnd(8)]); break;
	case 2: in->imm = (int32_t[]){ 0, -1, 0x7fffffff, (int32_t)0x80000000, 64, 4096 }[mrnd(6)]; break;
	case 3: in->src = (uint8_t)mrnd(11); break;
	case 4: in->dst = (uint8_t)mrnd(11); break;
	case 5:   /* another operation or size of the same class */
		in->code = (uint8_t)((in->code & 0x0f) | (mrnd(16) << 4));
		break;
	default:  /* another jump condition / size */
		in->code ^= (uint8_t)(mrnd(2) ? 0x08 : 0x10);
		break;
	}
}

static void mutants(const struct gen_prog *orig, int n)
{
	for (int k = 0; k < n; k++) {
		struct gen_prog g = *orig;
		struct gen_env e;
		g.insns = malloc(g.cnt * sizeof(*g.insns));
		if (!g.insns)
			return;
		memcpy(g.insns, orig->insns, g.cnt * sizeof(*g.insns));
		mutate(&g);
		mut.made++;
		if (!gen_env_new(&g, &e)) {
			e.insn_limit = 2000000;
			/* structural checks first, as a loader would do */
			STACKBPF_OPTS(stackbpf_validate_opts, vo, .host = gen_host());
			const char *msg;
			if (stackbpf_prog__validate(e.prog, &vo, &msg) == 0 && gen_verify(&g, &e, NULL, 0) == 0) {
				struct gen_result r;
				mut.accepted++;
				gen_run(&g, &e, STACKBPF_ENGINE_INTERP, true, &r);
				mut.run++;
				if (r.err == -ETIME) {
					mut.timeouts++;
				} else if (r.err) {
					mut.faults++;
					if (mut.faults <= 3) {
						fprintf(stderr, "mutant of seed %llu accepted but the checked run fails (%d): %s\n",
							(unsigned long long)g.seed, r.err, r.msg);
						gen_write(stderr, &g, gen_host());
					}
				}
			}
			gen_env_free(&e);
		}
		free(g.insns);
	}
}

static void one(uint64_t seed, int ti, struct counts *c)
{
	struct gen_opts o = { .seed = seed, .type = types[ti].type, .host = gen_host() };
	struct gen_prog g;
	struct gen_env e;
	char err[512];
	if (gen_program(&o, &g) || gen_env_new(&g, &e)) {
		T_OK(0, "seed %llu: out of memory", (unsigned long long)seed);
		gen_free(&g);
		return;
	}
	c->generated++;
	STACKBPF_OPTS(stackbpf_verify_stats, st1);
	STACKBPF_OPTS(stackbpf_verify_stats, st2);
	int verr = gen_verify_level(&g, &e, 1, err, sizeof(err), &st1);
	/* the walk's shortcuts (off at log level 2, which shows every
	 * backtracking step) change neither the verdict nor the statistics */
	char err2[512];
	int verr2 = gen_verify_level(&g, &e, 2, err2, sizeof(err2), &st2);
	T_OK(verr == verr2 && (!verr || !strcmp(err, err2)) && st1.insns_processed == st2.insns_processed &&
		     st1.total_states == st2.total_states && st1.peak_states == st2.peak_states,
	     "seed %llu: level 1 and level 2 differ: %d/%d \"%s\"/\"%s\" processed %llu/%llu states %u/%u",
	     (unsigned long long)seed, verr, verr2, err, err2, (unsigned long long)st1.insns_processed,
	     (unsigned long long)st2.insns_processed, st1.total_states, st2.total_states);
	mix.edge += g.nedge > 0;
	mix.edge_rejected += g.nedge > 0 && verr;
	if (verr == -EOPNOTSUPP) {
		c->unsupported++;
	} else if (verr) {
		c->rejected++;
		count_reason(err, seed);
		if (show_rejects > 0) {
			show_rejects--;
			printf("--- seed %llu rejected: %s\n", (unsigned long long)seed, err);
			gen_write(stdout, &g, gen_host());
			if (show_log)
				gen_verify_print(&g, &e, show_log, stdout);
		}
	} else {
		c->accepted++;
		mix.insns += g.cnt;
		mix.with_calls += g.ncalls > 0;
		mix.with_r11 += g.nr11 > 0;
		mix.with_host += g.nhost > 0;
		mix.with_loops += g.nloops > 0;
		mix.with_maps += g.nmapops > 0;
		mix.args12 += g.max_args == 12;
		struct gen_result r;
		gen_run(&g, &e, STACKBPF_ENGINE_INTERP, true, &r);
		c->run++;
		if (!r.err)
			mutants(&g, 1);
		if (r.err) {
			c->faults++;
			if (c->faults <= 3) {
				fprintf(stderr, "seed %llu (%s): accepted but the checked run fails (%d): %s\n",
					(unsigned long long)seed, types[ti].name, r.err, r.msg);
				gen_write(stderr, &g, gen_host());
			}
		}
	}
	gen_env_free(&e);
	gen_free(&g);
}

/* accepted tests/data programs on random inputs of their input's size */
static void data_programs(uint64_t seed, int variants)
{
	const char *dir = STACKBPF_TESTS_DIR "/data";
	DIR *d = opendir(dir);
	if (!d) {
		T_OK(0, "cannot open %s", dir);
		return;
	}
	struct stackbpf_host *h = stackbpf_host__new();
	if (!h || stackbpf_host__add_examples(h) || stackbpf_host__add_conformance_helpers(h))
		abort();
	int files = 0, accepted = 0, runs = 0, faults = 0;
	uint64_t rng = seed | 1;
	for (struct dirent *de; (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".data"))
			continue;
		char path[1024], err[256];
		struct sbpf_datafile df;
		struct stackbpf_insn *insns = NULL;
		size_t cnt = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (sbpf_datafile_load(path, &df, err, sizeof(err)))
			continue;
		files++;
		if (sbpf_datafile_program(&df, h, &insns, &cnt, err, sizeof(err))) {
			sbpf_datafile_free(&df);
			continue;
		}
		struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
		STACKBPF_OPTS(stackbpf_verify_opts, vo, .host = h, .mem_size = (uint32_t)df.mem_len);
		if (p && stackbpf_prog__verify(p, &vo, NULL) == 0) {
			accepted++;
			STACKBPF_OPTS(stackbpf_vm_opts, o, .host = h, .checked = true, .insn_limit = 50000000);
			struct stackbpf_vm *vm = stackbpf_vm__new(p, &o);
			uint8_t *mem = df.mem_len ? malloc(df.mem_len) : NULL;
			for (int v = 0; vm && v < variants; v++) {
				for (size_t i = 0; i < df.mem_len; i++) {
					rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
					mem[i] = (uint8_t)(v == 0 ? 0 : v == 1 ? 0xff : rng);
				}
				uint64_t r0;
				int rerr = stackbpf_vm__run(vm, mem, df.mem_len, &r0);
				runs++;
				if (rerr) {
					faults++;
					fprintf(stderr, "%s: accepted but faults on input variant %d: %s\n", de->d_name, v,
						stackbpf_vm__errmsg(vm));
				}
			}
			free(mem);
			stackbpf_vm__free(vm);
		}
		stackbpf_prog__free(p);
		free(insns);
		sbpf_datafile_free(&df);
	}
	closedir(d);
	stackbpf_host__free(h);
	printf("tests/data: %d programs, %d accepted, %d checked runs on random inputs, %d faulted\n", files,
	       accepted, runs, faults);
	T_OK(files > 50, "only %d .data programs", files);
	T_OK(faults == 0, "%d runs of accepted tests/data programs faulted", faults);
}

int main(int argc, char **argv)
{
	int count = 4000;
	uint64_t seed = 1;
	bool show_reasons = false;
	int pos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reasons") == 0)
			show_reasons = true;
		else if (strcmp(argv[i], "--show-rejects") == 0 && i + 1 < argc)
			show_rejects = atoi(argv[++i]);
		else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc)
			show_log = atoi(argv[++i]);
		else if (pos++ == 0)
			count = atoi(argv[i]);
		else
			seed = strtoull(argv[i], NULL, 0);
	}
	struct counts c[NTYPES], all = { 0 };
	memset(c, 0, sizeof(c));
	for (int i = 0; i < count; i++) {
		/* most programs raw (every feature), the rest packet types */
		uint64_t sd = seed + (uint64_t)i;
		int ti = sd % 8 < 5 ? 0 : (int)(sd % 8) - 4;
		one(sd, ti, &c[ti]);
	}
	for (int t = 0; t < NTYPES; t++) {
		printf("%-7s %5d generated, %5d accepted, %5d rejected, %5d type not supported, %5d run, %d faulted\n",
		       types[t].name, c[t].generated, c[t].accepted, c[t].rejected, c[t].unsupported, c[t].run,
		       c[t].faults);
		all.generated += c[t].generated;
		all.accepted += c[t].accepted;
		all.rejected += c[t].rejected;
		all.unsupported += c[t].unsupported;
		all.run += c[t].run;
		all.faults += c[t].faults;
	}
	printf("total   %5d generated, %5d accepted (%.1f%%), %5d rejected, %5d run, %d faulted\n", all.generated,
	       all.accepted, 100.0 * all.accepted / (all.generated ? all.generated : 1), all.rejected, all.run,
	       all.faults);
	printf("accepted programs: %lu insns on average; %lu with BPF-to-BPF calls, %lu with stack arguments "
	       "(%lu with a 12-argument call), %lu with host calls, %lu with loops, %lu with map operations\n",
	       mix.insns / (all.accepted ? (unsigned long)all.accepted : 1), mix.with_calls, mix.with_r11, mix.args12,
	       mix.with_host, mix.with_loops, mix.with_maps);
	printf("%lu programs with a deliberate out-of-bounds access, %lu of them rejected (the others have it on "
	       "a path the verifier proves dead, or the checked run above catches it)\n",
	       mix.edge, mix.edge_rejected);
	qsort(reasons, (size_t)nreasons, sizeof(reasons[0]), by_count);
	for (int i = 0; i < nreasons && (show_reasons || i < 8); i++)
		printf("  %5d x %s (e.g. seed %llu)\n", reasons[i].n, reasons[i].msg,
		       (unsigned long long)reasons[i].seed);
	printf("mutants: %d made, %d accepted, %d run, %d stopped at the instruction limit, %d faulted\n", mut.made,
	       mut.accepted, mut.run, mut.timeouts, mut.faults);
	T_OK(all.faults == 0, "%d accepted programs faulted in the checked interpreter", all.faults);
	T_OK(mut.faults == 0, "%d accepted mutants faulted in the checked interpreter", mut.faults);
	/* the generator must keep producing programs that verify */
	T_OK(c[0].accepted * 2 >= c[0].generated, "raw: only %d of %d accepted", c[0].accepted, c[0].generated);
	data_programs(seed, 8);
	return t_done();
}
