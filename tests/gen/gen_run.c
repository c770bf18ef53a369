/* gen_run.c - what the generator's tests do with a generated program:
 * write it as a reproducer, build its maps and prog, verify it, run it on
 * an engine with fresh inputs, and compare two runs' memory and maps. */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj/pktctx.h"

static const char *type_name(enum stackbpf_prog_type t)
{
	switch (t) {
	case STACKBPF_PROG_SOCKET_FILTER: return "socket";
	case STACKBPF_PROG_SCHED_CLS: return "tc";
	case STACKBPF_PROG_XDP: return "xdp";
	default: return "raw";
	}
}

void gen_write(FILE *out, const struct gen_prog *g, const struct stackbpf_host *host)
{
	fprintf(out, "# stackbpf generated program: seed %llu, features 0x%x, %zu insns\n",
		(unsigned long long)g->seed, g->features, g->cnt);
	fprintf(out, "# the directives of a tests/verifier/cases .vt case:\n");
	if (g->type != STACKBPF_PROG_UNSPEC)
		fprintf(out, "# @type %s\n", type_name(g->type));
	fprintf(out, "# %s %u", g->type == STACKBPF_PROG_UNSPEC ? "@mem" : "@data", g->mem_size);
	for (uint32_t i = 0; i < g->mem_size; i++)
		fprintf(out, " %02x", g->mem[i]);
	fputc('\n', out);
	for (size_t i = 0; i < g->nmaps; i++) {
		const struct gen_map *m = &g->maps[i];
		fprintf(out, "# @map %s %u %u %u", stackbpf_map_type__name(m->type), m->key_size, m->value_size,
			m->max_entries);
		for (unsigned e = 0; e < m->ninit; e++) {
			fprintf(out, " (");
			for (uint32_t b = 0; b < m->key_size; b++)
				fprintf(out, "%02x", m->init_key[e][b]);
			fprintf(out, ":");
			for (uint32_t b = 0; b < m->value_size; b++)
				fprintf(out, "%02x", m->init_val[e][b]);
			fprintf(out, ")");
		}
		fputc('\n', out);
	}
	STACKBPF_OPTS(stackbpf_disasm_opts, d, .host = host);
	stackbpf_disasm__prog(out, g->insns, g->cnt, &d);
}

struct stackbpf_host *gen_host(void)
{
	static struct stackbpf_host *h;
	if (!h) {
		STACKBPF_OPTS(stackbpf_linux_helpers_opts, lo, .seed = 1);
		h = stackbpf_host__new();
		if (!h || stackbpf_host__add_examples(h) || stackbpf_host__add_linux_helpers(h, &lo))
			abort();
	}
	return h;
}

int gen_env_new(const struct gen_prog *g, struct gen_env *e)
{
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < g->nmaps; i++) {
		const struct gen_map *m = &g->maps[i];
		e->maps[i] = stackbpf_map__new(m->type, m->key_size, m->value_size, m->max_entries, NULL);
		if (!e->maps[i]) {
			int err = -errno;
			gen_env_free(e);
			return err;
		}
		e->nmaps++;
		for (unsigned k = 0; k < m->ninit; k++)
			stackbpf_map__update(e->maps[i], m->init_key[k], m->init_val[k], STACKBPF_ANY);
	}
	e->prog = stackbpf_prog__from_insns(g->insns, g->cnt);
	if (!e->prog || stackbpf_prog__set_maps(e->prog, e->maps, e->nmaps)) {
		gen_env_free(e);
		return -ENOMEM;
	}
	return 0;
}

void gen_env_free(struct gen_env *e)
{
	stackbpf_prog__free(e->prog);
	for (size_t i = 0; i < e->nmaps; i++)
		stackbpf_map__free(e->maps[i]);
	memset(e, 0, sizeof(*e));
}

struct last_line {
	char *buf;
	size_t sz;
	char prev[512];
};

static void log_cb(void *ctx, int level, const char *msg)
{
	(void)level;
	struct last_line *l = ctx;
	if (strncmp(msg, "processed ", 10) == 0)
		snprintf(l->buf, l->sz, "%s", l->prev);
	else
		snprintf(l->prev, sizeof(l->prev), "%s", msg);
}

int gen_verify_level(const struct gen_prog *g, struct gen_env *e, int level, char *err, size_t errsz,
		     struct stackbpf_verify_stats *st)
{
	char dummy[8];
	struct last_line l = { .buf = err ? err : dummy, .sz = err ? errsz : sizeof(dummy) };
	l.buf[0] = '\0';
	STACKBPF_OPTS(stackbpf_verify_opts, o, .host = gen_host(), .log_level = level, .prog_type = g->type,
		      .mem_size = g->type == STACKBPF_PROG_UNSPEC ? g->mem_size : 0, .log = log_cb, .log_ctx = &l);
	return stackbpf_prog__verify(e->prog, &o, st);
}

int gen_verify(const struct gen_prog *g, struct gen_env *e, char *err, size_t errsz)
{
	return gen_verify_level(g, e, err ? 1 : 0, err, errsz, NULL);
}

static void print_cb(void *ctx, int level, const char *msg)
{
	(void)level;
	fprintf(ctx, "%s\n", msg);
}

int gen_verify_print(const struct gen_prog *g, struct gen_env *e, int level, FILE *out)
{
	STACKBPF_OPTS(stackbpf_verify_opts, o, .host = gen_host(), .log_level = level, .prog_type = g->type,
		      .mem_size = g->type == STACKBPF_PROG_UNSPEC ? g->mem_size : 0, .log = print_cb, .log_ctx = out);
	return stackbpf_prog__verify(e->prog, &o, NULL);
}

void gen_run(const struct gen_prog *g, struct gen_env *e, enum stackbpf_engine engine, bool checked,
	     struct gen_result *res)
{
	memset(res, 0, sizeof(*res));
	memcpy(e->mem, g->mem, sizeof(e->mem));
	STACKBPF_OPTS(stackbpf_vm_opts, vo, .host = gen_host(), .checked = checked, .engine = engine,
		      .insn_limit = checked ? (e->insn_limit ? e->insn_limit : 50000000) : 0);
	struct stackbpf_vm *vm = stackbpf_vm__new(e->prog, &vo);
	if (!vm) {
		res->err = -errno;
		snprintf(res->msg, sizeof(res->msg), "no vm: %s", strerror(errno));
		return;
	}
	if (engine == STACKBPF_ENGINE_JIT && !stackbpf_vm__jit_code(vm, NULL)) {
		res->err = -1000;
		snprintf(res->msg, sizeof(res->msg), "not compiled");
		stackbpf_vm__free(vm);
		return;
	}
	for (size_t i = 0; i < e->nmaps; i++) {
		size_t len = 0;
		void *st = stackbpf_map__storage(e->maps[i], &len);
		if (st && len)
			stackbpf_vm__add_region(vm, st, len);
	}
	if (g->type == STACKBPF_PROG_UNSPEC) {
		if (g->mem_size)
			stackbpf_vm__add_region(vm, e->mem, g->mem_size);
		res->err = stackbpf_vm__run(vm, g->mem_size ? e->mem : NULL, g->mem_size, &res->r0);
	} else {
		struct sbpf_pktctx pkt;
		memset(&pkt, 0, sizeof(pkt));
		res->err = sbpf_pktctx_new(&pkt, g->type, e->mem, g->mem_size);
		if (!res->err) {
			stackbpf_vm__add_region(vm, pkt.ctx, pkt.ctx_len);
			if (pkt.data_len)
				stackbpf_vm__add_region(vm, pkt.data, pkt.data_len);
			res->err = stackbpf_vm__run(vm, pkt.ctx, pkt.ctx_len, &res->r0);
			memcpy(e->mem, pkt.data, pkt.data_len < sizeof(e->mem) ? pkt.data_len : sizeof(e->mem));
			sbpf_pktctx_free(&pkt);
		}
	}
	snprintf(res->msg, sizeof(res->msg), "%s", stackbpf_vm__errmsg(vm));
	stackbpf_vm__free(vm);
}

static char *dump(struct stackbpf_map *m, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	stackbpf_map__dump(m, f);
	fclose(f);
	return buf;
}

int gen_env_cmp(const struct gen_prog *g, const struct gen_env *a, const struct gen_env *b, char *why,
		size_t whysz)
{
	for (uint32_t i = 0; i < g->mem_size; i++)
		if (a->mem[i] != b->mem[i]) {
			snprintf(why, whysz, "memory byte %u: 0x%02x vs 0x%02x", i, a->mem[i], b->mem[i]);
			return 1;
		}
	for (size_t i = 0; i < g->nmaps; i++) {
		size_t la = 0, lb = 0;
		char *da = dump(a->maps[i], &la), *db = dump(b->maps[i], &lb);
		int diff = !da || !db || la != lb || memcmp(da, db, la);
		if (diff)
			snprintf(why, whysz, "map %zu differs:\n%s---\n%s", i, da ? da : "", db ? db : "");
		free(da);
		free(db);
		if (diff)
			return 1;
	}
	return 0;
}
