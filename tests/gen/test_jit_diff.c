/* test_jit_diff.c - interpreter vs JIT differential fuzzing: generated
 * programs (tests/gen/gen.h) that the verifier accepts run on both engines
 * with the same inputs; the error, r0, the input memory (or packet) after
 * the run and every map element must match.
 *
 * usage: gen_jit_diff [COUNT [SEED]]      fixed budget (default 20000; 10000
 *                                         under ASan)
 *        gen_jit_diff --forever DIR [SEED] until stopped: each mismatch is
 *                                         saved as DIR/mismatch-SEED.s (the
 *                                         reproducer, with its seed)
 * Programs the JIT does not compile (it falls back to the interpreter) are
 * counted, not compared. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gen/gen.h"
#include "testlib.h"

/* the CI budget: 20,000 programs; 10,000 under the sanitizers (each run
 * costs about three times as much there) */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
#define DEFAULT_BUDGET 10000
#else
#define DEFAULT_BUDGET 20000
#endif

static const enum stackbpf_prog_type types[] = {
	STACKBPF_PROG_UNSPEC, STACKBPF_PROG_SCHED_CLS, STACKBPF_PROG_XDP, STACKBPF_PROG_SOCKET_FILTER,
};

struct counts {
	unsigned long generated, verified, compared, not_compiled, mismatches;
};

/* 0 equal, 1 mismatch (described in why), -1 not compared */
static int compare(const struct gen_prog *g, char *why, size_t whysz, struct counts *c)
{
	struct gen_env ei, ej;
	int ret = -1;
	if (gen_env_new(g, &ei))
		return -1;
	if (gen_env_new(g, &ej)) {
		gen_env_free(&ei);
		return -1;
	}
	if (gen_verify(g, &ei, NULL, 0) == 0) {
		c->verified++;
		struct gen_result ri, rj;
		gen_run(g, &ei, STACKBPF_ENGINE_INTERP, false, &ri);
		gen_run(g, &ej, STACKBPF_ENGINE_JIT, false, &rj);
		if (rj.err == -1000) {
			c->not_compiled++;
		} else {
			c->compared++;
			ret = 0;
			if (ri.err != rj.err || (!ri.err && ri.r0 != rj.r0)) {
				snprintf(why, whysz, "interpreter: err %d r0 0x%llx (%s); jit: err %d r0 0x%llx (%s)", ri.err,
					 (unsigned long long)ri.r0, ri.msg, rj.err, (unsigned long long)rj.r0, rj.msg);
				ret = 1;
			} else if (gen_env_cmp(g, &ei, &ej, why, whysz)) {
				ret = 1;
			}
		}
	}
	gen_env_free(&ei);
	gen_env_free(&ej);
	return ret;
}

static int one(uint64_t seed, struct counts *c, const char *dir)
{
	struct gen_opts o = { .seed = seed, .type = types[seed % 8 < 5 ? 0 : 1 + seed % 8 - 5], .host = gen_host() };
	struct gen_prog g;
	char why[2048] = "";
	if (gen_program(&o, &g))
		return 0;
	c->generated++;
	int r = compare(&g, why, sizeof(why), c);
	if (r == 1) {
		c->mismatches++;
		if (dir) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/mismatch-%llu.s", dir, (unsigned long long)seed);
			FILE *f = fopen(path, "w");
			if (f) {
				fprintf(f, "# seed %llu: %s\n", (unsigned long long)seed, why);
				gen_write(f, &g, gen_host());
				fclose(f);
			}
			fprintf(stderr, "mismatch, seed %llu: saved %s\n", (unsigned long long)seed, path);
		} else if (c->mismatches <= 3) {
			fprintf(stderr, "seed %llu: interpreter and JIT differ: %s\n", (unsigned long long)seed, why);
			gen_write(stderr, &g, gen_host());
		}
	}
	gen_free(&g);
	return r;
}

/* The comparison is not blind: with the input changed, how many programs
 * return another r0 on the interpreter? */
static void sensitivity(uint64_t seed, int n)
{
	int tried = 0, changed = 0;
	for (uint64_t s = seed; tried < n && s < seed + 100 * (uint64_t)n; s++) {
		struct gen_opts o = { .seed = s, .host = gen_host() };
		struct gen_prog g, g2;
		struct gen_env a, b;
		if (gen_program(&o, &g))
			continue;
		if (g.mem_size && !gen_env_new(&g, &a)) {
			if (!gen_env_new(&g, &b)) {
				if (gen_verify(&g, &a, NULL, 0) == 0) {
					struct gen_result ra, rb;
					g2 = g;
					for (uint32_t i = 0; i < g2.mem_size; i++)
						g2.mem[i] ^= (uint8_t)(0x5a + i);
					gen_run(&g, &a, STACKBPF_ENGINE_INTERP, false, &ra);
					gen_run(&g2, &b, STACKBPF_ENGINE_INTERP, false, &rb);
					tried++;
					changed += ra.r0 != rb.r0;
				}
				gen_env_free(&b);
			}
			gen_env_free(&a);
		}
		gen_free(&g);
	}
	printf("sensitivity: %d of %d programs return another r0 when their input changes\n", changed, tried);
	T_OK(tried > 0 && changed * 4 >= tried, "only %d of %d programs depend on their input", changed, tried);
}

/* A reproducer must be the program: written, assembled back, same bytes. */
static void reproducers(uint64_t seed, int n)
{
	int same = 0;
	for (int i = 0; i < n; i++) {
		struct gen_opts o = { .seed = seed + (uint64_t)i, .type = types[i % 4], .host = gen_host() };
		struct gen_prog g;
		char *text = NULL;
		size_t len = 0;
		if (gen_program(&o, &g))
			continue;
		FILE *f = open_memstream(&text, &len);
		if (f) {
			gen_write(f, &g, gen_host());
			fclose(f);
			struct stackbpf_insn *insns = NULL;
			size_t cnt = 0;
			STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = gen_host());
			if (stackbpf_asm__text(text, len, &ao, &insns, &cnt) == 0 && cnt == g.cnt &&
			    memcmp(insns, g.insns, cnt * sizeof(*insns)) == 0)
				same++;
			else if (same == i)
				fprintf(stderr, "seed %llu: the reproducer does not assemble to the program:\n%s",
					(unsigned long long)o.seed, text);
			free(insns);
		}
		free(text);
		gen_free(&g);
	}
	printf("reproducers: %d of %d assemble back to the same bytes\n", same, n);
	T_EQ_U64(same, n, "reproducers that assemble back");
}

static void print_counts(const struct counts *c)
{
	printf("%lu generated, %lu verified, %lu compared on both engines, %lu not compiled by the JIT, "
	       "%lu mismatches\n",
	       c->generated, c->verified, c->compared, c->not_compiled, c->mismatches);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct counts c = { 0 };
	if (argc > 2 && strcmp(argv[1], "--forever") == 0) {
		const char *dir = argv[2];
		uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL) << 20;
		mkdir(dir, 0755);
		printf("fuzzing from seed %llu; mismatches go to %s\n", (unsigned long long)seed, dir);
		for (;; seed++) {
			one(seed, &c, dir);
			if (c.generated % 10000 == 0)
				print_counts(&c);
		}
	}
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : DEFAULT_BUDGET;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	for (unsigned long i = 0; i < count; i++)
		one(seed + i, &c, NULL);
	print_counts(&c);
	sensitivity(seed, 200);
	reproducers(seed, 200);
	T_OK(c.mismatches == 0, "%lu programs differ between the interpreter and the JIT", c.mismatches);
	T_OK(c.compared * 2 >= c.generated, "only %lu of %lu programs compared", c.compared, c.generated);
	return t_done();
}
