/* fuzz_object.c - libFuzzer target: arbitrary bytes -> stackbpf_object__open_mem.
 *
 * Whatever the bytes, nothing may crash or leak: a rejected object returns
 * NULL with errno EINVAL (or ENOMEM) after exactly one log line that starts
 * with the object's name; an accepted one is walked completely (programs,
 * functions, BTF prototypes, line info, kfuncs, map dumps) and every linked
 * program goes through structural validation, which must explain any
 * rejection. Programs are not run: without the verifier, forged map or
 * ringbuf-sample arguments would reach the helpers. Maps are limited to 1 MiB
 * each. Seeds: the .elf files of tests/fuzz/corpus/object, fixtures of tests/obj built by
 * clang 14 (and one by clang-22 -mcpu=v4), debug info stripped with
 * `llvm-objcopy --strip-debug`, named .elf because .gitignore ignores *.o. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"

static int lines;
static char first[600];

static void count(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	if (!lines++)
		snprintf(first, sizeof(first), "%s", msg);
}

static struct stackbpf_host *fuzz_host(void)
{
	static struct stackbpf_host *host;
	if (!host) {
		host = stackbpf_host__new();
		if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, NULL))
			abort();
	}
	return host;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	lines = 0;
	STACKBPF_OPTS(stackbpf_object_opts, o, .name = "fuzz.o", .host = fuzz_host(), .log = count,
		      .map_mem_limit = 1 << 20);
	errno = 0;
	struct stackbpf_object *obj = stackbpf_object__open_mem(data, size, &o);
	if (!obj) {
		if (errno == ENOMEM)
			return 0;
		if (errno != EINVAL || lines < 1 || strncmp(first, "fuzz.o: ", 8) != 0)
			abort();   /* every rejection explains itself, once */
		return 0;
	}
	if (lines)
		abort();       /* an accepted object logs nothing */
	for (size_t i = 0; i < stackbpf_object__prog_cnt(obj); i++) {
		struct stackbpf_program *p = stackbpf_object__prog(obj, i);
		if (!stackbpf_program__name(p) || !stackbpf_program__section(p))
			abort();
		size_t cnt = stackbpf_prog__insn_cnt(stackbpf_program__prog(p));
		for (size_t f = 0; f < stackbpf_program__func_cnt(p); f++) {
			const struct stackbpf_func *fn = stackbpf_program__func(p, f);
			if (fn->insn_off + (size_t)fn->insn_cnt > cnt)
				abort();
			for (int k = 0; k < fn->nparams && k < 12; k++)
				if (!fn->param_names[k])
					abort();
		}
		for (size_t l = 0; l < stackbpf_program__line_cnt(p); l++) {
			const struct stackbpf_line *ln = stackbpf_program__line(p, l);
			if (ln->insn_off >= cnt || !ln->file || !ln->src)
				abort();
		}
		for (size_t k = 0; k < stackbpf_program__kfunc_cnt(p); k++)
			if (stackbpf_program__kfunc(p, k)->host_id < 1)
				abort();
		const char *msg;
		STACKBPF_OPTS(stackbpf_validate_opts, vo, .host = fuzz_host());
		if (stackbpf_prog__validate(stackbpf_program__prog(p), &vo, &msg) && (!msg || !msg[0]))
			abort();
	}
	for (size_t i = 0; i < stackbpf_object__map_cnt(obj); i++)
		if (stackbpf_map__dump(stackbpf_object__map(obj, i), devnull))
			abort();
	stackbpf_object__close(obj);
	return 0;
}
