/* jit_dump.c - listing of JIT code: the trampoline, then each BPF instruction
 * (kernel syntax, with its index) followed by its native instructions as
 * capstone disassembles them, then the out-of-line fault stubs. Without
 * capstone the native bytes are printed in hex. */
#include "jit/jit.h"

#include <inttypes.h>

#ifdef SBPF_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

static void block(FILE *out, const struct sbpf_jit *jit, uint32_t from, uint32_t to, void *cs)
{
	if (from >= to)
		return;
#ifdef SBPF_HAVE_CAPSTONE
	if (cs) {
		csh h = *(csh *)cs;
		cs_insn *ins;
		size_t n = cs_disasm(h, jit->code + from, to - from, (uint64_t)from, 0, &ins);
		uint32_t done = from;
		for (size_t k = 0; k < n; k++) {
			char hex[64];
			int len = 0;
			for (size_t j = 0; j < ins[k].size && len < 60; j++)
				len += snprintf(hex + len, sizeof(hex) - (size_t)len, "%02x ", ins[k].bytes[j]);
			fprintf(out, "  %5" PRIx64 ":  %-30s %s %s\n", ins[k].address, hex, ins[k].mnemonic, ins[k].op_str);
			done = (uint32_t)(ins[k].address + ins[k].size);
		}
		if (n)
			cs_free(ins, n);
		from = done;
		if (from >= to)
			return;
	}
#else
	(void)cs;
#endif
	for (uint32_t a = from; a < to; a += 16) {
		fprintf(out, "  %5" PRIx32 ":  ", a);
		for (uint32_t j = a; j < to && j < a + 16; j++)
			fprintf(out, "%02x ", jit->code[j]);
		fputc('\n', out);
	}
}

int sbpf_jit_dump(FILE *out, const struct sbpf_jit *jit, const struct stackbpf_insn *insns,
		  const struct stackbpf_host *host)
{
	void *cs = NULL;
#ifdef SBPF_HAVE_CAPSTONE
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK)
		cs = &h;
#endif
	STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = STACKBPF_SYNTAX_KERNEL, .host = host);
	fprintf(out, "; entry trampoline\n");
	block(out, jit, 0, jit->unwind_off, cs);
	fprintf(out, "; early end (r0 = 0)\n");
	block(out, jit, jit->unwind_off, jit->fault_off, cs);
	fprintf(out, "; fault exit\n");
	block(out, jit, jit->fault_off, jit->block_off[0], cs);
	for (size_t i = 0; i < jit->cnt;) {
		char text[160];
		int used = stackbpf_disasm__insn(insns, jit->cnt, i, &dopts, text, sizeof(text));
		if (used < 1) {
			snprintf(text, sizeof(text), "(code 0x%02x)", insns[i].code);
			used = 1;
		}
		size_t next = i + (size_t)used;
		if (jit->block_off[i] != jit->insn_off[i]) {
			fprintf(out, "; subprogram at insn %zu: prologue\n", i);
			block(out, jit, jit->block_off[i], jit->insn_off[i], cs);
		}
		fprintf(out, "; %zu: %s\n", i, text);
		block(out, jit, jit->insn_off[i], next < jit->cnt ? jit->block_off[next] : jit->stubs_off, cs);
		i = next;
	}
	if (jit->stubs_off < jit->size) {
		fprintf(out, "; fault stubs\n");
		block(out, jit, jit->stubs_off, (uint32_t)jit->size, cs);
	}
#ifdef SBPF_HAVE_CAPSTONE
	if (cs)
		cs_close(&h);
#endif
	return 0;
}
