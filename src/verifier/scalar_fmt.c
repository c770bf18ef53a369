/* scalar_fmt.c - a scalar in the Linux 6.18 verifier log format
 * (print_reg_state / print_scalar_ranges / verbose_snum / tnum_strn):
 *   42   -5   0x7a11e   scalar()   scalar(id=2,smin=umin=umin32=101,...)
 * Unsigned numbers up to 65535 and signed ones within [-32768, 32767] print
 * in decimal, others as 0x hex of their 64-bit (or, for smin32/smax32,
 * 32-bit) pattern; constants print as signed numbers. A bound equal to a later
 * one of the same kind (s or u, step of two in the table) is merged into
 * "a=b=value"; bounds at their type's default are omitted. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include "verifier/scalar.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* The kernel's "%#llx" prints 0 as "0x0"; always spell the prefix. */
static void put_hex(struct out *o, uint64_t v) { put(o, "0x%" PRIx64, v); }

static void put_snum(struct out *o, int64_t v)
{
	if (v >= INT16_MIN && v <= INT16_MAX)
		put(o, "%" PRId64, v);
	else
		put_hex(o, (uint64_t)v);
}

static void put_unum(struct out *o, uint64_t v)
{
	if (v <= UINT16_MAX)
		put(o, "%" PRIu64, v);
	else
		put_hex(o, v);
}

static uint64_t s32_val(int32_t v)
{
	int64_t w = v;

	return w >= INT16_MIN && w <= INT16_MAX ? (uint64_t)w : (uint64_t)(uint32_t)v;
}

static int fmt(char *buf, size_t size, const struct sbpf_scalar *s, uint32_t id, bool linked, int32_t delta)
{
	struct out o = { buf, size, 0 };
	struct {
		const char *name;
		uint64_t val;
		bool omit;
	} m[8] = {
		{ "smin", (uint64_t)s->smin, s->smin == INT64_MIN },
		{ "smax", (uint64_t)s->smax, s->smax == INT64_MAX },
		{ "umin", s->umin, s->umin == 0 },
		{ "umax", s->umax, s->umax == UINT64_MAX },
		{ "smin32", s32_val(s->s32_min), s->s32_min == INT32_MIN },
		{ "smax32", s32_val(s->s32_max), s->s32_max == INT32_MAX },
		{ "umin32", s->u32_min, s->u32_min == 0 },
		{ "umax32", s->u32_max, s->u32_max == UINT32_MAX },
	};
	const char *sep = "";

	if (size)
		buf[0] = '\0';
	if (tnum_is_const(s->var_off)) {
		put_snum(&o, (int64_t)s->var_off.value);
		return (int)o.len;
	}
	put(&o, "scalar(");
	if (id) {
		put(&o, "id=%u", id);
		sep = ",";
	}
	if (linked)
		put(&o, "%+d", (int)delta);
	for (int i = 0; i < 8; i++) {
		bool neg1;

		if (m[i].omit)
			continue;
		neg1 = m[i].name[0] == 's' && (int64_t)m[i].val < 0;
		put(&o, "%s%s=", sep, m[i].name);
		sep = ",";
		for (int j = i + 2; j < 8; j += 2) {
			bool neg2;

			if (m[j].omit || m[j].val != m[i].val)
				continue;
			neg2 = m[j].name[0] == 's' && (int64_t)m[j].val < 0;
			if (neg2 != neg1)
				continue;
			m[j].omit = true;
			put(&o, "%s=", m[j].name);
		}
		if (m[i].name[0] == 's')
			put_snum(&o, (int64_t)m[i].val);
		else
			put_unum(&o, m[i].val);
	}
	if (!tnum_is_unknown(s->var_off)) {
		put(&o, "%svar_off=(", sep);
		put_hex(&o, s->var_off.value);
		put(&o, "; ");
		put_hex(&o, s->var_off.mask);
		put(&o, ")");
	}
	put(&o, ")");
	return (int)o.len;
}

int scalar_fmt(char *buf, size_t size, const struct sbpf_scalar *s, uint32_t id)
{
	return fmt(buf, size, s, id, false, 0);
}

int scalar_fmt_linked(char *buf, size_t size, const struct sbpf_scalar *s, uint32_t id, int32_t delta)
{
	return fmt(buf, size, s, id, true, delta);
}
