0: (85) call sum_args7#3
1: (18) r1 = 0x5
3: (95) exit
