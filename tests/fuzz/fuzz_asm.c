/* fuzz_asm.c - libFuzzer target for the assembler and disassembler.
 *
 * The input is assembled in every syntax; whatever assembles is printed in
 * kernel, LLVM and bpf_conformance syntax and must assemble back to the same
 * instructions. The input bytes are also taken as raw instructions and must
 * survive disassembly and reassembly unchanged. Any difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"

static const struct stackbpf_host *fuzz_host(void)
{
	static struct stackbpf_host *host;
	if (!host) {
		host = stackbpf_host__new();
		if (host)
			stackbpf_host__add_examples(host);
	}
	return host;
}

static void roundtrip(const struct stackbpf_insn *insns, size_t cnt)
{
	static const enum stackbpf_syntax syns[] = {
		STACKBPF_SYNTAX_KERNEL, STACKBPF_SYNTAX_LLVM, STACKBPF_SYNTAX_CONFORMANCE,
	};
	for (size_t k = 0; k < 3; k++) {
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		if (!mem)
			abort();
		STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = syns[k], .host = fuzz_host());
		if (stackbpf_disasm__prog(mem, insns, cnt, &dopts))
			abort();
		fclose(mem);
		STACKBPF_OPTS(stackbpf_asm_opts, aopts, .syntax = syns[k], .host = fuzz_host());
		struct stackbpf_insn *back = NULL;
		size_t n = 0;
		if (stackbpf_asm__text(text, len, &aopts, &back, &n) != 0 || n != cnt ||
		    memcmp(back, insns, cnt * sizeof(*insns)) != 0) {
			fprintf(stderr, "round trip failed in syntax %d:\n%s\n", (int)syns[k], text);
			abort();
		}
		free(back);
		free(text);
		/* and one instruction at a time */
		for (size_t i = 0; i < cnt; i++) {
			char buf[256];
			if (stackbpf_disasm__insn(insns, cnt, i, &dopts, buf, sizeof(buf)) < 1)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum stackbpf_syntax all[] = {
		STACKBPF_SYNTAX_AUTO, STACKBPF_SYNTAX_LLVM, STACKBPF_SYNTAX_KERNEL, STACKBPF_SYNTAX_CONFORMANCE,
	};
	for (size_t k = 0; k < 4; k++) {
		STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = all[k], .host = fuzz_host());
		struct stackbpf_insn *insns = NULL;
		size_t cnt = 0;
		if (stackbpf_asm__text((const char *)data, size, &opts, &insns, &cnt) == 0) {
			roundtrip(insns, cnt);
			free(insns);
		}
	}
	if (size >= 8 && size <= 8 * 4096) {
		struct stackbpf_insn *raw = malloc(size / 8 * sizeof(*raw));
		if (!raw)
			return 0;
		memcpy(raw, data, size / 8 * 8);
		roundtrip(raw, size / 8);
		free(raw);
	}
	return 0;
}
