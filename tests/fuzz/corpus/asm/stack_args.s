r1 = *(u64 *)(r11 + 8); *(u64 *)(r11 - 8) = r1
*(u64 *)(r11 - 16) = -6
call sum_args7
call bpf_map_lookup_elem
1: may_goto 1b
exit
