/* subprog5.bpf.c - static subprograms in .text called from two programs:
 * a 5-parameter function weighting its arguments and a 2-parameter helper it
 * calls (nested linking). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) __u64 mix2(__u64 a, __u64 b)
{
	return a * 100 + b;
}

static __attribute__((noinline)) __u64 weigh5(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	return mix2(a + 2 * b + 3 * c, 4 * d + 5 * e);
}

SEC("raw_tp/sum5")
int sum5(void *ctx)
{
	__u64 *p = ctx;  /* raw entry: r1 points at five u64 */
	return (int)weigh5(p[0], p[1], p[2], p[3], p[4]);
}

SEC("kprobe/do_nothing")
int only_mix(void *ctx)
{
	__u64 *p = ctx;
	return (int)mix2(p[0], p[1]);
}

char LICENSE[] SEC("license") = "GPL";
