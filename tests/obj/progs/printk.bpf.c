/* printk.bpf.c - bpf_printk (trace_printk, format in .rodata) and a string
 * literal in .rodata.str1.1 reached through an ld_imm64 with an offset.
 * Reads ctx[1] and ctx[2]: a tracepoint's first 8 bytes are not readable. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp/test/printk")
int printk(__u64 *ctx)
{
	bpf_printk("x=%d y=%llx", (int)ctx[1], ctx[2]);
	return "stackbpf"[ctx[1] % 8];
}

char LICENSE[] SEC("license") = "GPL";
