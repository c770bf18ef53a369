/* globals.bpf.c - global data in .data, .rodata and .bss: the program adds a
 * read-only constant to a counter in .data, records the last input in .bss and
 * returns a table entry from .rodata. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile const __u64 factor = 3;                    /* .rodata */
const volatile __u32 table[4] = { 10, 20, 30, 40 }; /* .rodata */
__u64 counter = 100;                                /* .data */
__u32 last_in;                                      /* .bss */
__u64 hits;                                         /* .bss */

SEC("raw_tracepoint/sys_enter")
int globals(void *ctx)
{
	__u32 in = *(__u32 *)ctx;
	counter += factor;
	last_in = in;
	hits++;
	return table[in & 3];
}

char LICENSE[] SEC("license") = "GPL";
