# sum12.s - the bundled demo: a 12-argument BPF-to-BPF call that forwards all
# twelve arguments to a 12-argument host function.
#
#   main() calls add12(1, 2, ..., 12); arguments 6..12 travel through r11.
#   add12 forwards them to the host function sum_args12, which returns
#   sum(i * a_i) for i = 1..12 = 1 + 4 + 9 + ... + 144 = 650 = 0x28a.
#
# Run it:  stackbpf run examples/sum12.s      (prints 0x28a)

main:
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
	call add12
	exit

# add12(a1..a12): incoming args 6..12 are read first (the verifier requires
# every r11 load before any r11 store or call), parked on the stack, then
# stored again as the outgoing args of the host call.
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
	call sum_args12
	exit
