/* test_cases.c - the table-driven verifier tests: every .vt file in
 * tests/verifier/cases holds cases of the form
 *
 *   === name
 *   @mem N [hex bytes]       optional: input memory size (and leading bytes)
 *   @strict                  optional: --strict
 *   @type SECTION            optional: program type by libbpf section name
 *                            (xdp, socket, tc, kprobe, ...; default raw)
 *   @data hex bytes          optional: the packet of a socket/tc/xdp test-run
 *   @map TYPE KEY VALUE MAX  optional, repeatable: map 0, 1, ... of the prog's
 *                            map table (`ld_pseudo r1, 1, 0` names map 0;
 *                            `ld_pseudo r1, 2, OFF<<32|IDX` its value + OFF)
 *                            a trailing "rdonly" makes it BPF_F_RDONLY_PROG
 *                            (.rodata), a trailing "name=X" names it
 *   @align strict|any        optional: strict_alignment (BPF_F_STRICT_ALIGNMENT),
 *                            or strict cancelled by any_alignment
 *   @func START NPARAMS [global] [NAME]  optional, repeatable: a BTF function
 *                            starting at insn START with NPARAMS parameters
 *   <assembly, any syntax the assembler detects>
 *   --- accept RESULT        accepted, and running it in the checked
 *                            interpreter returns RESULT (must not fault)
 *   --- reject MESSAGE       rejected; MESSAGE is the last log line before
 *                            "processed ..." (log level 1)
 *
 * Lines starting with '#' outside a case are comments. Prints a count per
 * file; `vt_cases FILTER` runs only cases whose name contains FILTER. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj/pktctx.h"
#include "vt.h"

struct vcase {
	char name[128];
	char *asm_text;
	size_t asm_len, asm_cap;
	struct vt_setup set;            /* the @ lines */
	bool accept;
	uint64_t result;
	char msg[512];
	int line;
};

static void add_asm(struct vcase *c, const char *line)
{
	size_t n = strlen(line);
	if (c->asm_len + n + 2 > c->asm_cap) {
		c->asm_cap = (c->asm_len + n + 2) * 2;
		c->asm_text = realloc(c->asm_text, c->asm_cap);
		if (!c->asm_text)
			exit(2);
	}
	memcpy(c->asm_text + c->asm_len, line, n);
	c->asm_len += n;
	c->asm_text[c->asm_len++] = '\n';
	c->asm_text[c->asm_len] = '\0';
}

static void asm_log(void *ctx, int level, const char *msg)
{
	(void)level;
	snprintf(ctx, 256, "%s", msg);
}

/* run an accepted case in the checked interpreter or the JIT: raw programs
 * on their input memory, packet types on a test-run context around @data,
 * other types on a zeroed context of 256 bytes (pt_regs fits) */
static int run_engine(struct vcase *c, const struct stackbpf_insn *insns, size_t cnt, bool jit, uint64_t *r0,
		      char *err)
{
	struct stackbpf_prog *p = vt_prog(insns, cnt, &c->set.env);
	STACKBPF_OPTS(stackbpf_vm_opts, vo, .host = vt_host(), .checked = !jit, .insn_limit = 100000000,
		      .engine = jit ? STACKBPF_ENGINE_JIT : STACKBPF_ENGINE_INTERP);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &vo);
	struct sbpf_pktctx pkt = { 0 };
	uint8_t mem[256];
	uint64_t ctx[32] = { 0 };
	void *r1 = mem;
	size_t r1_len = c->set.env.mem_size;
	int rerr = -ENOMEM;
	memcpy(mem, c->set.mem, sizeof(mem));
	if (!vm) {
		snprintf(err, 512, "no vm: %s", strerror(errno));
		goto out;
	}
	stackbpf_vm__add_region(vm, t_buf, sizeof(t_buf));
	for (size_t i = 0; i < c->set.env.nmaps; i++) {
		size_t len = 0;
		void *st = stackbpf_map__storage(c->set.env.maps[i], &len);
		if (st && len)
			stackbpf_vm__add_region(vm, st, len);
	}
	if (sbpf_pktctx_wanted(c->set.env.type)) {
		if (sbpf_pktctx_new(&pkt, c->set.env.type, c->set.data, c->set.data_len))
			goto out;
		stackbpf_vm__add_region(vm, pkt.ctx, pkt.ctx_len);
		if (pkt.data_len)
			stackbpf_vm__add_region(vm, pkt.data, pkt.data_len);
		r1 = pkt.ctx;
		r1_len = pkt.ctx_len;
	} else if (c->set.env.type != STACKBPF_PROG_UNSPEC) {
		r1 = ctx;
		r1_len = sizeof(ctx);
		stackbpf_vm__add_region(vm, ctx, sizeof(ctx));
	} else if (!r1_len) {
		r1 = NULL;
	}
	rerr = stackbpf_vm__run(vm, r1, r1_len, r0);
	snprintf(err, 512, "%s", stackbpf_vm__errmsg(vm));
out:
	sbpf_pktctx_free(&pkt);
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	return rerr;
}

/* array storage is the whole state of an array map: put it back between
 * the engines (other map kinds keep state outside their storage block) */
static bool pure_storage(const struct stackbpf_map *m)
{
	return stackbpf_map__type(m) == STACKBPF_MAP_ARRAY || stackbpf_map__type(m) == STACKBPF_MAP_PERCPU_ARRAY;
}

static uint8_t *arrays_save(const struct vcase *c)
{
	size_t total = 0;
	for (size_t i = 0; i < c->set.env.nmaps; i++) {
		size_t n = 0;
		stackbpf_map__storage(c->set.env.maps[i], &n);
		total += pure_storage(c->set.env.maps[i]) ? n : 0;
	}
	uint8_t *buf = malloc(total + 1), *q = buf;
	if (!buf)
		exit(2);
	for (size_t i = 0; i < c->set.env.nmaps; i++) {
		size_t n = 0;
		const void *st = stackbpf_map__storage(c->set.env.maps[i], &n);
		if (pure_storage(c->set.env.maps[i])) {
			memcpy(q, st, n);
			q += n;
		}
	}
	return buf;
}

static void arrays_restore(const struct vcase *c, const uint8_t *buf)
{
	for (size_t i = 0; i < c->set.env.nmaps; i++) {
		size_t n = 0;
		void *st = stackbpf_map__storage(c->set.env.maps[i], &n);
		if (pure_storage(c->set.env.maps[i])) {
			memcpy(st, buf, n);
			buf += n;
		}
	}
}

/* the checked interpreter, then the JIT (array maps as the interpreter
 * found them): both must agree on the error and r0 */
static int run_both(const char *file, struct vcase *c, const struct stackbpf_insn *insns, size_t cnt, uint64_t *r0,
		    char *err)
{
	uint8_t *before = arrays_save(c);
	int rerr = run_engine(c, insns, cnt, false, r0, err);
	arrays_restore(c, before);
	free(before);
	uint64_t jr0 = 0;
	char jerr[512];
	int jrerr = run_engine(c, insns, cnt, true, &jr0, jerr);
	T_OK(jrerr == rerr && (rerr || jr0 == *r0), "%s:%d %s: JIT returns %d/0x%llx, the interpreter %d/0x%llx",
	     file, c->line, c->name, jrerr, (unsigned long long)jr0, rerr, (unsigned long long)*r0);
	return rerr;
}

static void free_case(struct vcase *c)
{
	free(c->asm_text);
	vt_setup_free(&c->set);
	memset(c, 0, sizeof(*c));
}

static int run_case(const char *file, struct vcase *c)
{
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	char aerr[256] = "";
	STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = vt_host(), .filename = c->name, .log = asm_log, .log_ctx = aerr);
	if (stackbpf_asm__text(c->asm_text ? c->asm_text : "", c->asm_len, &ao, &insns, &cnt)) {
		T_OK(0, "%s:%d %s: does not assemble: %s", file, c->line, c->name, aerr);
		return 0;
	}
	static struct vt_log log;
	char vm_err[512] = "";
	STACKBPF_OPTS(stackbpf_verify_stats, st);
	int err = vt_verify_env_checked(insns, cnt, &c->set.env, 1, &log, &st, c->name);
	int ok = 1;
	if (c->accept) {
		if (err) {
			T_OK(0, "%s:%d %s: rejected (%d): %s\n%s", file, c->line, c->name, err, log.err, log.text);
			ok = 0;
		} else {
			uint64_t r0 = 0;
			int rerr = run_both(file, c, insns, cnt, &r0, vm_err);
			T_OK(rerr == 0, "%s:%d %s: accepted but faults: %s", file, c->line, c->name, vm_err);
			T_OK(rerr || r0 == c->result, "%s:%d %s: r0 0x%llx, want 0x%llx", file, c->line, c->name,
			     (unsigned long long)r0, (unsigned long long)c->result);
			ok = rerr == 0 && r0 == c->result;
		}
	} else {
		T_OK(err != 0, "%s:%d %s: accepted, want \"%s\"", file, c->line, c->name, c->msg);
		T_OK(err == 0 || strcmp(log.err, c->msg) == 0, "%s:%d %s: got \"%s\", want \"%s\"\n%s", file, c->line,
		     c->name, log.err, c->msg, log.text);
		ok = err != 0 && strcmp(log.err, c->msg) == 0;
	}
	free(insns);
	return ok;
}

static int run_file(const char *dir, const char *fname, const char *filter, int *ncases)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	FILE *f = fopen(path, "r");
	if (!f) {
		T_OK(0, "cannot open %s", path);
		return 0;
	}
	char line[1024];
	struct vcase c;
	int in_case = 0, lineno = 0, n = 0;
	memset(&c, 0, sizeof(c));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "=== ", 4) == 0) {
			T_OK(!in_case, "%s:%d: case '%s' has no --- line", fname, lineno, c.name);
			free_case(&c);
			snprintf(c.name, sizeof(c.name), "%.*s", (int)sizeof(c.name) - 1, line + 4);
			c.line = lineno;
			in_case = 1;
		} else if (!in_case) {
			if (line[0] != '#' && line[0] != '\0')
				T_OK(0, "%s:%d: text outside a case", fname, lineno);
		} else if (line[0] == '@') {
		{
			char why[256];
			if (vt_parse_at(&c.set, line, why, sizeof(why)))
				T_OK(0, "%s:%d: %s", fname, lineno, why);
		}
		} else if (strncmp(line, "--- accept ", 11) == 0 || strncmp(line, "--- reject ", 11) == 0) {
			c.accept = line[4] == 'a';
			if (c.accept)
				c.result = strtoull(line + 11, NULL, 0);
			else
				snprintf(c.msg, sizeof(c.msg), "%.*s", (int)sizeof(c.msg) - 1, line + 11);
			in_case = 0;
			if (!filter || strstr(c.name, filter)) {
				run_case(fname, &c);
				n++;
			}
		} else {
			add_asm(&c, line);
		}
	}
	T_OK(!in_case, "%s: last case '%s' has no --- line", fname, c.name);
	free_case(&c);
	fclose(f);
	*ncases += n;
	printf("%-24s %d cases\n", fname, n);
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	const char *dir = STACKBPF_TESTS_DIR "/verifier/cases";
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", dir);
		return 2;
	}
	char *names[256];
	size_t nn = 0;
	struct dirent *e;
	while ((e = readdir(d)) && nn < 256) {
		size_t l = strlen(e->d_name);
		if (l > 3 && strcmp(e->d_name + l - 3, ".vt") == 0)
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(names[0]), cmp_str);
	int total = 0;
	for (size_t i = 0; i < nn; i++) {
		run_file(dir, names[i], filter, &total);
		free(names[i]);
	}
	printf("%d verifier cases\n", total);
	if (!filter)
		T_OK(total >= 150, "only %d cases", total);
	return t_done();
}
