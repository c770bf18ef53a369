/* test_malformed.c - broken objects give one precise message and -EINVAL,
 * never a crash: truncated files, corrupted headers, a section of a bad size
 * or unknown name, bad relocations (offset, symbol, type, target), corrupted
 * .BTF / .BTF.ext, unsupported maps, and every truncation length of a real
 * object. Corruptions are applied to the clang-built fixtures by patching the
 * bytes of their section headers and tables. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

static char errbuf[1024];
static int log_lines;

static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(errbuf, sizeof(errbuf), "%s", msg);
	log_lines++;
}

static uint8_t *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", OBJ_FIXTURES, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

/* open from memory; returns errno (0 = opened) with the message in errbuf */
static int try_open(const uint8_t *b, size_t len)
{
	struct stackbpf_host *h = stackbpf_host__new();
	stackbpf_host__add_examples(h);
	STACKBPF_OPTS(stackbpf_object_opts, o, .name = "x.o", .log = capture, .host = h);
	errbuf[0] = '\0';
	log_lines = 0;
	errno = 0;
	struct stackbpf_object *obj = stackbpf_object__open_mem(b, len, &o);
	int e = obj ? 0 : errno;
	stackbpf_object__close(obj);
	stackbpf_host__free(h);
	return e;
}

static Elf64_Shdr *shdr(uint8_t *b, int i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	return (Elf64_Shdr *)(b + eh->e_shoff + (size_t)i * eh->e_shentsize);
}

static const char *sname(uint8_t *b, int i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	return (const char *)b + shdr(b, eh->e_shstrndx)->sh_offset + shdr(b, i)->sh_name;
}

static Elf64_Shdr *find(uint8_t *b, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	for (int i = 0; i < eh->e_shnum; i++)
		if (strcmp(sname(b, i), name) == 0)
			return shdr(b, i);
	return NULL;
}

#define EXPECT(b, len, msg, what) do { \
	T_EQ_U64(try_open(b, len), EINVAL, what); \
	T_EQ_STR(errbuf, msg, what); \
	T_EQ_U64(log_lines, 1, what); \
} while (0)

static void test_not_elf(void)
{
	EXPECT((const uint8_t *)"", 0, "x.o: not an ELF file (truncated)", "empty");
	EXPECT((const uint8_t *)"hello world, not an object", 26, "x.o: not an ELF file", "text");
	STACKBPF_OPTS(stackbpf_object_opts, o, .log = capture);
	errno = 0;
	T_OK(!stackbpf_object__open("/nonexistent/x.o", &o) && errno == ENOENT, "missing file");
	T_EQ_STR(errbuf, "/nonexistent/x.o: No such file or directory", "missing file message");
}

static void test_headers(void)
{
	size_t len;
	uint8_t *b = slurp("xdp_count.bpf.o", &len), *c = malloc(len);
	memcpy(c, b, len);
	c[EI_CLASS] = ELFCLASS32;
	T_EQ_U64(try_open(c, len), EINVAL, "32-bit");
	memcpy(c, b, len);
	((Elf64_Ehdr *)c)->e_machine = 62;
	EXPECT(c, len, "x.o: not a BPF relocatable object (e_machine 62, e_type 1)", "x86-64 object");
	memcpy(c, b, len);
	((Elf64_Ehdr *)c)->e_type = ET_EXEC;
	EXPECT(c, len, "x.o: not a BPF relocatable object (e_machine 247, e_type 2)", "executable");
	/* every truncation of a valid object fails cleanly */
	int all_einval = 1, all_one_line = 1;
	for (size_t n = 0; n < len; n++) {
		int e = try_open(b, n);
		all_einval &= e == EINVAL;
		if (e != EINVAL || log_lines != 1 || strncmp(errbuf, "x.o: ", 5) != 0)
			fprintf(stderr, "truncated to %zu: errno %d, %d lines, '%s'\n", n, e, log_lines, errbuf);
		all_one_line &= log_lines == 1 && strncmp(errbuf, "x.o: ", 5) == 0;
	}
	T_OK(all_einval, "every truncation is EINVAL");
	T_OK(all_one_line, "every truncation says one line about x.o");
	T_EQ_U64(try_open(b, len), 0, "the whole file opens");
	free(b);
	free(c);
}

static void test_sections(void)
{
	size_t len;
	uint8_t *b = slurp("xdp_count.bpf.o", &len);
	Elf64_Shdr *x = find(b, "xdp");
	x->sh_size -= 4;
	EXPECT(b, len, "x.o: section xdp: size 220 is not a multiple of 8", "odd size");
	x->sh_size += 4;
	memcpy((char *)sname(b, (int)(((uint8_t *)x - b - ((Elf64_Ehdr *)b)->e_shoff) / sizeof(*x))), "xyz", 3);
	EXPECT(b, len,
	       "x.o: section xyz: unknown program type (libbpf section names: socket, tc, xdp, kprobe/..., "
	       "kretprobe/..., uprobe/..., uretprobe/..., tracepoint/..., raw_tracepoint/..., fentry/..., "
	       "perf_event, syscall, ...)",
	       "unknown section");
	free(b);
	b = slurp("bad_maps.bpf.o", &len);
	EXPECT(b, len,
	       "x.o: section .maps: map stacks: map type 7 is not supported (array, percpu_array, hash, "
	       "lru_hash, prog_array, ringbuf)",
	       "stack_trace map");
	free(b);
}

static void test_relocations(void)
{
	size_t len;
	uint8_t *b = slurp("xdp_count.bpf.o", &len);
	Elf64_Shdr *rs = find(b, ".relxdp");
	T_OK(rs && rs->sh_size >= 2 * sizeof(Elf64_Rel), ".relxdp present");
	if (!rs)
		return;
	Elf64_Rel *r = (Elf64_Rel *)(b + rs->sh_offset), save = r[0];
	r[0].r_offset += 4;
	EXPECT(b, len, "x.o: section xdp: relocation 0: offset 100 is not an instruction of the section", "odd offset");
	r[0].r_offset = 1 << 20;
	EXPECT(b, len, "x.o: section xdp: relocation 0: offset 1048576 is not an instruction of the section",
	       "offset outside");
	r[0] = save;
	r[0].r_info = ELF64_R_INFO(ELF64_R_SYM(save.r_info), 3);
	EXPECT(b, len, "x.o: section xdp: relocation 0: unsupported type 3", "type 3");
	r[0].r_info = ELF64_R_INFO(9999, 1);
	EXPECT(b, len, "x.o: section xdp: relocation 0: bad symbol index 9999", "symbol index");
	r[0] = save;
	r[0].r_offset = 0;   /* insn 0 is a load from the context */
	EXPECT(b, len, "x.o: section xdp: insn 0: relocation counts on an instruction that is neither ld_imm64 nor a call",
	       "reloc on a load");
	r[0].r_offset = r[1].r_offset;
	EXPECT(b, len, "x.o: section xdp: two relocations at insn 22", "two relocs");
	r[0] = save;
	/* point the map reference at the license symbol's section */
	rs->sh_info = 0;
	EXPECT(b, len, "x.o: section .relxdp: applies to section 0, which does not exist", "sh_info 0");
	free(b);

	b = slurp("subprog5.bpf.o", &len);
	rs = find(b, ".relraw_tp/sum5");
	r = (Elf64_Rel *)(b + rs->sh_offset);
	/* call -1 into .text: make it land inside weigh5 */
	Elf64_Shdr *code = find(b, "raw_tp/sum5");
	struct stackbpf_insn *in = (struct stackbpf_insn *)(b + code->sh_offset);
	in[5].imm = 2;
	EXPECT(b, len, "x.o: section raw_tp/sum5: insn 5: call to insn 3 of section .text, which is not the start of a "
	       "function", "call into the middle");
	free(b);
}

static Elf64_Sym *find_sym(uint8_t *b, const char *name)
{
	Elf64_Shdr *st = find(b, ".symtab");
	Elf64_Shdr *str = shdr(b, (int)st->sh_link);
	Elf64_Sym *sym = (Elf64_Sym *)(b + st->sh_offset);
	for (size_t i = 0; i < st->sh_size / sizeof(*sym); i++)
		if (strcmp((const char *)b + str->sh_offset + sym[i].st_name, name) == 0)
			return &sym[i];
	return NULL;
}

static void test_symbols(void)
{
	size_t len;
	uint8_t *b = slurp("xdp_count.bpf.o", &len);
	Elf64_Sym *s = find_sym(b, "xdp_count"), save = *s;
	s->st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC);
	EXPECT(b, len, "x.o: section xdp: program xdp_count is static (programs must be global functions)",
	       "static program");
	*s = save;
	s->st_size = 12;
	EXPECT(b, len, "x.o: section xdp: function xdp_count: bad offset 0 or size 12", "function size");
	s->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
	EXPECT(b, len, "x.o: section xdp: code without a function symbol", "no function symbol");
	*s = save;
	s = find_sym(b, "counts");
	s->st_value = 64;   /* .maps holds one 32-byte struct */
	EXPECT(b, len, "x.o: section .maps: map counts: symbol offset 64 beyond the section", "map symbol offset");
	free(b);
	b = slurp("ksym_call.bpf.o", &len);
	s = find_sym(b, "sum_args3");
	memcpy((char *)b + find(b, ".strtab")->sh_offset + s->st_name, "sum_argsX", 9);
	EXPECT(b, len, "x.o: section tracepoint/syscalls/sys_enter_getpid: insn 3: extern function sum_argsX "
	       "(__ksym): no host function of that name", "unknown kfunc");
	free(b);
}

static void test_btf(void)
{
	size_t len;
	uint8_t *b = slurp("xdp_count.bpf.o", &len);
	Elf64_Shdr *s = find(b, ".BTF");
	b[s->sh_offset] ^= 0xff;
	EXPECT(b, len, "x.o: section .BTF: libbpf cannot parse it (Invalid argument)", "BTF magic");
	b[s->sh_offset] ^= 0xff;
	s = find(b, ".BTF.ext");
	b[s->sh_offset] ^= 0xff;
	EXPECT(b, len, "x.o: section .BTF.ext: bad magic 0xeb60 or version 1", "BTF.ext magic");
	b[s->sh_offset] ^= 0xff;
	uint32_t *h = (uint32_t *)(b + s->sh_offset);
	h[3] += 4096;   /* func_info_len */
	EXPECT(b, len, "x.o: section .BTF.ext: func_info [0, +4116) lies outside the section", "BTF.ext length");
	free(b);
}

int main(void)
{
	if (!OBJ_FIXTURES[0]) {
		printf("clang cannot target bpf: skipped\n");
		return 77;
	}
	test_not_elf();
	test_headers();
	test_sections();
	test_relocations();
	test_symbols();
	test_btf();
	return t_done();
}
