# sum12_elf.s - sum12.s as an ELF object: a 12-argument BPF-to-BPF call in
# program section "socket", a static subprogram in .text, and a call to the
# 12-argument host function sum_args12 through a __ksym-style extern.
#
#   prog() calls add12(1, 2, ..., 12); arguments 6..12 travel through r11.
#   add12 forwards them to sum_args12, which returns sum(i * a_i) = 650 = 0x28a.
#
# Build and run it (clang before LLVM 23 cannot emit r11 stack arguments):
#   stackbpf asm --elf examples/sum12_elf.s -o sum12.o
#   stackbpf run sum12.o --prog prog                  (prints 0x28a)
#
# `.func NAME(params)` gives a function its BTF FUNC_PROTO (all params u64);
# sum_args12 needs none: its prototype comes from the host-function registry.

	.license "GPL"

	.section socket
	.func prog(ctx)
prog:
	r1 = 1
	r2 = 2
	r3 = 3
	r4 = 4
	r5 = 5
	*(u64 *)(r11 - 8) = 6          # arg 6
	*(u64 *)(r11 - 16) = 7         # arg 7
	*(u64 *)(r11 - 24) = 8
	*(u64 *)(r11 - 32) = 9
	*(u64 *)(r11 - 40) = 10
	*(u64 *)(r11 - 48) = 11
	*(u64 *)(r11 - 56) = 12        # arg 12
	call add12                     # R_BPF_64_32 against add12 in .text
	exit

# add12(a1..a12): loads incoming args 6..12 first, parks them on the stack,
# then stores them again as the outgoing args of the host call.
	.text
	.func add12(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12)
add12:
	r0 = *(u64 *)(r11 + 8)
	*(u64 *)(r10 - 8) = r0
	r0 = *(u64 *)(r11 + 16)
	*(u64 *)(r10 - 16) = r0
	r0 = *(u64 *)(r11 + 24)
	*(u64 *)(r10 - 24) = r0
	r0 = *(u64 *)(r11 + 32)
	*(u64 *)(r10 - 32) = r0
	r0 = *(u64 *)(r11 + 40)
	*(u64 *)(r10 - 40) = r0
	r0 = *(u64 *)(r11 + 48)
	*(u64 *)(r10 - 48) = r0
	r0 = *(u64 *)(r11 + 56)
	*(u64 *)(r10 - 56) = r0
	r0 = *(u64 *)(r10 - 8)
	*(u64 *)(r11 - 8) = r0
	r0 = *(u64 *)(r10 - 16)
	*(u64 *)(r11 - 16) = r0
	r0 = *(u64 *)(r10 - 24)
	*(u64 *)(r11 - 24) = r0
	r0 = *(u64 *)(r10 - 32)
	*(u64 *)(r11 - 32) = r0
	r0 = *(u64 *)(r10 - 40)
	*(u64 *)(r11 - 40) = r0
	r0 = *(u64 *)(r10 - 48)
	*(u64 *)(r11 - 48) = r0
	r0 = *(u64 *)(r10 - 56)
	*(u64 *)(r11 - 56) = r0
	call sum_args12                # extern: R_BPF_64_32 against UND sum_args12
	exit
