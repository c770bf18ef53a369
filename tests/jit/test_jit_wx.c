/* test_jit_wx.c - W^X: while JIT code runs (from inside a host function it
 * calls), no mapping of the process is both writable and executable, and the
 * code itself lives in a read+execute mapping. */
#include <stdlib.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

#define INSN(c, d, s, o, i) ((struct stackbpf_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })

static uintptr_t code_addr;
static char code_perms[8];

/* number of mappings with both 'w' and 'x'; records the perms of the code */
static uint64_t scan_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return 1000;
	char line[512];
	uint64_t wx = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (strchr(perms, 'w') && strchr(perms, 'x')) {
			fprintf(stderr, "writable and executable: %s", line);
			wx++;
		}
		if (code_addr >= lo && code_addr < hi)
			snprintf(code_perms, sizeof(code_perms), "%s", perms);
	}
	fclose(f);
	return wx;
}

int main(void)
{
	struct stackbpf_host *h = stackbpf_host__new();
	struct stackbpf_fn_desc d = { .sz = sizeof(d), .name = "scan_maps", .fn = (void *)scan_maps, .nargs = 0 };
	int id = stackbpf_host__register(h, &d);
	const struct stackbpf_insn insns[] = {
		INSN(0xb7, 0, 0, 0, 55),      /* r0 = 55 (overwritten by the call) */
		INSN(0x85, 0, 2, 0, id),      /* call scan_maps */
		INSN(0x95, 0, 0, 0, 0),
	};
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, 3);
	STACKBPF_OPTS(stackbpf_vm_opts, o, .host = h, .engine = STACKBPF_ENGINE_JIT);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &o);
	size_t size = 0;
	code_addr = (uintptr_t)stackbpf_vm__jit_code(vm, &size);
	T_OK(code_addr != 0 && size > 0, "compiled: %zu bytes", size);
	uint64_t r0 = 99;
	T_EQ_U64(stackbpf_vm__run(vm, NULL, 0, &r0), 0, "run");
	T_EQ_U64(r0, 0, "mappings both writable and executable during the run");
	T_EQ_STR(code_perms, "r-xp", "permissions of the JIT code");
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	stackbpf_host__free(h);
	return t_done();
}
