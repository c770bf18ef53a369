/* test_threads.c - the verifier in several threads at once. The walk keeps
 * per-thread caches (recycled frame blocks, checkpoint arenas, the last
 * tnum product, the scalars of unknown loads): each thread must get the
 * same verdict and statistics as a verification alone, and a thread's
 * caches must be freed when it exits (under AddressSanitizer the leak
 * checker sees anything left behind). The programs are the bench
 * workloads bsort, fnv1a and memrw: thousands of states, branches and
 * checkpoints each. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "vt.h"

enum { NTHREADS = 4, ROUNDS = 5, NPROGS = 3 };

static const char *const names[NPROGS] = { "bsort", "fnv1a", "memrw" };

struct prog {
	struct stackbpf_insn *insns;
	size_t cnt;
	int err;
	struct stackbpf_verify_stats st;
};

static struct prog progs[NPROGS];

struct result {
	int mismatches;
	char why[256];
};

static int verify(const struct prog *p, struct stackbpf_verify_stats *st)
{
	struct stackbpf_prog *prog = stackbpf_prog__from_insns(p->insns, p->cnt);
	if (!prog)
		return -ENOMEM;
	STACKBPF_OPTS(stackbpf_verify_opts, o, .mem_size = 4096);
	int err = stackbpf_prog__verify(prog, &o, st);
	stackbpf_prog__free(prog);
	return err;
}

static void *worker(void *arg)
{
	struct result *r = arg;
	for (int round = 0; round < ROUNDS; round++)
		for (int i = 0; i < NPROGS; i++) {
			STACKBPF_OPTS(stackbpf_verify_stats, st);
			int err = verify(&progs[i], &st);
			if (err != progs[i].err || st.insns_processed != progs[i].st.insns_processed ||
			    st.total_states != progs[i].st.total_states || st.peak_states != progs[i].st.peak_states) {
				if (!r->mismatches)
					snprintf(r->why, sizeof(r->why), "%s: err %d processed %llu states %u, alone %d %llu %u",
						 names[i], err, (unsigned long long)st.insns_processed, st.total_states,
						 progs[i].err, (unsigned long long)progs[i].st.insns_processed,
						 progs[i].st.total_states);
				r->mismatches++;
			}
		}
	return NULL;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = f ? calloc(1, 1 << 16) : NULL;
	*len = s ? fread(s, 1, (1 << 16) - 1, f) : 0;
	if (f)
		fclose(f);
	return s;
}

int main(void)
{
	for (int i = 0; i < NPROGS; i++) {
		char path[512];
		size_t len;
		snprintf(path, sizeof(path), "%s/../bench/progs/%s.s", STACKBPF_TESTS_DIR, names[i]);
		char *text = read_all(path, &len);
		STACKBPF_OPTS(stackbpf_asm_opts, ao, .filename = path);
		T_OK(text && stackbpf_asm__text(text, len, &ao, &progs[i].insns, &progs[i].cnt) == 0, "%s: cannot assemble",
		     path);
		free(text);
		if (!progs[i].insns)
			return t_done();
		progs[i].st.sz = sizeof(progs[i].st);
		progs[i].err = verify(&progs[i], &progs[i].st);
		/* the walks are long enough to use every cache */
		T_OK(progs[i].st.insns_processed > 4000 && progs[i].st.total_states > 50, "%s: %llu insns, %u states",
		     names[i], (unsigned long long)progs[i].st.insns_processed, progs[i].st.total_states);
	}
	pthread_t t[NTHREADS];
	struct result r[NTHREADS] = { { 0 } };
	for (int k = 0; k < NTHREADS; k++)
		T_OK(pthread_create(&t[k], NULL, worker, &r[k]) == 0, "pthread_create");
	for (int k = 0; k < NTHREADS; k++) {
		pthread_join(t[k], NULL);
		T_OK(r[k].mismatches == 0, "thread %d: %d verifications differ from one alone; first: %s", k,
		     r[k].mismatches, r[k].why);
	}
	printf("%d threads x %d rounds x %d programs: verdicts and statistics as alone\n", NTHREADS, ROUNDS, NPROGS);
	for (int i = 0; i < NPROGS; i++)
		free(progs[i].insns);
	return t_done();
}
