/* fuzz_validate.c - libFuzzer target: arbitrary bytes -> program -> structural
 * validation -> (if valid) a run in the checked interpreter -> (if that run
 * succeeded) the same run in the fast engine, which must agree.
 *
 * Whatever the bytes, nothing may crash: validation must reject or accept
 * cleanly, and an accepted program must end (may_goto budget 1000,
 * instruction limit 100000) with r0 or a clean fault. A run the checked
 * engine completed touched only valid memory, so the fast engine can repeat
 * it safely: same r0, same memory, or the engines differ (abort). The host registry holds
 * the example functions and the conformance helpers whose pointer arguments
 * the checked engine can verify (strcmp_ext takes raw C strings, so it is
 * left out). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "vm/vm_int.h"   /* sbpf_vm_set_engine: same vm, same addresses, other engine */

static struct stackbpf_host *fuzz_host(void)
{
	static struct stackbpf_host *host;
	if (host)
		return host;
	struct stackbpf_host *all = stackbpf_host__new();
	host = stackbpf_host__new();
	if (!all || !host || stackbpf_host__add_examples(host) || stackbpf_host__add_conformance_helpers(all))
		abort();
	static const int32_t safe[] = { 0, 1, 2, 3, 5 };  /* not 4, strcmp_ext */
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (stackbpf_host__register_helper(host, safe[i], stackbpf_host__helper(all, safe[i])))
			abort();
	stackbpf_host__free(all);
	return host;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { MAX_INSNS = 4096 };
	size_t cnt = size / sizeof(struct stackbpf_insn);
	if (cnt == 0 || cnt > MAX_INSNS)
		return 0;
	struct stackbpf_insn *insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, cnt * sizeof(*insns));
	struct stackbpf_prog *prog = stackbpf_prog__from_insns(insns, cnt);
	free(insns);
	if (!prog)
		return 0;
	const char *msg;
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = fuzz_host());
	if (stackbpf_prog__validate(prog, &vopts, &msg) == 0) {
		STACKBPF_OPTS(stackbpf_vm_opts, xopts, .host = fuzz_host(), .checked = true,
			      .may_goto_budget = 1000, .insn_limit = 100000);
		struct stackbpf_vm *vm = stackbpf_vm__new(prog, &xopts);
		if (!vm)
			abort();   /* a validated program must always be accepted */
		uint8_t mem[64], after[64];
		for (size_t i = 0; i < sizeof(mem); i++)
			mem[i] = (uint8_t)i;
		uint64_t r0, r0_fast;
		int err = stackbpf_vm__run(vm, mem, sizeof(mem), &r0);
		if (err && !stackbpf_vm__errmsg(vm)[0])
			abort();   /* every fault explains itself */
		if (!err) {
			memcpy(after, mem, sizeof(mem));
			for (size_t i = 0; i < sizeof(mem); i++)
				mem[i] = (uint8_t)i;
			sbpf_vm_set_engine(vm, false);
			if (stackbpf_vm__run(vm, mem, sizeof(mem), &r0_fast) || r0_fast != r0 ||
			    memcmp(mem, after, sizeof(mem)))
				abort();   /* the engines disagree */
		}
		stackbpf_vm__free(vm);
	} else if (!msg || !msg[0]) {
		abort();           /* every rejection explains itself */
	}
	stackbpf_prog__free(prog);
	return 0;
}
