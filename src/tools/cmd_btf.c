/* cmd_btf.c - `stackbpf btf check|fix|dump`: BTF prototypes against the true
 * signatures of an object's functions (stackbpf_object__check_btf). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tools/cli.h"

static void btf_usage(FILE *out)
{
	fputs("usage: stackbpf btf check OBJ [--no-dwarf]\n"
	      "       stackbpf btf fix OBJ -o OUT [--no-dwarf]\n"
	      "       stackbpf btf dump OBJ [--no-dwarf]\n"
	      "\n"
	      "Compare each static function's BTF FUNC_PROTO with what its code really\n"
	      "receives. LLVM before 23 removes dead parameters of static functions but\n"
	      "keeps the source prototype in BTF; a 6-parameter prototype whose code\n"
	      "gets 5 registers makes Linux with stack arguments reject every caller:\n"
	      "  callee expects 6 args, stack arg1 is not initialized\n"
	      "The true signature comes from the DWARF location of each parameter at\n"
	      "the function's entry (none, or a constant: eliminated; rN: the Nth\n"
	      "argument), checked against the argument registers and r11 slots the code\n"
	      "reads and what every call site sets up. Global functions keep their ABI.\n"
	      "\n"
	      "commands:\n"
	      "  check        one line per mismatching function naming the eliminated\n"
	      "               parameters and what Linux will do; exit 1 if any, 0 if\n"
	      "               none, 2 on bad input\n"
	      "               example: stackbpf btf check prog.bpf.o\n"
	      "  fix          write OUT: a copy whose FUNC_PROTOs carry the true\n"
	      "               signatures (parameters dropped or re-ordered, names and\n"
	      "               types kept; new prototypes are appended so type ids stay);\n"
	      "               only .BTF changes\n"
	      "               example: stackbpf btf fix prog.bpf.o -o prog.fixed.o\n"
	      "  dump         every function: BTF prototype, true signature, and how\n"
	      "               each parameter was decided\n"
	      "\n"
	      "options:\n"
	      "  -o OUT       fix: the output object\n"
	      "  --no-dwarf   ignore .debug_info: the count comes from the code alone\n"
	      "               and eliminated parameters cannot be named (fix refuses)\n"
	      "  -h, --help   show this help\n", out);
}

struct btf_args {
	const char *sub, *in, *out;
	bool no_dwarf;
};

static int parse(int argc, char **argv, struct btf_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			btf_usage(stdout);
			return 1;
		} else if (!strcmp(s, "--no-dwarf")) {
			a->no_dwarf = true;
		} else if (!strcmp(s, "-o")) {
			if (++i >= argc) {
				cli_error("btf: -o needs a file name");
				return -1;
			}
			a->out = argv[i];
		} else if (s[0] == '-' && s[1]) {
			cli_error("btf: unknown option '%s' (try 'stackbpf btf --help')", s);
			return -1;
		} else if (!a->sub) {
			a->sub = s;
		} else if (!a->in) {
			a->in = s;
		} else {
			cli_error("btf: one object at a time ('%s')", s);
			return -1;
		}
	}
	if (!a->sub || (strcmp(a->sub, "check") && strcmp(a->sub, "fix") && strcmp(a->sub, "dump"))) {
		cli_error("btf: expected check, fix or dump (try 'stackbpf btf --help')");
		return -1;
	}
	if (!a->in) {
		cli_error("btf %s: no object file", a->sub);
		return -1;
	}
	if (!strcmp(a->sub, "fix") != !!a->out) {
		cli_error(a->out ? "btf %s: -o is for fix" : "btf %s: -o OUT is required", a->sub);
		return -1;
	}
	return 0;
}

/* "struct pt_regs *", "__u64", "const char *": enough to read a prototype */
static void type_name(const struct btf *b, uint32_t id, char *buf, size_t sz)
{
	const char *ptr = "";
	char pre[16] = "";
	for (int depth = 0; depth < 8; depth++) {
		const struct btf_type *t = id ? btf__type_by_id(b, id) : NULL;
		if (!t) {
			snprintf(buf, sz, "%svoid%s", pre, ptr);
			return;
		}
		const char *n = btf__name_by_offset(b, t->name_off);
		switch (btf_kind(t)) {
		case BTF_KIND_PTR:
			ptr = depth == 0 ? " *" : " **";
			id = t->type;
			continue;
		case BTF_KIND_CONST:
			snprintf(pre, sizeof(pre), "const ");
			id = t->type;
			continue;
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_STRUCT:
			snprintf(buf, sz, "%sstruct %s%s", pre, n ? n : "", ptr);
			return;
		case BTF_KIND_UNION:
			snprintf(buf, sz, "%sunion %s%s", pre, n ? n : "", ptr);
			return;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			snprintf(buf, sz, "%senum %s%s", pre, n ? n : "", ptr);
			return;
		default:
			snprintf(buf, sz, "%s%s%s", pre, n && *n ? n : "?", ptr);
			return;
		}
	}
	snprintf(buf, sz, "?");
}

static void print_proto(const struct btf *b, const struct stackbpf_btf_func_check *c, bool truth)
{
	const struct btf_type *p = btf__type_by_id(b, c->proto_id);
	if (!p || !btf_is_func_proto(p)) {
		printf("?");
		return;
	}
	const struct btf_param *pa = btf_params(p);
	int n = truth ? c->true_nparams : c->btf_nparams;
	printf("(");
	for (int k = 0; k < n; k++) {
		int i = truth ? c->true_order[k] : k;
		char tn[96];
		if (i < 0 || i >= (int)btf_vlen(p)) {
			printf("%s?", k ? ", " : "");
			continue;
		}
		type_name(b, pa[i].type, tn, sizeof(tn));
		const char *name = btf__name_by_offset(b, pa[i].name_off);
		printf("%s%s%s%s", k ? ", " : "", tn, tn[strlen(tn) - 1] == '*' ? "" : " ", name ? name : "");
	}
	printf(")");
}

static void pos_name(int pos, char *buf, size_t sz)
{
	if (pos < 0)
		snprintf(buf, sz, "-");
	else if (pos < 5)
		snprintf(buf, sz, "r%d", pos + 1);
	else
		snprintf(buf, sz, "stack arg%d", pos - 4);
}

static void dump_one(const struct btf *b, const struct stackbpf_btf_func_check *c)
{
	printf("%s: %s, FUNC [%u], FUNC_PROTO [%u]%s\n", c->name, c->global ? "global" : "static", c->func_id,
	       c->proto_id, c->mismatch ? ": MISMATCH" : "");
	printf("  BTF:  ");
	print_proto(b, c, false);
	printf("\n  true: ");
	if (c->mismatch && !c->fixable)
		printf("%d parameters (which ones is unknown)", c->true_nparams);
	else
		print_proto(b, c, true);
	printf("\n");
	if (c->global) {
		printf("  global: its ABI is the prototype\n");
		return;
	}
	for (int i = 0; i < c->btf_nparams && i < STACKBPF_BTF_MAX_PARAMS; i++) {
		const struct stackbpf_btf_param *pa = &c->params[i];
		char pos[32];
		pos_name(pa->abi_pos, pos, sizeof(pos));
		printf("    %-12s %-10s %s\n", pa->name[0] ? pa->name : "(unnamed)",
		       pa->fate == STACKBPF_PARAM_KEPT ? pos : pa->fate == STACKBPF_PARAM_ELIMINATED ? "eliminated" : "?",
		       pa->why);
	}
	printf("  code reads %d argument%s; ", c->code_reads, c->code_reads == 1 ? "" : "s");
	if (c->callers_pass < 0)
		printf("no call sites\n");
	else
		printf("%d call site%s, the fewest set up %d\n", c->call_sites, c->call_sites == 1 ? "" : "s",
		       c->callers_pass);
}

int cmd_btf(int argc, char **argv)
{
	struct btf_args a = { 0 };
	int r = parse(argc, argv, &a);
	if (r)
		return r > 0 ? CLI_OK : CLI_BADINPUT;
	int rc = CLI_BADINPUT;
	struct stackbpf_object *obj = NULL;
	struct stackbpf_btf_func_check *res = NULL;
	size_t n = 0;
	struct stackbpf_host *host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, hopts);
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, &hopts)) {
		cli_error("out of memory");
		goto out;
	}
	STACKBPF_OPTS(stackbpf_object_opts, oopts, .host = host, .log = cli_log_stderr);
	if (!(obj = stackbpf_object__open(a.in, &oopts)))
		goto out;
	if (!strcmp(a.sub, "fix")) {
		STACKBPF_OPTS(stackbpf_btf_fix_opts, fopts, .no_dwarf = a.no_dwarf);
		size_t fixed = 0;
		if (stackbpf_object__fix_btf(obj, a.out, &fopts, &fixed))
			goto out;
		printf("%s: %zu function%s fixed\n", a.out, fixed, fixed == 1 ? "" : "s");
		rc = CLI_OK;
		goto out;
	}
	STACKBPF_OPTS(stackbpf_btf_check_opts, copts, .no_dwarf = a.no_dwarf);
	int bad = stackbpf_object__check_btf(obj, &copts, &res, &n);
	if (bad < 0) {
		if (bad == -ENOMEM)
			cli_error("out of memory");
		goto out;
	}
	if (!strcmp(a.sub, "dump")) {
		const struct btf *b = stackbpf_object__btf(obj);
		for (size_t i = 0; i < n; i++)
			dump_one(b, &res[i]);
		rc = CLI_OK;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char line[512];
		if (!res[i].mismatch)
			continue;
		stackbpf_btf_func_check__describe(&res[i], line, sizeof(line));
		printf("%s\n", line);
	}
	if (!bad)
		printf("%s: %zu function%s checked, the BTF prototypes match the code\n", a.in, n, n == 1 ? "" : "s");
	rc = bad ? CLI_REJECTED : CLI_OK;
out:
	free(res);
	stackbpf_object__close(obj);
	stackbpf_host__free(host);
	return rc;
}
