/* cmd_asm.c - `stackbpf asm`: assemble text to raw bytecode, or with --elf
 * to a relocatable BPF ELF object (stackbpf_asm__elf). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static void asm_usage(FILE *out)
{
	fputs("usage: stackbpf asm [--syntax llvm|kernel|conformance|auto] [--elf] IN [-o OUT]\n"
	      "\n"
	      "Assemble BPF text to raw bytecode: 8-byte little-endian instructions,\n"
	      "the kernel's struct bpf_insn layout.\n"
	      "\n"
	      "options:\n"
	      "  --syntax S   the dialect of IN (default auto: `%r` registers mean\n"
	      "               bpf_conformance, `goto pc+2` or `(r1 +8)` mean kernel,\n"
	      "               anything else LLVM). llvm and kernel each accept the\n"
	      "               other's forms too.\n"
	      "                 llvm:        r1 = *(u64 *)(r2 + 8); if r1 > 5 goto +2\n"
	      "                 kernel:      r1 = *(u64 *)(r2 +8); if r1 > 0x5 goto pc+2\n"
	      "                 conformance: ldxdw %r1, [%r2+8]; jgt %r1, 5, +2\n"
	      "               example: stackbpf asm --syntax conformance prog.s\n"
	      "  -o OUT       write the bytecode to OUT (default: IN with its extension\n"
	      "               replaced by .bin, or .o with --elf; `-o -` writes to\n"
	      "               stdout, bytecode only)\n"
	      "               example: stackbpf asm prog.s -o /tmp/prog.bin\n"
	      "  --elf        write a relocatable BPF ELF object with symbols, call\n"
	      "               relocations and BTF, loadable by `stackbpf run OUT.o`\n"
	      "               and (without r11 or host calls) by libbpf. Directives:\n"
	      "                 .section NAME          code that follows goes to program\n"
	      "                                        section NAME (xdp, socket, tc, ...);\n"
	      "                                        .text holds static subprograms\n"
	      "                 .func NAME(a, b, ...)  NAME takes these parameters, all\n"
	      "                                        u64 (at most 12): BTF FUNC and\n"
	      "                                        FUNC_PROTO; `.func NAME()` for none\n"
	      "                 .license \"GPL\"         the license section\n"
	      "               Labels named by .func, called, or opening a section are\n"
	      "               functions. `call HOSTFN` becomes a __ksym extern.\n"
	      "               example: stackbpf asm --elf examples/sum12_elf.s -o sum12.o\n"
	      "  -h, --help   show this help\n"
	      "\n"
	      "`call NAME` names a label in the file (BPF-to-BPF call), else a Linux\n"
	      "helper (bpf_map_lookup_elem or map_lookup_elem), else one of the CLI's\n"
	      "example host functions (sum_args0..sum_args12, mem_sum).\n"
	      "Errors are printed as file:line:col: message; exit 0 on success, 2 on\n"
	      "bad input or usage.\n", out);
}

static char *default_output(const char *in, const char *ext)
{
	const char *slash = strrchr(in, '/');
	const char *dot = strrchr(in, '.');
	size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - in) : strlen(in);
	char *out = malloc(stem + strlen(ext) + 1);
	if (out) {
		memcpy(out, in, stem);
		strcpy(out + stem, ext);
	}
	return out;
}

/* --elf: the object goes to a file (libelf writes through a descriptor) */
static int asm_elf(const char *in, const char *outpath, char *text, size_t len,
		   const struct stackbpf_asm_opts *opts, struct stackbpf_host *host)
{
	char *def = NULL;
	int rc = CLI_OK;
	if (!outpath && strcmp(in, "-") == 0) {
		cli_error("asm --elf: reading stdin needs -o OUT");
		rc = CLI_BADINPUT;
	} else if (outpath && strcmp(outpath, "-") == 0) {
		cli_error("asm --elf: cannot write an object to stdout; name a file with -o");
		rc = CLI_BADINPUT;
	} else if (!outpath && !(outpath = def = default_output(in, ".o"))) {
		rc = CLI_BADINPUT;
	}
	if (rc == CLI_OK) {
		int err = stackbpf_asm__elf(text, len, opts, outpath);
		if (err && err != -EINVAL)
			cli_error("%s: %s", in, strerror(-err));
		rc = err ? CLI_BADINPUT : CLI_OK;
	}
	free(def);
	free(text);
	stackbpf_host__free(host);
	return rc;
}

int cmd_asm(int argc, char **argv)
{
	enum stackbpf_syntax syntax = STACKBPF_SYNTAX_AUTO;
	const char *in = NULL, *outpath = NULL;
	int elf = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			asm_usage(stdout);
			return CLI_OK;
		} else if (cli_is_opt(a, "--syntax")) {
			const char *v = cli_opt_value(argc, argv, &i, "--syntax");
			if (!v || cli_parse_syntax(v, &syntax))
				return CLI_BADINPUT;
		} else if (strcmp(a, "--elf") == 0) {
			elf = 1;
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 >= argc) {
				cli_error("-o needs a file name");
				return CLI_BADINPUT;
			}
			outpath = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			cli_error("asm: unknown option '%s' (try 'stackbpf asm --help')", a);
			return CLI_BADINPUT;
		} else if (!in) {
			in = a;
		} else {
			cli_error("asm: more than one input file ('%s' and '%s')", in, a);
			return CLI_BADINPUT;
		}
	}
	if (!in) {
		asm_usage(stderr);
		return CLI_BADINPUT;
	}

	char *text;
	size_t len;
	if (cli_read_file(in, &text, &len))
		return CLI_BADINPUT;
	struct stackbpf_host *host = stackbpf_host__new();
	if (host)
		stackbpf_host__add_examples(host);
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = syntax,
		      .filename = strcmp(in, "-") == 0 ? "<stdin>" : in, .host = host, .log = cli_log_stderr);
	if (elf)
		return asm_elf(in, outpath, text, len, &opts, host);
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	int err = stackbpf_asm__text(text, len, &opts, &insns, &cnt);
	free(text);
	stackbpf_host__free(host);
	if (err) {
		if (err != -EINVAL)
			cli_error("%s: %s", in, strerror(-err));
		return CLI_BADINPUT;
	}

	char *def = NULL;
	if (!outpath) {
		if (strcmp(in, "-") == 0) {
			outpath = "-";
		} else {
			outpath = def = default_output(in, ".bin");
			if (!def) {
				free(insns);
				return CLI_BADINPUT;
			}
		}
	}
	int to_stdout = strcmp(outpath, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(outpath, "wb");
	int rc = CLI_OK;
	if (!f) {
		cli_error("cannot create '%s': %s", outpath, strerror(errno));
		rc = CLI_BADINPUT;
	} else {
		if (cnt && fwrite(insns, sizeof(*insns), cnt, f) != cnt)
			rc = CLI_BADINPUT;
		if ((to_stdout ? fflush(f) : fclose(f)) != 0)
			rc = CLI_BADINPUT;
		if (rc)
			cli_error("cannot write '%s'", outpath);
	}
	free(def);
	free(insns);
	return rc;
}
