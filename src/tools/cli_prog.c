/* cli_prog.c - the program of `stackbpf run` and `stackbpf jit`: loading it
 * from any input kind and verifying it (cli_prog.h). */
#include "tools/cli_prog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog/conformance_exec.h"
#include "text/datafile.h"
#include "tools/cli.h"

int cli_is_elf(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	if (!f)
		return 0;
	size_t n = fread(m, 1, 4, f);
	fclose(f);
	return n == 4 && memcmp(m, "\177ELF", 4) == 0;
}

static int is_datafile(const char *path)
{
	size_t n = strlen(path);
	return n >= 5 && strcmp(path + n - 5, ".data") == 0;
}

static void log_trace(void *ctx, int level, const char *msg)
{
	(void)ctx, (void)level;
	fprintf(stderr, "trace: %s\n", msg);
}

/* the program of an ELF object, or NULL (error printed) */
static struct stackbpf_program *pick_prog(const struct stackbpf_object *obj, const char *path, const char *name)
{
	size_t n = stackbpf_object__prog_cnt(obj);
	struct stackbpf_program *p = name ? stackbpf_object__find_prog(obj, name) : NULL;
	if (p || (!name && n == 1))
		return p ? p : stackbpf_object__prog(obj, 0);
	char list[1024] = "";
	for (size_t i = 0, len = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					stackbpf_program__name(stackbpf_object__prog(obj, i)));
	if (n == 0)
		cli_error("%s: the object has no programs", path);
	else if (name)
		cli_error("%s: no program '%s' (programs: %s)", path, name, list);
	else
		cli_error("%s: %zu programs, choose one with --prog (programs: %s)", path, n, list);
	return NULL;
}

static int load_elf(const char *path, const char *name, struct cli_prog *p)
{
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, hopts, .log = log_trace);
	STACKBPF_OPTS(stackbpf_object_opts, oopts, .host = p->host, .log = cli_log_stderr);
	if (stackbpf_host__add_linux_helpers(p->host, &hopts)) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	if (!(p->obj = stackbpf_object__open(path, &oopts)) || !(p->oprog = pick_prog(p->obj, path, name)))
		return -EINVAL;
	p->type = stackbpf_program__type(p->oprog);
	if (!(p->prog = stackbpf_prog__clone(stackbpf_program__prog(p->oprog)))) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int load_datafile(const char *path, struct cli_prog *p)
{
	struct sbpf_datafile df;
	char err[512];
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	int e = sbpf_datafile_load(path, &df, err, sizeof(err));
	if (e) {
		cli_error("%s", err);
		return e;
	}
	e = sbpf_datafile_program(&df, p->host, &insns, &cnt, err, sizeof(err));
	if (e) {
		cli_error("%s", err);
	} else if (df.mem_len) {
		if (!(p->mem = malloc(df.mem_len)))
			e = -ENOMEM;
		else
			memcpy(p->mem, df.mem, p->mem_len = df.mem_len);
	}
	if (!e && !(p->prog = stackbpf_prog__from_insns(insns, cnt)))
		e = -ENOMEM;
	if (e == -ENOMEM)
		cli_error("out of memory");
	free(insns);
	sbpf_datafile_free(&df);
	return e;
}

int cli_prog_load(const char *path, const char *name, struct cli_prog *p)
{
	memset(p, 0, sizeof(*p));
	int elf = cli_is_elf(path), data = !elf && is_datafile(path);
	p->host = data ? sbpf_cexec_host_new() : stackbpf_host__new();
	if (!p->host || (!data && stackbpf_host__add_examples(p->host))) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	if (elf)
		return load_elf(path, name, p);
	if (name) {
		cli_error("%s: --prog needs an ELF object", path);
		return -EINVAL;
	}
	if (data)
		return load_datafile(path, p);
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	int e = cli_load_program(path, STACKBPF_SYNTAX_AUTO, p->host, &insns, &cnt);
	if (!e && !(p->prog = stackbpf_prog__from_insns(insns, cnt))) {
		cli_error("%s: cannot create the program", path);
		e = -ENOMEM;
	}
	free(insns);
	return e;
}

void cli_prog_free(struct cli_prog *p)
{
	stackbpf_prog__free(p->prog);
	stackbpf_object__close(p->obj);
	free(p->mem);
	stackbpf_host__free(p->host);
	memset(p, 0, sizeof(*p));
}

/* keeps the verifier's error: the last line before "processed ..." */
static void keep_error(void *ctx, int level, const char *msg)
{
	(void)level;
	if (strncmp(msg, "processed ", 10) == 0 || strncmp(msg, "cur state:", 10) == 0 ||
	    strncmp(msg, "stack depth ", 12) == 0 || strncmp(msg, "verification time ", 18) == 0)
		return;
	snprintf((char *)ctx, 512, "%s", msg);
}

int cli_prog_verify(const char *path, struct cli_prog *p, uint32_t mem_size, int strict, const char *then)
{
	char last[512] = "";
	STACKBPF_OPTS(stackbpf_verify_opts, vopts, .host = p->host, .log_level = 1, .strict = strict != 0,
		      .prog_type = p->type, .mem_size = p->type ? 0 : mem_size, .log = keep_error, .log_ctx = last);
	int err = stackbpf_prog__verify(p->prog, &vopts, NULL);
	if (!err)
		return 0;
	if (err == -EOPNOTSUPP) {
		fprintf(stderr, "stackbpf: warning: %s: the verifier does not check this program type yet: %s\n", path,
			then);
		return 1;
	}
	if (err == -ENOMEM)
		cli_error("%s: out of memory", path);
	else
		cli_error("%s: %s", path, last[0] ? last : strerror(-err));
	return -1;
}
