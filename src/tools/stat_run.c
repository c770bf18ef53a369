/* stat_run.c - verifying one program for `verify` and `stat`: the host, the
 * object, the log collected line by line, and libbpf's names for program and
 * attach types (what veristat prints). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/stat.h"

void sv_log_collect(void *ctx, int level, const char *msg)
{
	(void)level;
	struct sv_log *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(msg)))
		l->oom = true;
	else
		l->n++;
}

void sv_log_free(struct sv_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool is_stats_line(const char *s)
{
	return strncmp(s, "processed ", 10) == 0 || strncmp(s, "cur state:", 10) == 0 ||
	       strncmp(s, "stack depth ", 12) == 0 || strncmp(s, "verification time ", 18) == 0;
}

const char *sv_log_error(const struct sv_log *l)
{
	for (size_t i = l->n; i-- > 0;) {
		if (strncmp(l->v[i], "processed ", 10) != 0)
			continue;
		while (i-- > 0)
			if (!is_stats_line(l->v[i]))
				return l->v[i];
		return "";
	}
	return "";
}

bool sv_is_elf(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	if (!f)
		return false;
	size_t n = fread(m, 1, 4, f);
	fclose(f);
	return n == 4 && memcmp(m, "\177ELF", 4) == 0;
}

struct stackbpf_host *sv_host_new(bool linux_helpers)
{
	struct stackbpf_host *h = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, hopts);
	if (!h || stackbpf_host__add_examples(h) || (linux_helpers && stackbpf_host__add_linux_helpers(h, &hopts))) {
		stackbpf_host__free(h);
		cli_error("out of memory");
		return NULL;
	}
	return h;
}

struct stackbpf_object *sv_object_open(const char *path, const struct stackbpf_host *host)
{
	STACKBPF_OPTS(stackbpf_object_opts, oopts, .host = host, .log = cli_log_stderr);
	struct stackbpf_object *obj = stackbpf_object__open(path, &oopts);
	if (!obj && errno != EINVAL)   /* EINVAL: the loader logged the reason */
		cli_error("cannot open '%s': %s", path, strerror(errno));
	return obj;
}

/* libbpf_bpf_prog_type_str() for the types stackbpf knows */
static const struct {
	int type;
	const char *name;
} prog_types[] = {
	{ STACKBPF_PROG_UNSPEC, "unspec" },
	{ STACKBPF_PROG_SOCKET_FILTER, "socket_filter" },
	{ STACKBPF_PROG_KPROBE, "kprobe" },
	{ STACKBPF_PROG_SCHED_CLS, "sched_cls" },
	{ STACKBPF_PROG_SCHED_ACT, "sched_act" },
	{ STACKBPF_PROG_TRACEPOINT, "tracepoint" },
	{ STACKBPF_PROG_XDP, "xdp" },
	{ STACKBPF_PROG_PERF_EVENT, "perf_event" },
	{ STACKBPF_PROG_CGROUP_SKB, "cgroup_skb" },
	{ STACKBPF_PROG_RAW_TRACEPOINT, "raw_tracepoint" },
	{ STACKBPF_PROG_TRACING, "tracing" },
	{ STACKBPF_PROG_LSM, "lsm" },
	{ STACKBPF_PROG_SYSCALL, "syscall" },
};

const char *sv_prog_type_str(int type)
{
	for (size_t i = 0; i < sizeof(prog_types) / sizeof(prog_types[0]); i++)
		if (prog_types[i].type == type)
			return prog_types[i].name;
	return "unknown";
}

int sv_prog_type_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(prog_types) / sizeof(prog_types[0]); i++)
		if (strcmp(prog_types[i].name, s) == 0)
			return prog_types[i].type;
	return -1;
}

/* libbpf_bpf_attach_type_str() of the attach types libbpf's section table
 * gives the sections stackbpf loads (Linux's enum bpf_attach_type values) */
static const struct {
	int id;
	const char *name;
	const char *section;     /* prefix (before '/' or the end) giving it */
} attach_types[] = {
	{ 0, "cgroup_inet_ingress", "cgroup_skb/ingress" },
	{ 1, "cgroup_inet_egress", "cgroup_skb/egress" },
	{ 24, "trace_raw_tp", "tp_btf" },
	{ 25, "trace_fentry", "fentry" },
	{ 26, "trace_fexit", "fexit" },
	{ 27, "modify_return", "fmod_ret" },
	{ 28, "lsm_mac", "lsm" },
	{ 29, "trace_iter", "iter" },
	{ 37, "xdp", "xdp" },
	{ 42, "trace_kprobe_multi", "kprobe.multi" },
};

int sv_attach_type_of(const char *section)
{
	for (size_t i = 1; i < sizeof(attach_types) / sizeof(attach_types[0]); i++) {
		const char *p = attach_types[i].section;
		size_t n = strlen(p);
		/* "fentry.s/x" and "lsm.s/x" too; "xdp.frags" */
		if (strncmp(section, p, n) == 0 &&
		    (section[n] == '\0' || section[n] == '/' || section[n] == '.'))
			return attach_types[i].id;
	}
	return 0;
}

const char *sv_attach_type_str(int id)
{
	for (size_t i = 0; i < sizeof(attach_types) / sizeof(attach_types[0]); i++)
		if (attach_types[i].id == id)
			return attach_types[i].name;
	return "unknown";
}

int sv_attach_type_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(attach_types) / sizeof(attach_types[0]); i++)
		if (strcmp(attach_types[i].name, s) == 0)
			return attach_types[i].id;
	return -1;
}

int sv_verify(const struct stackbpf_prog *prog, const struct sv_target *t, struct sv_log *log,
	      struct stackbpf_verify_stats *st)
{
	STACKBPF_OPTS(stackbpf_verify_opts, opts, .host = t->host, .log_level = t->log_level, .strict = t->strict,
		      .prog_type = (enum stackbpf_prog_type)t->prog_type, .mem_size = t->mem_size,
		      .log = log ? sv_log_collect : NULL, .log_ctx = log, .lines = t->lines,
		      .line_cnt = t->line_cnt, .strict_alignment = t->strict_alignment);
	int err = stackbpf_prog__verify(prog, &opts, st);
	if (log && log->oom)
		err = -ENOMEM;
	return err;
}

bool sv_print_btf_hint(const struct stackbpf_object *obj, const struct stackbpf_program *prog, const char *path,
		       const char *reject_msg, const char *label)
{
	char buf[1024];
	if (stackbpf_program__btf_hint(obj, prog, reject_msg, buf, sizeof(buf)) != 1)
		return false;
	fflush(stdout);
	cli_error("%s: %s: %s: %s", path, stackbpf_program__name(prog), label, buf);
	return true;
}
