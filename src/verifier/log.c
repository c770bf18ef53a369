/* log.c - the verifier log in Linux 6.18's format.
 *
 * The log is one growing buffer that can be rewound (level 1 forgets the
 * paths that verified, as the kernel does on pop). Lines:
 *   instruction  "N: (op) <kernel disasm>", then, once the instruction ran,
 *                "; <changed registers and stack>" appended on the same line
 *                at column roundup(max(L+5, 40), 8) - 2 (vlog_alignment);
 *   full state   "N: R1=... R10=fp0" when something else was printed between
 *                the instruction and its effects (calls, branch pops);
 *   registers    "R1=ctx()", "R2=fp-8", "R3=mem(sz=64)", scalars through
 *                scalar_fmt, stack "fp-8=0000????" (one char per byte, the
 *                highest address first) or "fp-8=<spilled register>". */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool log_on(const struct sbpf_env *env, int level_bit)
{
	return (env->log_level & level_bit) != 0;
}

/* Like Linux's rotating log, keep at most LOG_MAX bytes: the oldest whole
 * lines go, and every remembered position moves with the text. */
enum { LOG_MAX = 16 << 20 };

static void log_rotate(struct sbpf_env *env, size_t need)
{
	size_t cut = env->log_len / 2 + need;
	if (cut > env->log_len)
		cut = env->log_len;
	char *nl = memchr(env->log + cut, '\n', env->log_len - cut);
	cut = nl ? (size_t)(nl - env->log) + 1 : env->log_len;
	memmove(env->log, env->log + cut, env->log_len - cut);
	env->log_len -= cut;
	env->log[env->log_len] = '\0';
	env->prev_log_pos = env->prev_log_pos > cut ? env->prev_log_pos - cut : 0;
	for (size_t i = 0; i < env->nstack; i++)
		env->stack[i].log_pos = env->stack[i].log_pos > cut ? env->stack[i].log_pos - cut : 0;
}

static void log_append(struct sbpf_env *env, const char *s, size_t n)
{
	if (env->log_len + n > LOG_MAX && env->log_len)
		log_rotate(env, n);
	if (env->log_len + n + 1 > env->log_cap) {
		size_t cap = env->log_cap ? env->log_cap : 4096;
		while (cap < env->log_len + n + 1)
			cap *= 2;
		char *p = realloc(env->log, cap);
		if (!p) {
			env->oom = true;
			return;
		}
		env->log = p;
		env->log_cap = cap;
	}
	memcpy(env->log + env->log_len, s, n);
	env->log_len += n;
	env->log[env->log_len] = '\0';
}

static void vlogv(struct sbpf_env *env, const char *fmt, va_list ap)
{
	char buf[512];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(buf, sizeof(buf), fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		log_append(env, buf, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		env->oom = true;
		return;
	}
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	log_append(env, big, (size_t)n);
	free(big);
}

void vlog(struct sbpf_env *env, const char *fmt, ...)
{
	if (!env->log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlogv(env, fmt, ap);
	va_end(ap);
}

int verr(struct sbpf_env *env, int err, const char *fmt, ...)
{
	if (env->log_level) {
		va_list ap;
		va_start(ap, fmt);
		vlogv(env, fmt, ap);
		va_end(ap);
		log_append(env, "\n", 1);
	}
	return err;
}

void log_reset(struct sbpf_env *env, size_t pos)
{
	if (pos < env->log_len) {
		env->log_len = pos;
		env->log[pos] = '\0';
	}
}

/* Linux's reg_type_str: flag prefixes, the base name, "_or_null"; the
 * result lives in one of a few rotating buffers */
const char *reg_type_str(uint16_t type)
{
	static const char *const names[SBPF_NREG_TYPES] = {
		[NOT_INIT] = "?", [SCALAR_VALUE] = "scalar", [PTR_TO_CTX] = "ctx",
		[PTR_TO_STACK] = "fp", [PTR_TO_MEM] = "mem", [CONST_PTR_TO_MAP] = "map_ptr",
		[PTR_TO_MAP_VALUE] = "map_value", [PTR_TO_MAP_KEY] = "map_key",
		[PTR_TO_PACKET_META] = "pkt_meta", [PTR_TO_PACKET] = "pkt", [PTR_TO_PACKET_END] = "pkt_end",
		[PTR_TO_FUNC] = "func",
	};
	static _Thread_local char bufs[4][48];
	static _Thread_local unsigned next;
	unsigned b = BASE_TYPE(type);
	if (b >= SBPF_NREG_TYPES)
		return "?";
	if (!(type & (PTR_MAYBE_NULL | MEM_RDONLY | MEM_RINGBUF)))
		return names[b];
	char *buf = bufs[next++ % 4];
	snprintf(buf, sizeof(bufs[0]), "%s%s%s%s", type & MEM_RDONLY ? "rdonly_" : "",
		 type & MEM_RINGBUF ? "ringbuf_" : "", names[b], type & PTR_MAYBE_NULL ? "_or_null" : "");
	return buf;
}

void arg_name(char *buf, size_t size, int i)
{
	/* called for every argument of every call: no formatting on the hot path */
	static const char *const names[SBPF_MAX_FUNC_ARGS] = {
		"R1", "R2", "R3", "R4", "R5", "*(R11-8)", "*(R11-16)", "*(R11-24)", "*(R11-32)",
		"*(R11-40)", "*(R11-48)", "*(R11-56)",
	};
	if (i >= 0 && i < SBPF_MAX_FUNC_ARGS && size > strlen(names[i]))
		memcpy(buf, names[i], strlen(names[i]) + 1);
	else if (i < SBPF_MAX_REG_ARGS)
		snprintf(buf, size, "R%d", i + 1);
	else
		snprintf(buf, size, "*(R11-%d)", 8 * (i - SBPF_MAX_REG_ARGS + 1));
}

/* ", "-separated fields of a pointer: id, off, sz, the variable part */
static void log_ptr_fields(struct sbpf_env *env, const struct sbpf_reg *r)
{
	const char *sep = "";
	if (r->id) {
		vlog(env, "%sid=%u", sep, r->id);
		sep = ",";
	}
	if (r->ref_obj_id) {
		vlog(env, "%sref_obj_id=%u", sep, r->ref_obj_id);
		sep = ",";
	}
	uint16_t b = BASE_TYPE(r->type);
	if ((b == CONST_PTR_TO_MAP || b == PTR_TO_MAP_VALUE || b == PTR_TO_MAP_KEY) && r->map_ptr) {
		const char *name = stackbpf_map__name(r->map_ptr);
		if (name && *name) {
			vlog(env, "%smap=%s", sep, name);
			sep = ",";
		}
		vlog(env, "%sks=%u,vs=%u", sep, stackbpf_map__key_size(r->map_ptr),
		     stackbpf_map__value_size(r->map_ptr));
		sep = ",";
	}
	if (r->off) {
		vlog(env, "%soff=%d", sep, r->off);
		sep = ",";
	}
	if (b == PTR_TO_PACKET || b == PTR_TO_PACKET_META) {
		/* verbose_unum: AT/BEYOND_PKT_END (-1/-2) print as 64-bit hex */
		uint64_t range = (uint64_t)(int64_t)(int32_t)r->mem_size;
		vlog(env, range <= 0xffff ? "%sr=%llu" : "%sr=0x%llx", sep, (unsigned long long)range);
		sep = ",";
	}
	if (BASE_TYPE(r->type) == PTR_TO_MEM) {
		vlog(env, "%ssz=%u", sep, r->mem_size);
		sep = ",";
	}
	if (scalar_is_const(&r->s)) {
		if (scalar_const(&r->s))
			vlog(env, "%simm=%llx", sep, (unsigned long long)scalar_const(&r->s));
		return;
	}
	/* the ranges as scalar_fmt prints them, without "scalar(...)" */
	char buf[256];
	scalar_fmt(buf, sizeof(buf), &r->s, 0);
	const char *in = buf;
	size_t n = strlen(buf);
	if (strncmp(buf, "scalar(", 7) == 0 && n > 8) {
		in = buf + 7;
		n -= 8;
	}
	if (n)
		vlog(env, "%s%.*s", sep, (int)n, in);
}

void log_reg(struct sbpf_env *env, const struct sbpf_func_state *f, const struct sbpf_reg *r)
{
	if (r->type == SCALAR_VALUE) {
		char buf[256];
		if (r->id & SBPF_ADD_CONST)
			scalar_fmt_linked(buf, sizeof(buf), &r->s, r->id & ~SBPF_ADD_CONST, r->off);
		else
			scalar_fmt(buf, sizeof(buf), &r->s, r->id);
		vlog(env, "%s%s", r->precise ? "P" : "", buf);
		return;
	}
	vlog(env, "%s", reg_type_str(r->type));
	if (r->type == PTR_TO_STACK) {
		if (!f || f->frameno != r->frameno)
			vlog(env, "[%d]", r->frameno);
		if (scalar_is_const(&r->s)) {
			vlog(env, "%lld", (long long)((int64_t)scalar_const(&r->s) + r->off));
			return;
		}
	}
	vlog(env, "(");
	log_ptr_fields(env, r);
	vlog(env, ")");
}

static void log_slot(struct sbpf_env *env, const struct sbpf_func_state *f, uint32_t spi)
{
	const struct sbpf_stack_slot *s = &f->stack[spi];
	static const char chars[] = { [STACK_INVALID] = '?', [STACK_SPILL] = 'r', [STACK_MISC] = 'm',
				      [STACK_ZERO] = '0' };
	if (s->types[7] == STACK_SPILL) {
		/* a narrow spill: the other bytes' types first ("????0") */
		vlog(env, " fp%d=", -8 * (int)(spi + 1));
		for (int j = 0; j < 7 && s->types[j] != STACK_SPILL; j++)
			vlog(env, "%c", chars[s->types[j] & 3]);
		log_reg(env, f, &s->spilled);
		return;
	}
	char buf[9];
	for (int j = 0; j < 8; j++)
		buf[j] = chars[s->types[j] & 3];
	buf[8] = '\0';
	vlog(env, " fp%d=%s", -8 * (int)(spi + 1), buf);
}

void log_state(struct sbpf_env *env, const struct sbpf_func_state *f, bool print_all)
{
	if (f->frameno)
		vlog(env, " frame%d:", f->frameno);
	for (int i = 0; i < SBPF_NREGS; i++) {
		const struct sbpf_reg *r = &f->regs[i];
		if (r->type == NOT_INIT)
			continue;
		if (!print_all && !(env->scratched_regs & (1u << i)))
			continue;
		vlog(env, " R%d=", i);
		log_reg(env, f, r);
	}
	for (uint32_t spi = 0; spi < f->nslots; spi++) {
		if (!print_all && !(spi < 64 && (env->scratched_slots & (1ull << spi))))
			continue;
		int valid = 0;
		for (int j = 0; j < 8; j++)
			valid |= f->stack[spi].types[j] != STACK_INVALID;
		if (valid)
			log_slot(env, f, spi);
	}
	/* refs.c's references of the path, and a callback frame's mark (vcalls) */
	const struct sbpf_vstate *vs = &env->cur;
	if (f->frameno <= vs->curframe && vs->frame[f->frameno] == f && vs->nrefs) {
		vlog(env, " refs=%u", vs->refs[0].id);
		for (uint32_t i = 1; i < vs->nrefs; i++)
			vlog(env, ",%u", vs->refs[i].id);
	}
	if (f->in_callback_fn)
		vlog(env, " cb");
	vlog(env, "\n");
	if (!print_all) {
		env->scratched_regs = 0;
		env->scratched_slots = 0;
	}
}

void mark_reg_scratched(struct sbpf_env *env, int regno)
{
	env->scratched_regs |= 1u << regno;
}

void mark_slot_scratched(struct sbpf_env *env, int spi)
{
	if (spi >= 0 && spi < 64)
		env->scratched_slots |= 1ull << spi;
}

void mark_all_scratched(struct sbpf_env *env)
{
	env->scratched_regs = ~0u;
	env->scratched_slots = ~0ull;
}

/* Linux's vlog_alignment: pad so that ';' lands on a multiple of 8 minus 2 */
static size_t vlog_alignment(size_t pos)
{
	size_t m = pos + 4 > 40 ? pos + 4 : 40;
	return ((m + 7) / 8) * 8 - pos - 1;
}

void log_insn_state(struct sbpf_env *env)
{
	if (!log_on(env, 3))
		return;
	if (env->prev_log_pos && env->prev_log_pos == env->log_len) {
		log_reset(env, env->prev_log_pos - 1);
		vlog(env, "%*c;", (int)vlog_alignment(env->prev_insn_print_pos), ' ');
	} else {
		vlog(env, "%u:", env->insn_idx);
	}
	log_state(env, cur_frame(env), false);
}

void log_insn(struct sbpf_env *env, uint32_t idx)
{
	if (!log_on(env, 3))
		return;
	if (env->scratched_regs || env->scratched_slots)
		log_insn_state(env);
	char buf[160];
	STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = STACKBPF_SYNTAX_KERNEL, .host = env->host);
	if (stackbpf_disasm__insn(env->insns, env->cnt, idx, &dopts, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "(%02x) ?", env->insns[idx].code);
	log_linfo(env, idx);
	env->prev_log_pos = env->log_len;
	vlog(env, "%u: %s\n", idx, buf);
	env->prev_insn_print_pos = env->log_len - env->prev_log_pos;
	env->prev_log_pos = env->log_len;
}

/* Linux's verbose_linfo: before the first instruction of a source line,
 * "; <the line, leading blanks dropped> @ <file's basename>:<line>". A line
 * info record is printed once until another one is; two records of the same
 * file and line (different columns) print once. */
void log_linfo(struct sbpf_env *env, uint32_t idx)
{
	if (!env->line_cnt || idx >= env->cnt || !log_on(env, 3))
		return;
	size_t i = 1;
	while (i < env->line_cnt && env->lines[i].insn_off <= idx)
		i++;
	const struct stackbpf_line *l = &env->lines[i - 1], *prev = env->prev_linfo;
	if (l == prev)
		return;
	const char *file = l->file ? l->file : "", *src = l->src ? l->src : "";
	if (prev && prev->line == l->line && strcmp(prev->file ? prev->file : "", file) == 0)
		return;
	while (*src == ' ' || *src == '\t' || *src == '\n' || *src == '\v' || *src == '\f' || *src == '\r')
		src++;
	const char *base = strrchr(file, '/');
	vlog(env, "; %s @ %s:%u\n", src, base ? base + 1 : file, l->line);
	env->prev_linfo = l;
}

void log_r0_range(struct sbpf_env *env, const char *where, const struct sbpf_reg *r0, int lo, int hi)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "At %s the register R0 has", where);
	bool unknown = true;
	if (r0->s.smin > INT64_MIN) {
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " smin=%lld", (long long)r0->s.smin);
		unknown = false;
	}
	if (r0->s.smax < INT64_MAX) {
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " smax=%lld", (long long)r0->s.smax);
		unknown = false;
	}
	if (unknown)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " unknown scalar value");
	verr(env, 0, "%s should have been in [%d, %d]", buf, lo, hi);
}
