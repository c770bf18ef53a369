/* testlib.h - the tiny assertion kit every test binary uses.
 *
 * A test binary calls the T_* checks, then `return t_done();`, which prints
 * "N passed, N failed" as its last line (ctest and CI read it) and returns the
 * exit code. A failed check prints file:line and what differed. */
#ifndef STACKBPF_TESTLIB_H
#define STACKBPF_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_OK(cond, ...) do { \
	if (cond) { t_pass++; } else { t_fail++; \
		fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define T_EQ_U64(got, want, what) do { \
	uint64_t t_g_ = (uint64_t)(got), t_w_ = (uint64_t)(want); \
	T_OK(t_g_ == t_w_, "%s: got 0x%" PRIx64 ", want 0x%" PRIx64, (what), t_g_, t_w_); \
} while (0)

#define T_EQ_STR(got, want, what) do { \
	const char *t_g_ = (got), *t_w_ = (want); \
	T_OK(t_g_ && t_w_ && strcmp(t_g_, t_w_) == 0, "%s: got \"%s\", want \"%s\"", (what), \
	     t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)"); \
} while (0)

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
