/* program.c - the program object: an owned copy of the instructions, and the
 * entry point of structural validation (the rules live in isa/validate.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa/validate.h"
#include "stackbpf/stackbpf.h"

struct stackbpf_prog {
	struct stackbpf_insn *insns;
	size_t cnt;
	char errmsg[256];
};

struct stackbpf_prog *stackbpf_prog__from_insns(const struct stackbpf_insn *insns, size_t cnt)
{
	if ((!insns && cnt) || cnt > SBPF_MAX_INSNS)
		return NULL;
	struct stackbpf_prog *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->insns = malloc(cnt ? cnt * sizeof(*insns) : 1);
	if (!p->insns) {
		free(p);
		return NULL;
	}
	if (cnt)
		memcpy(p->insns, insns, cnt * sizeof(*insns));
	p->cnt = cnt;
	return p;
}

void stackbpf_prog__free(struct stackbpf_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog);
}

const struct stackbpf_insn *stackbpf_prog__insns(const struct stackbpf_prog *prog)
{
	return prog ? prog->insns : NULL;
}

size_t stackbpf_prog__insn_cnt(const struct stackbpf_prog *prog)
{
	return prog ? prog->cnt : 0;
}

int stackbpf_prog__validate(struct stackbpf_prog *prog, const struct stackbpf_validate_opts *opts,
			    const char **errmsg)
{
	if (!prog) {
		if (errmsg)
			*errmsg = "no program";
		return -EINVAL;
	}
	int err = sbpf_validate(prog->insns, prog->cnt, opts, prog->errmsg, sizeof(prog->errmsg));
	if (errmsg)
		*errmsg = err == -ENOMEM ? "out of memory" : prog->errmsg;
	return err;
}
