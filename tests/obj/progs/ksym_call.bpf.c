/* ksym_call.bpf.c - an extern kfunc (__ksym) bound by name to the host
 * function sum_args3 (a1 + 2*a2 + 3*a3), called on ctx[1..3] (a tracepoint's
 * first 8 bytes, the common header, are not readable on Linux). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u64 sum_args3(__u64 a1, __u64 a2, __u64 a3) __ksym;

SEC("tracepoint/syscalls/sys_enter_getpid")
int call_host(void *ctx)
{
	__u64 *p = ctx;
	return (int)sum_args3(p[1], p[2], p[3]);
}

char LICENSE[] SEC("license") = "GPL";
