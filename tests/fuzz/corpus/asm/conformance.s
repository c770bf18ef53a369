mov %r1, 67
mov %r0, 0x1
jgt %r1, 0x2, L3
L1:
ja exit
L3:
lock fetch add32 [%r10-4], %r3
swap16 %r0
call local L1
call %r2
exit
