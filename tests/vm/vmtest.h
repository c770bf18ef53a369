/* vmtest.h - building programs from raw instructions, and running them in
 * both engines, for the vm tests (no dependency on the assembler). */
#ifndef VMTEST_H
#define VMTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

#define INSN(c, d, s, o, i) ((struct stackbpf_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })
/* classes/ops as bytes, so the tests restate the encoding independently */
#define ALU64_K(op, d, i) INSN(0x07 | (op), d, 0, 0, i)
#define ALU64_X(op, d, s) INSN(0x0f | (op), d, s, 0, 0)
#define ALU32_K(op, d, i) INSN(0x04 | (op), d, 0, 0, i)
#define ALU32_X(op, d, s) INSN(0x0c | (op), d, s, 0, 0)
#define MOV64_K(d, i) ALU64_K(0xb0, d, i)
#define MOV64_X(d, s) ALU64_X(0xb0, d, s)
#define LD64(d, v) INSN(0x18, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
	INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define EXIT() INSN(0x95, 0, 0, 0, 0)
#define JA(o) INSN(0x05, 0, 0, o, 0)
#define JMP_K(op, d, i, o) INSN(0x05 | (op), d, 0, o, i)
#define JMP_X(op, d, s, o) INSN(0x0d | (op), d, s, o, 0)
#define CALL_LOCAL(rel) INSN(0x85, 0, 1, 0, rel)
#define CALL_HELPER(id) INSN(0x85, 0, 0, 0, id)
#define CALL_KFUNC(id) INSN(0x85, 0, 2, 0, id)
#define LDXDW(d, s, o) INSN(0x79, d, s, o, 0)
#define STXDW(d, s, o) INSN(0x7b, d, s, o, 0)
#define STDW(d, o, i) INSN(0x7a, d, 0, o, i)
#define ARG_LD(d, k) INSN(0x79, d, 11, 8 * (k), 0)        /* d = incoming arg 5+k */
#define ARG_ST(s, k) INSN(0x7b, 11, s, -8 * (k), 0)       /* outgoing arg 5+k = s */
#define ARG_STI(i, k) INSN(0x7a, 11, 0, -8 * (k), i)

#define PROG(...) ((const struct stackbpf_insn[]){ __VA_ARGS__ }), \
	(sizeof((const struct stackbpf_insn[]){ __VA_ARGS__ }) / sizeof(struct stackbpf_insn))

static struct stackbpf_host *t_host;

static inline struct stackbpf_host *test_host(void)
{
	if (!t_host) {
		t_host = stackbpf_host__new();
		if (!t_host || stackbpf_host__add_examples(t_host) || stackbpf_host__add_conformance_helpers(t_host)) {
			fprintf(stderr, "cannot build the host registry\n");
			exit(2);
		}
	}
	return t_host;
}

struct run_result {
	int err;
	uint64_t r0;
	char msg[256];
};

/* Validate, then run in one engine. */
static inline struct run_result run_one(const struct stackbpf_insn *insns, size_t cnt, bool checked, void *mem, size_t len,
				 uint64_t may_goto_budget, uint64_t insn_limit)
{
	struct run_result r = { 0 };
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	const char *msg = "";
	if (!p || (r.err = stackbpf_prog__validate(p, NULL, &msg))) {
		snprintf(r.msg, sizeof(r.msg), "validate: %s", msg);
		r.err = r.err ? r.err : -ENOMEM;
		stackbpf_prog__free(p);
		return r;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, o, .host = test_host(), .checked = checked,
		      .may_goto_budget = may_goto_budget, .insn_limit = insn_limit);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &o);
	if (!vm) {
		r.err = -errno;
		snprintf(r.msg, sizeof(r.msg), "vm__new failed");
	} else {
		r.err = stackbpf_vm__run(vm, mem, len, &r.r0);
		snprintf(r.msg, sizeof(r.msg), "%s", stackbpf_vm__errmsg(vm));
	}
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	return r;
}

/* Run in both engines (each on its own copy of mem) and check they agree:
 * same error, same message, same r0, same final memory. */
static inline struct run_result run_both_at(const char *file, int line, const struct stackbpf_insn *insns, size_t cnt,
				     void *mem, size_t len)
{
	void *copy = len ? malloc(len) : NULL;
	if (len)
		memcpy(copy, mem, len);
	struct run_result f = run_one(insns, cnt, false, mem, len, 0, 0);
	struct run_result c = run_one(insns, cnt, true, copy, len, 0, 0);
	T_OK(f.err == c.err && f.r0 == c.r0 && strcmp(f.msg, c.msg) == 0 && (!len || !memcmp(mem, copy, len)),
	     "%s:%d: engines disagree: fast err %d r0 0x%" PRIx64 " '%s', checked err %d r0 0x%" PRIx64 " '%s'",
	     file, line, f.err, f.r0, f.msg, c.err, c.r0, c.msg);
	free(copy);
	return c;
}
#define run_both(...) run_both_at(__FILE__, __LINE__, __VA_ARGS__)

/* r0 of a program that must run without error in both engines */
static inline uint64_t exec_at(const char *file, int line, const struct stackbpf_insn *insns, size_t cnt)
{
	struct run_result r = run_both_at(file, line, insns, cnt, NULL, 0);
	T_OK(r.err == 0, "%s:%d: run failed (%d): %s", file, line, r.err, r.msg);
	return r.r0;
}
#define exec(...) exec_at(__FILE__, __LINE__, __VA_ARGS__)

/* message of a program that validation must reject */
static inline const char *reject_msg(const struct stackbpf_insn *insns, size_t cnt, const struct stackbpf_validate_opts *o)
{
	static char buf[256];
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	const char *msg = "(accepted)";
	int err = p ? stackbpf_prog__validate(p, o, &msg) : -ENOMEM;
	snprintf(buf, sizeof(buf), "%s", err ? msg : "(accepted)");
	stackbpf_prog__free(p);
	return buf;
}

#endif
