/* alloc_exit.bpf.c - the founding case. A memory-allocation tracer in the
 * style of libbpf-tools' memleak: uretprobes on malloc and calloc hand the
 * result to one static __noinline helper declared with 6 parameters whose
 * first, `struct pt_regs *ctx`, is never used. clang 14 (LLVM dead-argument
 * elimination) passes the other 5 in r1..r5 while the BTF FUNC_PROTO still
 * lists 6; Linux with stack arguments then rejects both programs:
 *   callee expects 6 args, stack arg1 is not initialized */
#define __TARGET_ARCH_x86
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct alloc_info { __u64 size, ts; __u32 pid, kind; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct alloc_info);
} allocs SEC(".maps");

static __noinline int alloc_exit(struct pt_regs *ctx, __u64 addr, __u64 size, __u32 pid, __u32 kind, __u64 ts)
{
	struct alloc_info info = { .size = size, .ts = ts, .pid = pid, .kind = kind };
	if (!addr)
		return 0;
	bpf_map_update_elem(&allocs, &addr, &info, BPF_ANY);
	return 1;
}

SEC("uretprobe")
int malloc_exit(struct pt_regs *ctx)
{
	return alloc_exit(ctx, PT_REGS_RC(ctx), ctx->rdi, bpf_get_current_pid_tgid() >> 32, 1, bpf_ktime_get_ns());
}

SEC("uretprobe")
int calloc_exit(struct pt_regs *ctx)
{
	return alloc_exit(ctx, PT_REGS_RC(ctx), ctx->rdi * ctx->rsi, bpf_get_current_pid_tgid() >> 32, 2,
			  bpf_ktime_get_ns());
}

char LICENSE[] SEC("license") = "GPL";
