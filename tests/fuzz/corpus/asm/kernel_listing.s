0: (b7) r1 = 42
1: (b7) r2 = -42
2: (b7) r3 = 2147483647
3: (b4) w4 = -2147483648
4: (b4) w5 = -1
5: (bf) r6 = r1
6: (bc) w7 = w2
7: (07) r1 += 1
8: (17) r1 -= 16
9: (27) r1 *= -3
10: (37) r1 /= 7
11: (47) r1 |= 8
12: (57) r1 &= 255
13: (67) r1 <<= 3
14: (77) r1 >>= 2
15: (97) r1 %= 5
16: (a7) r1 ^= -1
17: (c7) r1 s>>= 63
18: (0c) w1 += w2
19: (1c) w1 -= w3
20: (2c) w1 *= w4
21: (3c) w1 /= w5
22: (4c) w1 |= w6
23: (5c) w1 &= w7
24: (6c) w1 <<= w8
25: (7c) w1 >>= w9
26: (9c) w1 %= w2
27: (ac) w1 ^= w3
28: (cc) w1 s>>= w4
29: (3f) r1 s/= r3
30: (9f) r2 s%= r4
31: (3c) w1 s/= w3
32: (94) w2 s%= 7
33: (37) r2 s/= -3
34: (bf) r1 = (s8)r4
35: (bf) r1 = (s16)r4
36: (bf) r1 = (s32)r4
37: (bc) w1 = (s8)w3
38: (bc) w1 = (s16)w3
39: (87) r1 = -r1
40: (84) w2 = -w2
41: (dc) r1 = be16 r1
42: (dc) r1 = be32 r1
43: (dc) r1 = be64 r1
44: (d4) r2 = le16 r2
45: (d4) r2 = le32 r2
46: (d4) r2 = le64 r2
47: (d7) r3 = bswap16 r3
48: (d7) r3 = bswap32 r3
49: (d7) r3 = bswap64 r3
50: (71) r0 = *(u8 *)(r1 +0)
51: (69) r0 = *(u16 *)(r1 -2)
52: (61) r0 = *(u32 *)(r1 +32)
53: (61) r0 = *(u32 *)(r1 +4)
54: (69) r0 = *(u16 *)(r1 +4)
55: (71) r0 = *(u8 *)(r1 +4)
56: (79) r0 = *(u64 *)(r10 -8)
57: (91) r4 = *(s8 *)(r10 -8)
58: (89) r4 = *(s16 *)(r10 -8)
59: (81) r4 = *(s32 *)(r10 -8)
60: (73) *(u8 *)(r10 -1) = r1
61: (6b) *(u16 *)(r10 -2) = r1
62: (63) *(u32 *)(r10 -4) = r1
63: (7b) *(u64 *)(r10 -16) = r1
64: (72) *(u8 *)(r10 -1) = 7
65: (6a) *(u16 *)(r10 -2) = -7
66: (62) *(u32 *)(r10 -4) = 4660
67: (7a) *(u64 *)(r10 -8) = -1
68: (db) lock *(u64 *)(r1 +0) += r2
69: (db) lock *(u64 *)(r1 +8) |= r2
70: (db) lock *(u64 *)(r1 -8) &= r2
71: (db) lock *(u64 *)(r1 +0) ^= r2
72: (c3) lock *(u32 *)(r1 +0) += r2
73: (c3) lock *(u32 *)(r1 +0) |= r2
74: (c3) lock *(u32 *)(r1 +0) &= r2
75: (c3) lock *(u32 *)(r1 +0) ^= r2
76: (db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)
77: (db) r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)
78: (db) r2 = atomic64_fetch_and((u64 *)(r1 +0), r2)
79: (db) r2 = atomic64_fetch_xor((u64 *)(r1 +0), r2)
80: (c3) r2 = atomic_fetch_add((u32 *)(r1 +0), r2)
81: (c3) r2 = atomic_fetch_or((u32 *)(r1 +0), r2)
82: (c3) r2 = atomic_fetch_and((u32 *)(r1 +0), r2)
83: (c3) r2 = atomic_fetch_xor((u32 *)(r1 +0), r2)
84: (db) r2 = atomic64_xchg((u64 *)(r1 +16), r2)
85: (c3) r2 = atomic_xchg((u32 *)(r1 -16), r2)
86: (db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r3)
87: (c3) r0 = atomic_cmpxchg((u32 *)(r1 +4), r0, r3)
88: (db) r0 = load_acquire((u64 *)(r1 +0))
89: (c3) r0 = load_acquire((u32 *)(r1 +0))
90: (cb) r0 = load_acquire((u16 *)(r1 +0))
91: (d3) r0 = load_acquire((u8 *)(r1 +0))
92: (db) store_release((u64 *)(r1 +0), r2)
93: (c3) store_release((u32 *)(r1 +0), r2)
94: (cb) store_release((u16 *)(r1 +0), r2)
95: (d3) store_release((u8 *)(r1 +0), r2)
96: (30) r0 = *(u8 *)skb[4]
97: (28) r0 = *(u16 *)skb[-4]
98: (20) r0 = *(u32 *)skb[16]
99: (50) r0 = *(u8 *)skb[r1 + 0]
100: (48) r0 = *(u16 *)skb[r2 + 0]
101: (40) r0 = *(u32 *)skb[r3 + 0]
102: (18) r1 = 0x1122334455667788
104: (18) r2 = 0xffffffffffffffff
106: (18) r3 = 0x0
108: (18) ld_pseudo r1, 1, 0x3
110: (18) ld_pseudo r1, 2, 0x10
112: (18) ld_pseudo r2, 3, 0x7
114: (18) ld_pseudo r2, 4, 0x0
116: (18) ld_pseudo r3, 5, 0x1
118: (18) ld_pseudo r3, 6, 0x2
120: (15) if r1 == 0x0 goto pc+23
121: (5d) if r1 != r2 goto pc-2
122: (25) if r1 > 0x64 goto pc+2
123: (3d) if r1 >= r2 goto pc-3
124: (a5) if r1 < 0x64 goto pc+19
125: (bd) if r1 <= r2 goto pc+18
126: (65) if r1 s> 0xffffffff goto pc+17
127: (7d) if r1 s>= r2 goto pc+16
128: (c5) if r1 s< 0x3 goto pc+15
129: (dd) if r1 s<= r2 goto pc+14
130: (45) if r1 & 0x3 goto pc+13
131: (4d) if r1 & r2 goto pc+12
132: (16) if w1 == 0x0 goto pc+11
133: (5e) if w1 != w2 goto pc+10
134: (26) if w1 > 0x64 goto pc+9
135: (3e) if w1 >= w2 goto pc+8
136: (a6) if w1 < 0x5 goto pc+7
137: (be) if w1 <= w2 goto pc+6
138: (66) if w1 s> 0xffffffff goto pc+5
139: (7e) if w1 s>= w2 goto pc+4
140: (c6) if w1 s< 0x3 goto pc+3
141: (de) if w1 s<= w2 goto pc+2
142: (46) if w1 & 0x3 goto pc+1
143: (4e) if w1 & w2 goto pc+0
144: (05) goto pc+10
145: (06) gotol pc+9
146: (e5) may_goto pc-3
147: (85) call bpf_map_lookup_elem#1
148: (85) call unknown#-1
149: (85) call pc+6
150: (8d) callx r3
151: (79) r1 = *(u64 *)(r11 +8)
152: (7b) *(u64 *)(r11 -8) = r1
153: (7a) *(u64 *)(r11 -56) = 6
154: (95) exit
155: (95) exit
156: (bf) r0 = r1
157: (95) exit
