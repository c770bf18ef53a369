/* vt.h - what the verifier tests share: the host registry they verify and run
 * against, and "verify this text, give me the verdict and the error line".
 *
 * The host holds the example functions (sum_args0..12, mem_sum), Linux's
 * helpers (stackbpf_host__add_linux_helpers) plus a few
 * test-only prototypes that exercise every argument and return kind:
 *   fill(ptr, size)               PTR_TO_MEM_RW + MEM_SIZE: writes 0xab bytes, returns size
 *   ctxlen(ctx)                   CTX: returns 7
 *   kconst(k)                     CONST: returns k
 *   bump()                        VOID
 *   maybe_buf(x)                  MEM_OR_NULL (16 bytes): a static buffer if x != 0, else NULL
 *   mem12(a1..a4, p1, s1, a7, a8, a9, a10, p2, s2)
 *                                 two mem+size pairs: one across r5 and a slot,
 *                                 one in slots 6/7 (args 11, 12); returns
 *                                 a1+..+a4 + a7+..+a10 + sum of both buffers' bytes
 *   kconst7(a1..a6, k)            CONST as arg 7 (a stack-argument slot): returns k
 *   ctx6(a1..a5, ctx)             CTX as arg 6: returns a1+..+a5 */
#ifndef VT_H
#define VT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

typedef uint64_t u64;

static u64 t_fill(u64 p, u64 n)
{
	memset((void *)(uintptr_t)p, 0xab, (size_t)n);
	return n;
}
static u64 t_ctxlen(u64 c) { (void)c; return 7; }
static u64 t_kconst(u64 k) { return k; }
static u64 t_bump(void) { return 0; }
static uint8_t t_buf[16];
static u64 t_maybe_buf(u64 x) { return x ? (u64)(uintptr_t)t_buf : 0; }
static u64 t_bytes(u64 p, u64 n)
{
	u64 s = 0;
	for (u64 i = 0; i < n; i++)
		s += ((const uint8_t *)(uintptr_t)p)[i];
	return s;
}
static u64 t_mem12(u64 a1, u64 a2, u64 a3, u64 a4, u64 p1, u64 s1, u64 a7, u64 a8, u64 a9, u64 a10, u64 p2,
		   u64 s2)
{
	return a1 + a2 + a3 + a4 + a7 + a8 + a9 + a10 + t_bytes(p1, s1) + t_bytes(p2, s2);
}

static u64 t_kconst7(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 k)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6;
	return k;
}
static u64 t_ctx6(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 c)
{
	(void)c;
	return a1 + a2 + a3 + a4 + a5;
}

static inline struct stackbpf_host *vt_host(void)
{
	static struct stackbpf_host *h;
	if (h)
		return h;
	h = stackbpf_host__new();
	if (!h || stackbpf_host__add_examples(h) || stackbpf_host__add_linux_helpers(h, NULL))
		exit(2);
	enum { S = STACKBPF_ARG_SCALAR, M = STACKBPF_ARG_PTR_TO_MEM, W = STACKBPF_ARG_PTR_TO_MEM_RW,
	       Z = STACKBPF_ARG_MEM_SIZE };
#define FN(N, F, NA, RT, RS, ...) { .sz = sizeof(struct stackbpf_fn_desc), .name = N, .fn = (void *)F, \
		.nargs = NA, .arg_types = { __VA_ARGS__ }, .ret_type = RT, .ret_size = RS }
	struct stackbpf_fn_desc d[] = {
		FN("fill", t_fill, 2, STACKBPF_RET_SCALAR, 0, W, Z),
		FN("ctxlen", t_ctxlen, 1, STACKBPF_RET_SCALAR, 0, STACKBPF_ARG_CTX),
		FN("kconst", t_kconst, 1, STACKBPF_RET_SCALAR, 0, STACKBPF_ARG_CONST),
		FN("bump", t_bump, 0, STACKBPF_RET_VOID, 0, 0),
		FN("maybe_buf", t_maybe_buf, 1, STACKBPF_RET_MEM_OR_NULL, 16, S),
		FN("mem12", t_mem12, 12, STACKBPF_RET_SCALAR, 0, S, S, S, S, M, Z, S, S, S, S, M, Z),
		FN("kconst7", t_kconst7, 7, STACKBPF_RET_SCALAR, 0, S, S, S, S, S, S, STACKBPF_ARG_CONST),
		FN("ctx6", t_ctx6, 6, STACKBPF_RET_SCALAR, 0, S, S, S, S, S, STACKBPF_ARG_CTX),
	};
#undef FN
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (stackbpf_host__register(h, &d[i]) < 0)
			exit(2);
	return h;
}

struct vt_log {
	char text[1 << 16];
	size_t len;
	char err[512];       /* the last line before "processed" */
	char prev[512];
};

static inline void vt_log_cb(void *ctx, int level, const char *msg)
{
	(void)level;
	struct vt_log *l = ctx;
	size_t n = strlen(msg);
	if (l->len + n + 2 < sizeof(l->text)) {
		memcpy(l->text + l->len, msg, n);
		l->len += n;
		l->text[l->len++] = '\n';
		l->text[l->len] = '\0';
	}
	if (strncmp(msg, "processed ", 10) == 0) {
		snprintf(l->err, sizeof(l->err), "%s", l->prev);
	} else if (strncmp(msg, "cur state:", 10) != 0 && strncmp(msg, "old state:", 10) != 0 && strncmp(msg, "stack depth ", 12) != 0 &&
		   strncmp(msg, "verification time ", 18) != 0) {
		snprintf(l->prev, sizeof(l->prev), "%s", msg);
	}
}

/* What a case runs in besides its instructions: program type, maps (the
 * prog's map table, by index) and BTF functions. */
struct vt_env {
	enum stackbpf_prog_type type;        /* 0: raw (r1 = mem, r2 = mem_size) */
	uint32_t mem_size;
	bool strict;
	struct stackbpf_map *maps[16];
	size_t nmaps;
	struct stackbpf_func funcs[16];
	size_t nfuncs;
	bool strict_alignment, any_alignment;   /* @align strict|any */
};

/* The @ lines of a .vt case (test_cases.c lists them): the verifier's
 * environment, the input memory and the packet data, with the names the
 * maps and functions point to. */
struct vt_setup {
	struct vt_env env;
	uint8_t mem[256];
	size_t mem_init;
	uint8_t data[256];
	size_t data_len;
	char type_name[64];             /* @type as written */
	char map_names[16][16], func_names[16][32];
};

static inline void vt_setup_free(struct vt_setup *s)
{
	for (size_t i = 0; i < s->env.nmaps; i++)
		stackbpf_map__free(s->env.maps[i]);
	memset(s, 0, sizeof(*s));
}

/* hex bytes ("0a ff ...") into out, as many as fit */
static inline void vt_hex_bytes(const char *p, uint8_t *out, size_t max, size_t *n)
{
	char *end;
	for (;;) {
		unsigned long b = strtoul(p, &end, 16);
		if (end == p)
			break;
		if (*n < max)
			out[(*n)++] = (uint8_t)b;
		p = end;
	}
}

static inline int vt_map_type_of(const char *name)
{
	for (uint32_t t = 0; t < 64; t++)
		if (stackbpf_map_type__name(t) && strcmp(stackbpf_map_type__name(t), name) == 0)
			return (int)t;
	return -1;
}

/* one @ line into s: 0, or -1 with why */
static inline int vt_parse_at(struct vt_setup *s, const char *line, char *why, size_t whysz)
{
	char word[64], *end;
	struct vt_env *e = &s->env;
	if (strncmp(line, "@mem ", 5) == 0) {
		e->mem_size = (uint32_t)strtoul(line + 5, &end, 0);
		vt_hex_bytes(end, s->mem, sizeof(s->mem), &s->mem_init);
	} else if (strncmp(line, "@data", 5) == 0) {
		vt_hex_bytes(line + 5, s->data, sizeof(s->data), &s->data_len);
	} else if (strcmp(line, "@strict") == 0) {
		e->strict = true;
	} else if (strcmp(line, "@align strict") == 0 || strcmp(line, "@align any") == 0) {
		e->strict_alignment = true;
		e->any_alignment = line[7] == 'a';
	} else if (sscanf(line, "@type %63s", word) == 1) {
		int t = stackbpf_prog_type__from_name(word);
		if (t < 0) {
			snprintf(why, whysz, "unknown program type '%s'", word);
			return -1;
		}
		e->type = (enum stackbpf_prog_type)t;
		snprintf(s->type_name, sizeof(s->type_name), "%s", word);
	} else if (strncmp(line, "@map ", 5) == 0) {
		unsigned k, v, max;
		if (sscanf(line, "@map %63s %u %u %u", word, &k, &v, &max) != 4 || vt_map_type_of(word) < 0 ||
		    e->nmaps >= sizeof(e->maps) / sizeof(e->maps[0])) {
			snprintf(why, whysz, "bad @map line (TYPE KEY VALUE MAX)");
			return -1;
		}
		const char *err = "";
		STACKBPF_OPTS(stackbpf_map_opts, mo, .errmsg = &err);
		const char *nm = strstr(line, " name=");
		if (strstr(line, " rdonly"))
			mo.map_flags = STACKBPF_F_RDONLY_PROG;
		if (nm) {
			snprintf(s->map_names[e->nmaps], sizeof(s->map_names[0]), "%.*s", (int)strcspn(nm + 6, " "),
				 nm + 6);
			mo.name = s->map_names[e->nmaps];
		}
		struct stackbpf_map *m = stackbpf_map__new((uint32_t)vt_map_type_of(word), k, v, max, &mo);
		if (!m) {
			snprintf(why, whysz, "map: %s", err);
			return -1;
		}
		e->maps[e->nmaps++] = m;
	} else if (strncmp(line, "@func ", 6) == 0) {
		unsigned start;
		int np, n = 0;
		if (sscanf(line, "@func %u %d%n", &start, &np, &n) < 2 ||
		    e->nfuncs >= sizeof(e->funcs) / sizeof(e->funcs[0])) {
			snprintf(why, whysz, "bad @func line (START NPARAMS [global])");
			return -1;
		}
		/* the name: the last word when it is not "global" */
		char *nm = s->func_names[e->nfuncs];
		const char *last = strrchr(line + n, ' ');
		snprintf(nm, sizeof(s->func_names[0]), "%s", last && strcmp(last + 1, "global") ? last + 1 : "");
		struct stackbpf_func *f = &e->funcs[e->nfuncs++];
		f->name = nm;
		f->insn_off = start;
		f->nparams = np;
		f->global = strstr(line + n, "global") != NULL;
	} else {
		snprintf(why, whysz, "unknown directive %s", line);
		return -1;
	}
	return 0;
}

/* a prog carrying env's map table and functions */
static inline struct stackbpf_prog *vt_prog(const struct stackbpf_insn *insns, size_t cnt, const struct vt_env *e)
{
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	if (!p || (e && (stackbpf_prog__set_maps(p, e->maps, e->nmaps) ||
			 stackbpf_prog__set_funcs(p, e->funcs, e->nfuncs))))
		exit(2);
	return p;
}

/* The walk takes shortcuts when nobody reads every step (mark_chain's memo
 * and fast path): the level-2 log turns them off to show each backtracking
 * step as Linux does. Verify p again at level 2 (o as the first run had it)
 * and demand the same verdict, error line and statistics as that run (at
 * level 0 or 1), which gave err1, msg1 and st1. */
static inline void vt_check_shortcuts(const char *name, struct stackbpf_prog *p, struct stackbpf_verify_opts o,
				      int err1, const char *msg1, const struct stackbpf_verify_stats *st1)
{
	static struct vt_log log2;
	memset(&log2, 0, sizeof(log2));
	o.log_level = 2;
	o.log = vt_log_cb;
	o.log_ctx = &log2;
	STACKBPF_OPTS(stackbpf_verify_stats, st2);
	int err2 = stackbpf_prog__verify(p, &o, &st2);
	T_OK(err2 == err1 && st2.insns_processed == st1->insns_processed && st2.total_states == st1->total_states &&
		     st2.peak_states == st1->peak_states && st2.max_states_per_insn == st1->max_states_per_insn,
	     "%s: level 2 (no shortcuts) differs: err %d/%d processed %llu/%llu states %u/%u peak %u/%u max %u/%u", name,
	     err1, err2, (unsigned long long)st1->insns_processed, (unsigned long long)st2.insns_processed,
	     st1->total_states, st2.total_states, st1->peak_states, st2.peak_states, st1->max_states_per_insn,
	     st2.max_states_per_insn);
	T_OK(!msg1 || !err1 || strcmp(msg1, log2.err) == 0, "%s: level 2 (no shortcuts) says \"%s\", not \"%s\"",
	     name, log2.err, msg1);
}

/* verify; with check_name, also check the shortcuts (vt_check_shortcuts) */
static inline int vt_verify_env_checked(const struct stackbpf_insn *insns, size_t cnt, const struct vt_env *e,
					int level, struct vt_log *log, struct stackbpf_verify_stats *st,
					const char *check_name)
{
	struct stackbpf_prog *p = vt_prog(insns, cnt, e);
	memset(log, 0, sizeof(*log));
	STACKBPF_OPTS(stackbpf_verify_opts, o, .host = vt_host(), .log_level = level, .strict = e->strict,
		      .prog_type = e->type, .mem_size = e->mem_size, .log = vt_log_cb, .log_ctx = log,
		      .strict_alignment = e->strict_alignment, .any_alignment = e->any_alignment);
	STACKBPF_OPTS(stackbpf_verify_stats, own);
	if (!st)
		st = &own;
	int err = stackbpf_prog__verify(p, &o, st);
	if (check_name)
		vt_check_shortcuts(check_name, p, o, err, log->err, st);
	stackbpf_prog__free(p);
	return err;
}

static inline int vt_verify_env(const struct stackbpf_insn *insns, size_t cnt, const struct vt_env *e, int level,
				struct vt_log *log, struct stackbpf_verify_stats *st)
{
	return vt_verify_env_checked(insns, cnt, e, level, log, st, NULL);
}

/* verify a raw program; the log and error line go to *log */
static inline int vt_verify(const struct stackbpf_insn *insns, size_t cnt, uint32_t mem_size, bool strict, int level,
		     struct vt_log *log, struct stackbpf_verify_stats *st)
{
	struct vt_env e = { .mem_size = mem_size, .strict = strict };
	return vt_verify_env(insns, cnt, &e, level, log, st);
}

#endif
