/* test_ptr_log.c - the level-2 log of the pointer types byte for byte
 * against logs captured from Linux 6.18 (kernel/bpf/log.c print_reg_state):
 * ctx(), pkt(r=N) with AT/BEYOND_PKT_END ranges printed as 64-bit hex,
 * pkt_end(), pkt_meta(), map_ptr(map=NAME,ks=,vs=), map_value(...,off=) with
 * a variable part, map_value_or_null(id=). The kernel prints an ld_imm64 of a
 * map as the map's kernel address; for those lines only the state after ';'
 * is compared. Kernel-only debug lines (live stack) are left out of the
 * captures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

static struct vt_log lg;

/* the log from the line "0: R1=" to the end, without "processed" and
 * after it */
static const char *body(const char *log)
{
	const char *p = strstr(log, "0: R1=");
	return p ? p : log;
}

/* compare line by line; a line of `want` holding "(18) r" is compared
 * from ';' on */
static void same_log(const char *got, const char *want, const char *what)
{
	got = body(got);
	int line = 1;
	while (*want && *got) {
		size_t lw = strcspn(want, "\n"), lg_ = strcspn(got, "\n");
		const char *w = want, *g = got;
		size_t nw = lw, ng = lg_;
		if (memmem(want, lw, "(18) r", 6)) {
			const char *sw = memchr(want, ';', lw), *sg = memchr(got, ';', lg_);
			if (sw && sg) {
				w = sw;
				g = sg;
				nw = lw - (size_t)(sw - want);
				ng = lg_ - (size_t)(sg - got);
			}
		}
		if (nw != ng || memcmp(w, g, nw)) {
			T_OK(0, "%s: line %d: got \"%.*s\", want \"%.*s\"", what, line, (int)lg_, got, (int)lw, want);
			return;
		}
		want += lw + (want[lw] == '\n');
		got += lg_ + (got[lg_] == '\n');
		line++;
	}
	T_OK(*want == '\0', "%s: log ends early before \"%s\"", what, want);
	T_OK(strncmp(got, "processed ", 10) == 0, "%s: extra lines \"%s\"", what, got);
}

static void check(const char *what, enum stackbpf_prog_type type, const char *maps, const char *text,
		  const char *want)
{
	struct vt_env env = { .type = type };
	char names[4][8];
	for (const char *m = maps; m && *m; m += strcspn(m, ";") + (m[strcspn(m, ";")] == ';')) {
		unsigned t, k, v, n;
		if (sscanf(m, "%u %u %u %u", &t, &k, &v, &n) != 4)
			break;
		snprintf(names[env.nmaps], sizeof(names[0]), "m%zu", env.nmaps);
		STACKBPF_OPTS(stackbpf_map_opts, mo, .name = names[env.nmaps]);
		env.maps[env.nmaps] = stackbpf_map__new(t, k, v, n, &mo);
		T_OK(env.maps[env.nmaps] != NULL, "%s: map", what);
		env.nmaps++;
	}
	struct stackbpf_insn *insns;
	size_t cnt;
	STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = vt_host());
	if (stackbpf_asm__text(text, strlen(text), &ao, &insns, &cnt)) {
		T_OK(0, "%s: does not assemble", what);
		return;
	}
	int err = vt_verify_env(insns, cnt, &env, 2, &lg, NULL);
	T_OK(err == 0, "%s: rejected: %s", what, lg.err);
	same_log(lg.text, want, what);
	free(insns);
	for (size_t i = 0; i < env.nmaps; i++)
		stackbpf_map__free(env.maps[i]);
}

int main(void)
{
	check("packet", STACKBPF_PROG_XDP, NULL,
	      "r2 = *(u32 *)(r1 + 0)\n r3 = *(u32 *)(r1 + 4)\n r4 = r2\n r4 += 8\n if r4 > r3 goto l\n"
	      " r0 = *(u8 *)(r2 + 7)\nl:\n r0 = 0\n exit\n",
	      "0: R1=ctx() R10=fp0\n"
	      "0: (61) r2 = *(u32 *)(r1 +0)          ; R1=ctx() R2=pkt(r=0)\n"
	      "1: (61) r3 = *(u32 *)(r1 +4)          ; R1=ctx() R3=pkt_end()\n"
	      "2: (bf) r4 = r2                       ; R2=pkt(r=0) R4=pkt(r=0)\n"
	      "3: (07) r4 += 8                       ; R4=pkt(off=8,r=0)\n"
	      "4: (2d) if r4 > r3 goto pc+1          ; R3=pkt_end() R4=pkt(off=8,r=8)\n"
	      "5: (71) r0 = *(u8 *)(r2 +7)           ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,"
	      "var_off=(0x0; 0xff)) R2=pkt(r=8)\n"
	      "6: (b7) r0 = 0                        ; R0=0\n"
	      "7: (95) exit\n"
	      "\n"
	      "from 4 to 6: R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(off=8,r=0xfffffffffffffffe) R10=fp0\n"
	      "6: R1=ctx() R2=pkt(r=0) R3=pkt_end() R4=pkt(off=8,r=0xfffffffffffffffe) R10=fp0\n"
	      "6: (b7) r0 = 0                        ; R0=0\n"
	      "7: (95) exit\n");
	check("packet_meta", STACKBPF_PROG_XDP, NULL,
	      "r2 = *(u32 *)(r1 + 8)\n r3 = *(u32 *)(r1 + 0)\n r4 = r2\n r4 += 4\n r0 = 1\n if r4 > r3 goto out\n"
	      " r0 = *(u32 *)(r2 + 0)\nout:\n exit\n",
	      "0: R1=ctx() R10=fp0\n"
	      "0: (61) r2 = *(u32 *)(r1 +8)          ; R1=ctx() R2=pkt_meta(r=0)\n"
	      "1: (61) r3 = *(u32 *)(r1 +0)          ; R1=ctx() R3=pkt(r=0)\n"
	      "2: (bf) r4 = r2                       ; R2=pkt_meta(r=0) R4=pkt_meta(r=0)\n"
	      "3: (07) r4 += 4                       ; R4=pkt_meta(off=4,r=0)\n"
	      "4: (b7) r0 = 1                        ; R0=1\n"
	      "5: (2d) if r4 > r3 goto pc+1          ; R3=pkt(r=0) R4=pkt_meta(off=4,r=4)\n"
	      "6: (61) r0 = *(u32 *)(r2 +0)          ; R0=scalar(smin=0,smax=umax=0xffffffff,"
	      "var_off=(0x0; 0xffffffff)) R2=pkt_meta(r=4)\n"
	      "7: (95) exit\n"
	      "\n"
	      "from 5 to 7: R0=1 R1=ctx() R2=pkt_meta(r=0) R3=pkt(r=0) R4=pkt_meta(off=4,r=0) R10=fp0\n"
	      "7: R0=1 R1=ctx() R2=pkt_meta(r=0) R3=pkt(r=0) R4=pkt_meta(off=4,r=0) R10=fp0\n"
	      "7: (95) exit\n");
	check("maps", STACKBPF_PROG_KPROBE, "2 4 8 1;1 4 16 4",
	      "ld_pseudo r1, 1, 0\n ld_pseudo r2, 1, 1\n ld_pseudo r3, 2, 0x400000000\n r0 = *(u32 *)(r3 + 0)\n"
	      " *(u32 *)(r10 - 4) = 0\n r2 = r10\n r2 += -4\n ld_pseudo r1, 1, 1\n call bpf_map_lookup_elem\n"
	      " if r0 == 0 goto out\n r1 = *(u32 *)(r0 + 0)\n r1 &= 8\n r0 += r1\n r0 = *(u64 *)(r0 + 0)\nout:\n"
	      " r0 = 0\n exit\n",
	      "0: R1=ctx() R10=fp0\n"
	      "0: (18) r1 = 0xffff888139e9cc00       ; R1=map_ptr(map=m0,ks=4,vs=8)\n"
	      "2: (18) r2 = 0xffff888100dadc00       ; R2=map_ptr(map=m1,ks=4,vs=16)\n"
	      "4: (18) r3 = 0xffff888139e9cd3c       ; R3=map_value(map=m0,ks=4,vs=8,off=4)\n"
	      "6: (61) r0 = *(u32 *)(r3 +0)          ; R0=scalar(smin=0,smax=umax=0xffffffff,"
	      "var_off=(0x0; 0xffffffff)) R3=map_value(map=m0,ks=4,vs=8,off=4)\n"
	      "7: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????\n"
	      "8: (bf) r2 = r10                      ; R2=fp0 R10=fp0\n"
	      "9: (07) r2 += -4                      ; R2=fp-4\n"
	      "10: (18) r1 = 0xffff888100dadc00      ; R1=map_ptr(map=m1,ks=4,vs=16)\n"
	      "12: (85) call bpf_map_lookup_elem#1   ; R0=map_value_or_null(id=1,map=m1,ks=4,vs=16)\n"
	      "13: (15) if r0 == 0x0 goto pc+4       ; R0=map_value(map=m1,ks=4,vs=16)\n"
	      "14: (61) r1 = *(u32 *)(r0 +0)         ; R0=map_value(map=m1,ks=4,vs=16) R1=scalar(smin=0,"
	      "smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))\n"
	      "15: (57) r1 &= 8                      ; R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=8,"
	      "var_off=(0x0; 0x8))\n"
	      "16: (0f) r0 += r1\n"
	      "mark_precise: frame0: last_idx 16 first_idx 0 subseq_idx -1 \n"
	      "mark_precise: frame0: regs=r1 stack= before 15: (57) r1 &= 8\n"
	      "mark_precise: frame0: regs=r1 stack= before 14: (61) r1 = *(u32 *)(r0 +0)\n"
	      "17: R0=map_value(map=m1,ks=4,vs=16,smin=smin32=0,smax=umax=smax32=umax32=8,var_off=(0x0; 0x8)) "
	      "R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=8,var_off=(0x0; 0x8))\n"
	      "17: (79) r0 = *(u64 *)(r0 +0)         ; R0=scalar()\n"
	      "18: (b7) r0 = 0                       ; R0=0\n"
	      "19: (95) exit\n"
	      "\n"
	      "from 13 to 18: safe\n");
	return t_done();
}
