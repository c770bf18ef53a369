# founding_btf6.s - the founding case as clang before LLVM 23 builds it:
# alloc_exit's first parameter `ctx` is dead, clang dropped it from the code,
# but the BTF prototype still lists the 6 source parameters.
# Its twin founding_true.s has the true 5-parameter prototype.
# Both are built into tests' scratch dirs as founding.bpf.o by
# `stackbpf asm --elf`, so that `stat -C` joins them on the same name.

	.license "GPL"

	.section uretprobe
	.func trace_alloc(ctx)
trace_alloc:
	r1 = 1
	r2 = 2
	r3 = 3
	r4 = 4
	r5 = 5
	call alloc_exit
	exit

	.text
	.func alloc_exit(ctx, size, align, flags, node, caller)
alloc_exit:
	r0 = r1
	r0 += r2
	r0 += r3
	r0 += r4
	r0 += r5
	exit
