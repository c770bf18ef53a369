# fnv1a: FNV-1a 64 over the whole buffer (4096 bytes).
# C (bench/native.c): h = 0xcbf29ce484222325;
#   for (i = 0; i < len; i++) { h ^= mem[i]; h *= 0x100000001b3; }  return h;
# Entry: r1 = buffer, r2 = its length. 5 insns per byte.
	r0 = 0xcbf29ce484222325 ll          # FNV-1a 64 offset basis
	if r2 == 0 goto done
	r3 = 0x100000001b3 ll               # FNV 64 prime
	r2 += r1                            # end
byte:
	r4 = *(u8 *)(r1 + 0)
	r0 ^= r4
	r0 *= r3
	r1 += 1
	if r1 != r2 goto byte
done:
	exit
