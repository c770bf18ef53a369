# founding_true.s - the founding case built with true signatures (as LLVM 23
# emits them): alloc_exit's first parameter `ctx` is dead, clang dropped it,
# and the BTF prototype lists the 5 parameters the code really receives.
# Its twin founding_btf6.s keeps the source prototype (6 parameters) in BTF.
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
	.func alloc_exit(size, align, flags, node, caller)
alloc_exit:
	r0 = r1
	r0 += r2
	r0 += r3
	r0 += r4
	r0 += r5
	exit
