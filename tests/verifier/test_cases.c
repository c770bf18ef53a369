/* test_cases.c - the table-driven verifier tests: every .vt file in
 * tests/verifier/cases holds cases of the form
 *
 *   === name
 *   @mem N [hex bytes]       optional: input memory size (and leading bytes)
 *   @strict                  optional: --strict
 *   <assembly, any syntax the assembler detects>
 *   --- accept RESULT        accepted, and running it in the checked
 *                            interpreter returns RESULT (must not fault)
 *   --- reject MESSAGE       rejected; MESSAGE is the last log line before
 *                            "processed ..." (log level 1)
 *
 * Lines starting with '#' outside a case are comments. Prints a count per
 * file; `vt_cases FILTER` runs only cases whose name contains FILTER. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

struct vcase {
	char name[128];
	char *asm_text;
	size_t asm_len, asm_cap;
	uint32_t mem_size;
	uint8_t mem[256];
	size_t mem_init;
	bool strict, accept;
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
	STACKBPF_OPTS(stackbpf_verify_stats, st);
	int err = vt_verify(insns, cnt, c->mem_size, c->strict, 1, &log, &st);
	int ok = 1;
	if (c->accept) {
		if (err) {
			T_OK(0, "%s:%d %s: rejected (%d): %s\n%s", file, c->line, c->name, err, log.err, log.text);
			ok = 0;
		} else {
			struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
			STACKBPF_OPTS(stackbpf_vm_opts, vo, .host = vt_host(), .checked = true, .insn_limit = 100000000);
			struct stackbpf_vm *vm = p ? stackbpf_vm__new(p, &vo) : NULL;
			if (vm)
				stackbpf_vm__add_region(vm, t_buf, sizeof(t_buf));
			uint8_t mem[256];
			memcpy(mem, c->mem, sizeof(mem));
			uint64_t r0 = 0;
			int rerr = vm ? stackbpf_vm__run(vm, c->mem_size ? mem : NULL, c->mem_size, &r0) : -ENOMEM;
			T_OK(rerr == 0, "%s:%d %s: accepted but faults: %s", file, c->line, c->name,
			     vm ? stackbpf_vm__errmsg(vm) : "no vm");
			T_OK(rerr || r0 == c->result, "%s:%d %s: r0 0x%llx, want 0x%llx", file, c->line, c->name,
			     (unsigned long long)r0, (unsigned long long)c->result);
			ok = rerr == 0 && r0 == c->result;
			stackbpf_vm__free(vm);
			stackbpf_prog__free(p);
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
			free(c.asm_text);
			memset(&c, 0, sizeof(c));
			snprintf(c.name, sizeof(c.name), "%.*s", (int)sizeof(c.name) - 1, line + 4);
			c.line = lineno;
			in_case = 1;
		} else if (!in_case) {
			if (line[0] != '#' && line[0] != '\0')
				T_OK(0, "%s:%d: text outside a case", fname, lineno);
		} else if (strncmp(line, "@mem ", 5) == 0) {
			char *p = line + 5, *end;
			c.mem_size = (uint32_t)strtoul(p, &end, 0);
			for (p = end; *p;) {
				unsigned long b = strtoul(p, &end, 16);
				if (end == p)
					break;
				if (c.mem_init < sizeof(c.mem))
					c.mem[c.mem_init++] = (uint8_t)b;
				p = end;
			}
		} else if (strcmp(line, "@strict") == 0) {
			c.strict = true;
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
	free(c.asm_text);
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
