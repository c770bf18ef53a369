/* tailcall.bpf.c - a tail-call chain through a prog_array initialised
 * declaratively (.values, relocations in .rel.maps): entry -> step1 ->
 * step2, each appending a digit to skb->cb[0] (fresh for every test run, in
 * the kernel too); slot 3 is empty, so the call to it falls through. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int step1(struct __sk_buff *skb);
int step2(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} jmp SEC(".maps") = {
	.values = { [1] = (void *)&step1, [2] = (void *)&step2 },
};

SEC("tc")
int step2(struct __sk_buff *skb)
{
	skb->cb[0] = skb->cb[0] * 10 + 3;
	return (int)skb->cb[0];
}

SEC("tc")
int step1(struct __sk_buff *skb)
{
	skb->cb[0] = skb->cb[0] * 10 + 2;
	bpf_tail_call(skb, &jmp, 2);
	return 1;                   /* not reached: slot 2 holds step2 */
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
	skb->cb[0] = 1;
	bpf_tail_call(skb, &jmp, 3);   /* empty slot: falls through */
	skb->cb[0] = skb->cb[0] * 10 + 1;
	bpf_tail_call(skb, &jmp, 1);
	return 0;                   /* not reached */
}

char LICENSE[] SEC("license") = "GPL";
