/* test_check.c - BTF true signatures on objects built by clang 14: the exact
 * `btf check` line of each fixture, the derived signatures through the API,
 * `btf fix` (the fixed object passes `btf check`, carries the true
 * FUNC_PROTOs, and differs from the input only in .BTF), `btf dump`, the
 * verify/stat hint, bad input, and robustness on the fuzz corpus and on
 * objects with corrupted DWARF and BTF. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "stackbpf/stackbpf.h"
#include "testcli.h"
#include "testlib.h"

static const char *fixture_in(const char *dir, const char *name)
{
	static char path[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s.bpf.o", dir, name);
	return path[k];
}

static const char *fixture(const char *name) { return fixture_in(BTF_FIXTURES, name); }

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc(n > 0 ? (size_t)n : 1);
	*len = b && n > 0 ? fread(b, 1, (size_t)n, f) : 0;
	fclose(f);
	return b;
}

static struct stackbpf_host *host;

static struct stackbpf_object *open_obj(const char *path)
{
	STACKBPF_OPTS(stackbpf_object_opts, o, .host = host);
	return stackbpf_object__open(path, &o);
}

/* ------------------------------------------------------- `btf check` lines */

#define LINUX6 "Linux with stack arguments rejects its callers: callee expects 6 args, stack arg1 is not initialized"
static const struct {
	const char *name;
	int rc;
	const char *out;          /* "%s" = the object's path where the summary names it */
} checks[] = {
	{ "alloc_exit", 1,
	  "alloc_exit: BTF prototype has 6 parameters, the code receives 5: ctx was eliminated; " LINUX6 "\n" },
	{ "mid_dead", 1,
	  "record: BTF prototype has 6 parameters, the code receives 5: flags was eliminated; " LINUX6 "\n"
	  "tag: BTF prototype has 4 parameters, the code receives 3: unused was eliminated; Linux accepts the calls "
	  "(no stack arguments) but checks them against the wrong parameter types\n" },
	{ "two_dead", 1,
	  "mix: BTF prototype has 7 parameters, the code receives 5: ctx and seed were eliminated; Linux with stack "
	  "arguments rejects its callers: callee expects 7 args, stack arg1 is not initialized\n" },
	{ "const_arg", 1,
	  "scale: BTF prototype has 6 parameters, the code receives 5: k was eliminated; " LINUX6 "\n" },
	{ "clean5", 0, "%s: 1 function checked, the BTF prototypes match the code\n" },
	{ "all_kept", 0, "%s: 2 functions checked, the BTF prototypes match the code\n" },
};

/* the functions fixed per fixture, and what `btf check` says afterwards */
static const size_t fixed_cnt[] = { 1, 2, 1, 1, 0, 0 };
static const size_t func_cnt[] = { 1, 2, 1, 1, 1, 2 };

static void test_check_lines(const char *dir)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		char args[600], want[1024];
		const char *path = fixture_in(dir, checks[i].name);
		snprintf(args, sizeof(args), "check '%s'", path);
		struct t_out o = t_cli("", "btf", args);
		snprintf(want, sizeof(want), checks[i].out, path);
		T_EQ_U64(o.status, checks[i].rc, checks[i].name);
		T_EQ_STR(o.out, want, checks[i].name);
		T_EQ_STR(o.err, "", "check: nothing on stderr");
	}
	/* without DWARF the count still comes from the code and the callers */
	char args[600];
	snprintf(args, sizeof(args), "check --no-dwarf '%s'", fixture_in(dir, "alloc_exit"));
	struct t_out o = t_cli("", "btf", args);
	T_EQ_U64(o.status, 1, "check --no-dwarf exit");
	T_EQ_STR(o.out, "alloc_exit: BTF prototype has 6 parameters, the code receives 5 (no DWARF: which parameters "
		 "were eliminated is unknown); " LINUX6 "\n", "check --no-dwarf");
}

/* ------------------------------------------------------- the API */

static void test_api(void)
{
	struct stackbpf_object *obj = open_obj(fixture("alloc_exit"));
	T_OK(obj, "open alloc_exit");
	if (!obj)
		return;
	struct stackbpf_btf_func_check *res = NULL;
	size_t n = 0;
	T_EQ_U64(stackbpf_object__check_btf(obj, NULL, &res, &n), 1, "one mismatch");
	T_EQ_U64(n, 1, "one static function");
	if (n == 1) {
		const struct stackbpf_btf_func_check *c = &res[0];
		static const char *names[] = { "ctx", "addr", "size", "pid", "kind", "ts" };
		T_EQ_STR(c->name, "alloc_exit", "name");
		T_OK(c->mismatch && c->fixable && c->has_dwarf && !c->global, "flags");
		T_EQ_U64(c->btf_nparams, 6, "BTF params");
		T_EQ_U64(c->true_nparams, 5, "true params");
		T_EQ_U64(c->code_reads, 5, "code reads r1..r5");
		T_EQ_U64(c->callers_pass, 5, "callers set up 5");
		T_EQ_U64(c->call_sites, 2, "malloc_exit and calloc_exit");
		T_EQ_U64(c->params[0].fate, STACKBPF_PARAM_ELIMINATED, "ctx eliminated");
		T_EQ_STR(c->params[0].why, "no DWARF location", "why ctx");
		for (int i = 0; i < 6; i++)
			T_EQ_STR(c->params[i].name, names[i], "param name");
		for (int k = 0; k < 5; k++) {
			T_EQ_U64(c->true_order[k], k + 1, "true order");
			T_EQ_U64(c->params[k + 1].abi_pos, k, "abi position");
			T_EQ_U64(c->params[k + 1].fate, STACKBPF_PARAM_KEPT, "kept");
		}
		char m[128];
		stackbpf_btf_func_check__linux_msg(c, m, sizeof(m));
		T_EQ_STR(m, "callee expects 6 args, stack arg1 is not initialized", "linux message");
	}
	free(res);

	/* the hint for verify/stat: only for a matching rejection */
	const struct stackbpf_program *p = stackbpf_object__find_prog(obj, "malloc_exit");
	char hint[512];
	T_EQ_U64(stackbpf_program__btf_hint(obj, p, "callee expects 6 args, stack arg1 is not initialized", hint,
					    sizeof(hint)), 1, "hint found");
	T_EQ_STR(hint, "alloc_exit: BTF prototype has 6 parameters, the code receives 5: ctx was eliminated; " LINUX6,
		 "hint text");
	T_EQ_U64(stackbpf_program__btf_hint(obj, p, "callee expects 7 args, stack arg1 is not initialized", hint,
					    sizeof(hint)), 0, "no hint for another count");
	T_EQ_U64(stackbpf_program__btf_hint(obj, p, "R1 invalid mem access 'scalar'", hint, sizeof(hint)), 0,
		 "no hint for another rejection");
	T_EQ_U64(stackbpf_program__btf_hint(obj, p, NULL, hint, sizeof(hint)), 1, "hint without a message");

	/* the true signatures for the default mode of verify/stat */
	struct stackbpf_func *tf = NULL;
	size_t ntf = 0;
	T_EQ_U64(stackbpf_program__true_funcs(obj, p, &tf, &ntf), 1, "one function changed");
	T_EQ_U64(ntf, 2, "malloc_exit and alloc_exit");
	if (ntf == 2) {
		T_EQ_U64(tf[0].nparams, 1, "the entry keeps its prototype");
		T_EQ_STR(tf[1].name, "alloc_exit", "subprogram");
		T_EQ_U64(tf[1].nparams, 5, "alloc_exit takes 5");
		T_EQ_STR(tf[1].param_names[0], "addr", "first true parameter");
		T_EQ_STR(tf[1].param_names[4], "ts", "last true parameter");
		/* a clone with them verifies under Linux's rules */
		struct stackbpf_prog *clone = stackbpf_prog__clone(stackbpf_program__prog(p));
		T_OK(clone && stackbpf_prog__set_funcs(clone, tf, ntf) == 0, "clone with true signatures");
		STACKBPF_OPTS(stackbpf_verify_opts, vo, .host = host, .strict = true,
			      .prog_type = stackbpf_program__type(p));
		T_EQ_U64(stackbpf_prog__verify(stackbpf_program__prog(p), &vo, NULL), (uint64_t)-EFAULT,
			 "the BTF prototype: rejected as Linux (-EFAULT)");
		T_EQ_U64(stackbpf_prog__verify(clone, &vo, NULL), 0, "the true signature: accepted");
		stackbpf_prog__free(clone);
	}
	free(tf);
	stackbpf_object__close(obj);

	obj = open_obj(fixture("clean5"));
	T_OK(obj, "open clean5");
	if (obj) {
		T_EQ_U64(stackbpf_program__btf_hint(obj, stackbpf_object__prog(obj, 0), NULL, hint, sizeof(hint)), 0,
			 "clean: no hint");
		T_EQ_U64(stackbpf_object__check_btf(obj, NULL, &res, &n), 0, "clean5: no mismatch");
		T_OK(n == 1 && res[0].true_nparams == 5 && !res[0].mismatch, "clean5: 5 of 5");
		free(res);
		stackbpf_object__close(obj);
	}
	obj = open_obj(fixture("all_kept"));
	if (obj) {
		T_EQ_U64(stackbpf_object__check_btf(obj, NULL, &res, &n), 0, "all_kept: no mismatch");
		for (size_t i = 0; i < n; i++)
			if (!strcmp(res[i].name, "keep_global"))
				T_OK(res[i].global && res[i].true_nparams == 2, "global: the prototype is the ABI");
		free(res);
		stackbpf_object__close(obj);
	}
}

/* the wording of the other verdicts, on hand-made results */
static void test_describe(void)
{
	struct stackbpf_btf_func_check c = { .name = "swap", .btf_nparams = 2, .true_nparams = 2, .mismatch = true,
					     .fixable = true, .has_dwarf = true, .true_order = { 1, 0 } };
	c.params[0] = (struct stackbpf_btf_param){ "a", STACKBPF_PARAM_KEPT, 1, "" };
	c.params[1] = (struct stackbpf_btf_param){ "b", STACKBPF_PARAM_KEPT, 0, "" };
	char buf[512];
	stackbpf_btf_func_check__describe(&c, buf, sizeof(buf));
	T_EQ_STR(buf, "swap: BTF prototype has 2 parameters, the code receives 2 in another order: b, a; Linux accepts "
		 "the calls (no stack arguments) but checks them against the wrong parameter types", "re-ordered");
	c.mismatch = false;
	stackbpf_btf_func_check__describe(&c, buf, sizeof(buf));
	T_EQ_STR(buf, "swap: BTF prototype has 2 parameters, the code receives them as declared", "clean");
	stackbpf_btf_func_check__linux_msg(&c, buf, sizeof(buf));
	T_EQ_STR(buf, "", "clean: Linux accepts");
	/* 8 declared, 7 passed (two on the stack): the third slot is missing */
	struct stackbpf_btf_func_check d = { .name = "wide", .btf_nparams = 8, .true_nparams = 7, .mismatch = true };
	stackbpf_btf_func_check__linux_msg(&d, buf, sizeof(buf));
	T_EQ_STR(buf, "callee expects 8 args, stack arg3 is not initialized", "stack arg3");
}

/* ------------------------------------------------------- `btf fix` */

struct sec { const char *name; GElf_Shdr sh; const uint8_t *data; size_t size; };

static size_t sections(Elf *e, struct sec *out, size_t max)
{
	size_t shstr, n = 0;
	if (elf_getshdrstrndx(e, &shstr))
		return 0;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(e, s)) && n < max;) {
		struct sec *x = &out[n++];
		gelf_getshdr(s, &x->sh);
		x->name = elf_strptr(e, shstr, x->sh.sh_name);
		Elf_Data *d = elf_rawdata(s, NULL);
		x->data = d && x->sh.sh_type != SHT_NOBITS ? d->d_buf : NULL;
		x->size = d ? d->d_size : 0;
	}
	return n;
}

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* the rewritten .BTF keeps the input's layout: same header size, every old
 * type at its old offset (only `nfixed` 4-byte FUNC type fields differ), the
 * new prototypes after them, the old strings as a prefix of the new ones */
static void compare_btf_layout(const uint8_t *a, size_t la, const uint8_t *b, size_t lb, size_t nfixed)
{
	T_OK(la >= 24 && lb >= 24, ".BTF headers");
	if (la < 24 || lb < 24)
		return;
	uint32_t hl = u32_at(a + 4), toff = u32_at(a + 8), tlen = u32_at(a + 12), soff = u32_at(a + 16),
		 slen = u32_at(a + 20);
	T_OK(u32_at(b + 4) == hl && u32_at(b + 8) == toff, ".BTF: same header and type offset");
	T_OK(u32_at(b + 12) > tlen, ".BTF: types appended (%u > %u)", u32_at(b + 12), tlen);
	if ((uint64_t)hl + toff + tlen > la || (uint64_t)hl + toff + tlen > lb || (uint64_t)hl + soff + slen > la ||
	    (uint64_t)hl + u32_at(b + 16) + slen > lb)
		return;
	size_t words = 0;
	for (size_t k = hl + toff; k + 4 <= hl + toff + tlen; k += 4)
		words += memcmp(a + k, b + k, 4) != 0;
	T_EQ_U64(words, nfixed, ".BTF: only the fixed FUNCs' type fields changed");
	T_OK(memcmp(a + hl + soff, b + hl + u32_at(b + 16), slen) == 0, ".BTF: the old strings kept their offsets");
}

/* every section but .BTF byte for byte (header and contents), the ELF header */
static void compare_outside_btf(const char *a_path, const char *b_path, bool btf_changed, size_t nfixed)
{
	size_t la, lb;
	char *a = read_all(a_path, &la), *b = read_all(b_path, &lb);
	T_OK(a && b, "read %s", b_path);
	if (!a || !b) {
		free(a);
		free(b);
		return;
	}
	elf_version(EV_CURRENT);
	Elf *ea = elf_memory(a, la), *eb = elf_memory(b, lb);
	struct sec sa[64], sb[64];
	size_t na = sections(ea, sa, 64), nb = sections(eb, sb, 64);
	T_OK(na > 10 && na == nb, "%s: %zu sections, input %zu", b_path, nb, na);
	GElf_Ehdr ha, hb;
	gelf_getehdr(ea, &ha);
	gelf_getehdr(eb, &hb);
	T_OK(memcmp(&ha, &hb, sizeof(ha)) == 0, "ELF header unchanged");
	int same = 0, btf = 0;
	for (size_t i = 0; i < na && i < nb; i++) {
		bool is_btf = sa[i].name && !strcmp(sa[i].name, ".BTF");
		if (is_btf) {
			btf++;
			bool eq = sa[i].size == sb[i].size && !memcmp(sa[i].data, sb[i].data, sa[i].size);
			T_OK(eq != btf_changed, ".BTF %s", btf_changed ? "rewritten" : "unchanged");
			if (btf_changed && i < nb)
				compare_btf_layout(sa[i].data, sa[i].size, sb[i].data, sb[i].size, nfixed);
			continue;
		}
		bool eq = !strcmp(sa[i].name, sb[i].name) && !memcmp(&sa[i].sh, &sb[i].sh, sizeof(sa[i].sh)) &&
			  sa[i].size == sb[i].size && (!sa[i].data || !memcmp(sa[i].data, sb[i].data, sa[i].size));
		T_OK(eq, "%s: section %s differs", b_path, sa[i].name);
		same += eq;
	}
	T_EQ_U64(btf, 1, "one .BTF");
	T_EQ_U64(same, na - 1, "all other sections identical");
	elf_end(ea);
	elf_end(eb);
	free(a);
	free(b);
}

static void test_fix(void)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		char args[700], want[700], out[64];
		const char *path = fixture(checks[i].name);
		snprintf(out, sizeof(out), "fixed_%s.o", checks[i].name);
		snprintf(args, sizeof(args), "fix '%s' -o %s", path, out);
		struct t_out o = t_cli("", "btf", args);
		T_EQ_U64(o.status, 0, "fix exit");
		snprintf(want, sizeof(want), "%s: %zu function%s fixed\n", out, fixed_cnt[i], fixed_cnt[i] == 1 ? "" : "s");
		T_EQ_STR(o.out, want, "fix output");
		snprintf(args, sizeof(args), "check %s", out);
		o = t_cli("", "btf", args);
		snprintf(want, sizeof(want), "%s: %zu function%s checked, the BTF prototypes match the code\n", out,
			 func_cnt[i], func_cnt[i] == 1 ? "" : "s");
		T_EQ_U64(o.status, 0, "fixed object passes btf check");
		T_EQ_STR(o.out, want, "check after fix");
		char full[256];
		snprintf(full, sizeof(full), "%s/%s", t_dir, out);
		compare_outside_btf(path, full, fixed_cnt[i] > 0, fixed_cnt[i]);
	}
	/* the fixed FUNC_PROTOs, read back through the loader */
	char full[256];
	snprintf(full, sizeof(full), "%s/fixed_two_dead.o", t_dir);
	struct stackbpf_object *obj = open_obj(full);
	T_OK(obj, "open fixed_two_dead.o");
	if (obj) {
		const struct stackbpf_program *p = stackbpf_object__find_prog(obj, "mix_a");
		const struct stackbpf_func *f = p && stackbpf_program__func_cnt(p) == 2 ? stackbpf_program__func(p, 1) : NULL;
		T_OK(f && f->nparams == 5, "mix now takes 5");
		static const char *names[] = { "a", "b", "c", "d", "e" };
		for (int k = 0; f && k < 5; k++)
			T_EQ_STR(f->param_names[k], names[k], "mix parameter");
		/* the type ids .BTF.ext names are unchanged: the FUNC kept its id */
		const struct btf *b = stackbpf_object__btf(obj);
		T_OK(f && b && btf__find_by_name_kind(b, "mix", BTF_KIND_FUNC) == (int)f->btf_id, "FUNC id kept");
		stackbpf_object__close(obj);
	}
	/* fixing a fixed object changes nothing, .BTF included */
	struct t_out r = t_cli("", "btf", "fix fixed_two_dead.o -o refixed.o");
	T_EQ_U64(r.status, 0, "refix exit");
	T_EQ_STR(r.out, "refixed.o: 0 functions fixed\n", "refix output");
	char refixed[256];
	snprintf(refixed, sizeof(refixed), "%s/refixed.o", t_dir);
	compare_outside_btf(full, refixed, false, 0);

	/* without DWARF the eliminated parameters cannot be named: refused */
	char args[600];
	snprintf(args, sizeof(args), "fix --no-dwarf '%s' -o nodwarf.o", fixture("alloc_exit"));
	struct t_out o = t_cli("", "btf", args);
	T_EQ_U64(o.status, 2, "fix --no-dwarf refuses");
	T_OK(strstr(o.err, "function alloc_exit: the true signature is not known (no DWARF), cannot fix it") != NULL,
	     "fix --no-dwarf message: %s", o.err);
}

/* ------------------------------------------------------- verify --strict */

/* Linux's rules (stackbpf verify --strict) reject the callers of a
 * mismatching function exactly as the kernel with stack arguments does; the
 * fixed object verifies. */
static void test_verify_strict(void)
{
	static const struct { const char *name, *msg; } cases[] = {
		{ "alloc_exit", "callee expects 6 args, stack arg1 is not initialized" },
		{ "mid_dead", "callee expects 6 args, stack arg1 is not initialized" },
		{ "two_dead", "callee expects 7 args, stack arg1 is not initialized" },
		{ "const_arg", "callee expects 6 args, stack arg1 is not initialized" },
		{ "clean5", NULL },
		/* a global 2-parameter function called with r3 unset (its
		 * own count, not the 3 of the static function beside it) */
		{ "all_kept", NULL },
	};
	static char log[1 << 16];
	/* the log is longer than t_out holds: it goes to verify.log, and the
	 * exit status is echoed into what t_cli captures as stdout */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[700];
		snprintf(args, sizeof(args), "'%s' --strict >verify.log 2>&1; echo $?", fixture(cases[i].name));
		struct t_out o = t_cli("", "verify", args);
		t_read_file("verify.log", log, sizeof(log));
		T_EQ_STR(o.out, cases[i].msg ? "1\n" : "0\n", cases[i].name);
		if (cases[i].msg)
			T_OK(strstr(log, cases[i].msg) != NULL, "%s: verify --strict says %s", cases[i].name, cases[i].msg);
		snprintf(args, sizeof(args), "fixed_%s.o --strict >verify.log 2>&1; echo $?", cases[i].name);
		o = t_cli("", "verify", args);
		t_read_file("verify.log", log, sizeof(log));
		T_EQ_STR(o.out, "0\n", "the fixed object verifies with --strict");
		T_OK(!strstr(log, "stack arg1 is not initialized"), "%s fixed: no stack-argument error", cases[i].name);
	}
}

/* ------------------------------------------------------- dump, usage */

static void test_dump_usage(void)
{
	char args[600];
	snprintf(args, sizeof(args), "dump '%s'", fixture("alloc_exit"));
	struct t_out o = t_cli("", "btf", args);
	T_EQ_U64(o.status, 0, "dump exit");
	T_EQ_STR(o.out,
		 "alloc_exit: static, FUNC [22], FUNC_PROTO [21]: MISMATCH\n"
		 "  BTF:  (struct pt_regs *ctx, __u64 addr, __u64 size, __u32 pid, __u32 kind, __u64 ts)\n"
		 "  true: (__u64 addr, __u64 size, __u32 pid, __u32 kind, __u64 ts)\n"
		 "    ctx          eliminated no DWARF location\n"
		 "    addr         r1         DWARF: in a register at entry\n"
		 "    size         r2         DWARF: in a register at entry\n"
		 "    pid          r3         DWARF: in a register at entry\n"
		 "    kind         r4         DWARF: in a register at entry\n"
		 "    ts           r5         DWARF: in a register at entry\n"
		 "  code reads 5 arguments; 2 call sites, the fewest set up 5\n", "dump alloc_exit");

	o = t_cli("", "btf", "--help");
	T_EQ_U64(o.status, 0, "--help exit");
	T_OK(strstr(o.out, "callee expects 6 args, stack arg1 is not initialized") != NULL, "--help explains");
	static const struct { const char *args, *err; } bad[] = {
		{ "", "stackbpf: btf: expected check, fix or dump (try 'stackbpf btf --help')\n" },
		{ "frob x.o", "stackbpf: btf: expected check, fix or dump (try 'stackbpf btf --help')\n" },
		{ "check", "stackbpf: btf check: no object file\n" },
		{ "fix x.o", "stackbpf: btf fix: -o OUT is required\n" },
		{ "check x.o -o y.o", "stackbpf: btf check: -o is for fix\n" },
		{ "check --bogus x.o", "stackbpf: btf: unknown option '--bogus' (try 'stackbpf btf --help')\n" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = t_cli("", "btf", bad[i].args);
		T_EQ_U64(o.status, 2, bad[i].args);
		T_EQ_STR(o.err, bad[i].err, bad[i].args);
	}
	o = t_cli("", "btf", "check missing.o");
	T_EQ_U64(o.status, 2, "missing file");
	T_OK(o.err[0] != 0, "missing file: a message");
	o = t_cli("", "btf", "check /dev/null");
	T_EQ_U64(o.status, 2, "not an ELF file");
	/* built without -g: no .BTF */
	const char *nobtf = fixture("nobtf");
	for (int fix = 0; fix < 2; fix++) {
		char want[700];
		snprintf(args, sizeof(args), fix ? "fix '%s' -o nobtf_fixed.o" : "check '%s'", nobtf);
		o = t_cli("", "btf", args);
		snprintf(want, sizeof(want), "%s: no .BTF section: nothing to %s\n", nobtf, fix ? "fix" : "check");
		T_EQ_U64(o.status, 2, "no .BTF: bad input");
		T_EQ_STR(o.err, want, "no .BTF: the message");
		T_EQ_STR(o.out, "", "no .BTF: no output");
	}
}

/* ------------------------------------------------------- asm --elf objects */

/* objects without DWARF, written by `stackbpf asm --elf`: the code and the
 * callers alone decide, r11 stack arguments included */
static void test_asm_elf(void)
{
	static const struct { const char *name, *src, *out; int rc; } cases[] = {
		{ "five_for_six",
		  ".license \"GPL\"\n.section socket\n.func prog(ctx)\nprog:\n r1 = 1\n r2 = 2\n r3 = 3\n r4 = 4\n"
		  " r5 = 5\n call six\n exit\n.text\n.func six(ctx, a, b, c, d, e)\nsix:\n r0 = r1\n r0 += r5\n exit\n",
		  "six: BTF prototype has 6 parameters, the code receives 5 (no DWARF: which parameters were eliminated "
		  "is unknown); " LINUX6 "\n", 1 },
		{ "six_for_seven",
		  ".license \"GPL\"\n.section socket\n.func prog(ctx)\nprog:\n r1 = 1\n r2 = 2\n r3 = 3\n r4 = 4\n"
		  " r5 = 5\n *(u64 *)(r11 - 8) = 6\n call seven\n exit\n.text\n.func seven(a, b, c, d, e, f, g)\n"
		  "seven:\n r0 = *(u64 *)(r11 + 8)\n r0 += r5\n exit\n",
		  "seven: BTF prototype has 7 parameters, the code receives 6 (no DWARF: which parameters were eliminated "
		  "is unknown); Linux with stack arguments rejects its callers: callee expects 7 args, stack arg2 is not "
		  "initialized\n", 1 },
		{ "seven_ok",
		  ".license \"GPL\"\n.section socket\n.func prog(ctx)\nprog:\n r1 = 1\n r2 = 2\n r3 = 3\n r4 = 4\n"
		  " r5 = 5\n *(u64 *)(r11 - 8) = 6\n *(u64 *)(r11 - 16) = 7\n call seven\n exit\n.text\n"
		  ".func seven(a, b, c, d, e, f, g)\nseven:\n r0 = *(u64 *)(r11 + 16)\n r0 += r1\n exit\n",
		  "seven_ok.o: 1 function checked, the BTF prototypes match the code\n", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256], args[256];
		snprintf(path, sizeof(path), "%s/%s.s", t_dir, cases[i].name);
		FILE *f = fopen(path, "w");
		T_OK(f, "write %s", path);
		if (!f)
			continue;
		fputs(cases[i].src, f);
		fclose(f);
		snprintf(args, sizeof(args), "--elf %s.s -o %s.o", cases[i].name, cases[i].name);
		struct t_out o = t_cli("", "asm", args);
		T_EQ_U64(o.status, 0, cases[i].name);
		snprintf(args, sizeof(args), "check %s.o", cases[i].name);
		o = t_cli("", "btf", args);
		T_EQ_U64(o.status, cases[i].rc, cases[i].name);
		T_EQ_STR(o.out, cases[i].out, cases[i].name);
	}
}

/* ------------------------------------------------------- robustness */

#ifndef BTF_FUZZ_ITERS
#define BTF_FUZZ_ITERS 600
#endif
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static int dwarf_reports;

static void count_dwarf_reports(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	dwarf_reports += strstr(msg, ".debug_info: libdw cannot read it") != NULL;
}

static int run_all(const void *buf, size_t len, const char *fix_path)
{
	STACKBPF_OPTS(stackbpf_object_opts, oo, .host = host, .log = count_dwarf_reports);
	struct stackbpf_object *obj = stackbpf_object__open_mem(buf, len, &oo);
	if (!obj)
		return 0;
	int bad = 0;
	for (int nd = 0; nd < 2; nd++) {
		STACKBPF_OPTS(stackbpf_btf_check_opts, co, .no_dwarf = nd);
		struct stackbpf_btf_func_check *res = NULL;
		size_t n = 0;
		int r = stackbpf_object__check_btf(obj, &co, &res, &n);
		if (r < 0 && r != -EINVAL && r != -ENOMEM)
			bad++;
		for (size_t i = 0; r >= 0 && i < n; i++) {
			char line[512];
			stackbpf_btf_func_check__describe(&res[i], line, sizeof(line));
			if (res[i].true_nparams < 0 || res[i].true_nparams > 12)
				bad++;
		}
		free(res);
	}
	STACKBPF_OPTS(stackbpf_btf_fix_opts, fo);
	int r = stackbpf_object__fix_btf(obj, fix_path, &fo, NULL);
	if (r && r != -EINVAL && r != -EIO && r != -ENOMEM)
		bad++;
	for (size_t i = 0; i < stackbpf_object__prog_cnt(obj); i++) {
		char hint[256];
		if (stackbpf_program__btf_hint(obj, stackbpf_object__prog(obj, i), NULL, hint, sizeof(hint)) < -ENOMEM)
			bad++;
		struct stackbpf_func *tf = NULL;
		size_t ntf = 0;
		int c = stackbpf_program__true_funcs(obj, stackbpf_object__prog(obj, i), &tf, &ntf);
		if (c < 0 ? c != -EINVAL && c != -ENOMEM : ntf != stackbpf_program__func_cnt(stackbpf_object__prog(obj, i)))
			bad++;
		free(tf);
	}
	stackbpf_object__close(obj);
	return bad ? -1 : 1;
}

static void test_robustness(void)
{
	char fix_path[256];
	snprintf(fix_path, sizeof(fix_path), "%s/robust.o", t_dir);
	/* the loader's fuzz corpus */
	DIR *d = opendir(FUZZ_CORPUS);
	int files = 0, opened = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char p[512];
		size_t len;
		snprintf(p, sizeof(p), "%s/%s", FUZZ_CORPUS, e->d_name);
		char *buf = read_all(p, &len);
		if (!buf)
			continue;
		files++;
		int r = run_all(buf, len, fix_path);
		T_OK(r >= 0, "corpus %s: unexpected error code", e->d_name);
		opened += r > 0;
		free(buf);
	}
	if (d)
		closedir(d);
	T_OK(files >= 1 && opened >= 1, "fuzz corpus: %d files, %d opened", files, opened);

	/* the founding fixture with bytes of its DWARF and BTF sections flipped */
	size_t len;
	char *orig = read_all(fixture("alloc_exit"), &len);
	T_OK(orig, "read alloc_exit");
	if (!orig)
		return;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory(orig, len);
	struct sec s[64];
	size_t ns = sections(e, s, 64);
	static const char *targets[] = { ".debug_info", ".debug_abbrev", ".debug_loclists", ".debug_addr",
					 ".debug_str_offsets", ".BTF", ".BTF.ext", ".text" };
	struct span { size_t off, size; } t[8];
	size_t nt = 0;
	for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++)
		for (size_t i = 0; i < ns; i++)
			if (s[i].name && !strcmp(s[i].name, targets[k]) && s[i].size && nt < 8)
				t[nt++] = (struct span){ s[i].sh.sh_offset, s[i].size };
	elf_end(e);
	T_EQ_U64(nt, 8, "all corruption targets present");
	char *buf = malloc(len);
	int runs = 0, opened2 = 0, errors = 0;
	for (int it = 0; buf && nt && it < BTF_FUZZ_ITERS; it++) {
		memcpy(buf, orig, len);
		size_t k = rnd() % nt;
		int flips = 1 + (int)(rnd() % 8);
		for (int f = 0; f < flips; f++)
			buf[t[k].off + rnd() % t[k].size] ^= (char)(1u << (rnd() % 8));
		int r = run_all(buf, len, fix_path);
		runs++;
		opened2 += r > 0;
		errors += r < 0;
	}
	T_EQ_U64(runs, BTF_FUZZ_ITERS, "corrupted objects analysed without a crash");
	T_EQ_U64(errors, 0, "only documented error codes");
	T_OK(opened2 > 100, "most corrupted objects still open (%d)", opened2);
	T_OK(dwarf_reports > 0, "unreadable DWARF is reported (%d times)", dwarf_reports);
	printf("corrupted objects: %d runs, %d opened, %d reports of unreadable DWARF\n", runs, opened2,
	       dwarf_reports);
	free(buf);
	free(orig);
}

int main(void)
{
	if (!BTF_FIXTURES[0]) {
		printf("clang cannot target bpf: skipped\n");
		return 77;
	}
	if (t_scratch("btf"))
		return 1;
	host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, ho);
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, &ho))
		return 1;
	test_check_lines(BTF_FIXTURES);
	if (BTF_FIXTURES_V4[0])
		test_check_lines(BTF_FIXTURES_V4);       /* clang-22 -mcpu=v4: the same lines */
	else
		printf("clang-22 not installed: -mcpu=v4 fixtures not checked\n");
	test_api();
	test_describe();
	test_fix();
	test_verify_strict();
	test_dump_usage();
	test_asm_elf();
	test_robustness();
	stackbpf_host__free(host);
	return t_done();
}
