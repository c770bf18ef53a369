/* test_elfw.c - stackbpf_asm__elf: objects assembled from text, read back
 * through stackbpf's loader (programs, BTF FUNC_PROTO parameter counts,
 * kfuncs) and run with exact r0; the raw file checked with libelf (symbols,
 * relocations, call encodings); opened by libbpf; and every directive error
 * reported as file:line:col. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

static char errbuf[512];
static char path[256];
static struct stackbpf_host *host;

static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(errbuf, sizeof(errbuf), "%s", msg);
}

static int assemble(const char *src)
{
	STACKBPF_OPTS(stackbpf_asm_opts, o, .filename = "t.s", .host = host, .log = capture);
	errbuf[0] = '\0';
	unlink(path);
	return stackbpf_asm__elf(src, strlen(src), &o, path);
}

static struct stackbpf_object *open_obj(void)
{
	STACKBPF_OPTS(stackbpf_object_opts, o, .host = host, .log = capture, .name = "t.o");
	errbuf[0] = '\0';
	struct stackbpf_object *obj = stackbpf_object__open(path, &o);
	T_OK(obj != NULL, "open: %s", errbuf);
	return obj;
}

static int run(struct stackbpf_object *obj, const char *name, uint64_t *r0)
{
	struct stackbpf_program *p = stackbpf_object__find_prog(obj, name);
	if (!p)
		return -ENOENT;
	const char *msg = "";
	STACKBPF_OPTS(stackbpf_validate_opts, vo, .host = host);
	int err = stackbpf_prog__validate(stackbpf_program__prog(p), &vo, &msg);
	if (err) {
		fprintf(stderr, "%s: %s\n", name, msg);
		return err;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, xo, .host = host, .checked = true);
	struct stackbpf_vm *vm = stackbpf_vm__new(stackbpf_program__prog(p), &xo);
	if (!vm)
		return -ENOMEM;
	err = stackbpf_vm__run(vm, NULL, 0, r0);
	if (err)
		fprintf(stderr, "%s: %s\n", name, stackbpf_vm__errmsg(vm));
	stackbpf_vm__free(vm);
	return err;
}

static char *read_text(const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------ the raw file (libelf) */

struct raw {
	int fd;
	Elf *e;
	size_t shstrndx;
};

static int raw_open(struct raw *r)
{
	elf_version(EV_CURRENT);
	r->fd = open(path, O_RDONLY);
	r->e = r->fd >= 0 ? elf_begin(r->fd, ELF_C_READ, NULL) : NULL;
	return r->e && elf_getshdrstrndx(r->e, &r->shstrndx) == 0 ? 0 : -1;
}

static void raw_close(struct raw *r)
{
	elf_end(r->e);
	close(r->fd);
}

static Elf_Scn *raw_scn(struct raw *r, const char *name, GElf_Shdr *sh)
{
	for (Elf_Scn *s = elf_nextscn(r->e, NULL); s; s = elf_nextscn(r->e, s)) {
		const char *n = gelf_getshdr(s, sh) ? elf_strptr(r->e, r->shstrndx, sh->sh_name) : NULL;
		if (n && strcmp(n, name) == 0)
			return s;
	}
	return NULL;
}

/* "name:bind:type:shndx-name:value:size" per symbol, joined with spaces */
static void raw_syms(struct raw *r, char *out, size_t sz)
{
	GElf_Shdr sh;
	Elf_Scn *s = raw_scn(r, ".symtab", &sh);
	Elf_Data *d = s ? elf_getdata(s, NULL) : NULL;
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 1; d && i < sh.sh_size / sizeof(Elf64_Sym); i++) {
		GElf_Sym sym;
		GElf_Shdr tsh;
		gelf_getsym(d, (int)i, &sym);
		Elf_Scn *t = sym.st_shndx ? elf_getscn(r->e, sym.st_shndx) : NULL;
		const char *sec = t && gelf_getshdr(t, &tsh) ? elf_strptr(r->e, r->shstrndx, tsh.sh_name) : "UND";
		const int bind = GELF_ST_BIND(sym.st_info), type = GELF_ST_TYPE(sym.st_info);
		len += (size_t)snprintf(out + len, sz - len, "%s%s:%s:%s:%s:%lu:%lu", len ? " " : "",
					elf_strptr(r->e, sh.sh_link, sym.st_name), bind == STB_LOCAL ? "local" : "global",
					type == STT_FUNC ? "func" : type == STT_NOTYPE ? "notype" : "?", sec,
					(unsigned long)sym.st_value, (unsigned long)sym.st_size);
	}
	size_t nlocal = 1;
	for (const char *p = out; (p = strstr(p, ":local:")); p++)
		nlocal++;
	T_EQ_U64(s ? sh.sh_info : 0, nlocal, "symtab sh_info: first global symbol");
}

/* instruction `idx` of section `name` as 16 hex digits */
static void raw_insn(struct raw *r, const char *name, size_t idx, char *out)
{
	GElf_Shdr sh;
	Elf_Scn *s = raw_scn(r, name, &sh);
	Elf_Data *d = s ? elf_getdata(s, NULL) : NULL;
	out[0] = '\0';
	if (!d || (idx + 1) * 8 > d->d_size)
		return;
	for (int i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", ((const unsigned char *)d->d_buf)[idx * 8 + i]);
}

/* "offset:symbol" per relocation of section `relname`, type checked */
static void raw_rels(struct raw *r, const char *relname, char *out, size_t sz)
{
	GElf_Shdr sh, symsh;
	Elf_Scn *s = raw_scn(r, relname, &sh);
	Elf_Data *d = s ? elf_getdata(s, NULL) : NULL;
	Elf_Scn *st = s ? elf_getscn(r->e, sh.sh_link) : NULL;
	Elf_Data *sd = st && gelf_getshdr(st, &symsh) ? elf_getdata(st, NULL) : NULL;
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; d && sd && i < sh.sh_size / sizeof(Elf64_Rel); i++) {
		GElf_Rel rel;
		GElf_Sym sym;
		gelf_getrel(d, (int)i, &rel);
		gelf_getsym(sd, (int)GELF_R_SYM(rel.r_info), &sym);
		T_EQ_U64(GELF_R_TYPE(rel.r_info), 10, "R_BPF_64_32");
		len += (size_t)snprintf(out + len, sz - len, "%s%lu:%s", len ? " " : "", (unsigned long)rel.r_offset,
					elf_strptr(r->e, symsh.sh_link, sym.st_name));
	}
}

/* ------------------------------------------------------------ sources */

/* two programs calling a static subprogram in .text (R_BPF_64_32), which
 * calls another static one in place; no r11, no host functions */
static const char two_progs[] =
	"\t.license \"Dual BSD/GPL\"\n"
	"\t.section xdp\n"
	"\t.func xdp_prog(ctx)\n"
	"xdp_prog:\n"
	"\tr1 = 5\n"
	"\tcall twice\n"
	"\tr0 += 1\n"
	"\texit\n"
	"\t.section socket\n"
	"\t.func sock_prog(ctx)\n"
	"sock_prog:\n"
	"\tr1 = 20\n"
	"\tcall twice\n"
	"\tif r0 > 30 goto 1f\n"
	"\tr0 = 0\n"
	"1:\texit\n"
	"\t.text\n"
	"\t.func twice(x)\n"
	"twice:\n"
	"\tr6 = r1\n"
	"\tcall plus3\n"
	"\tr0 += r6\n"
	"\texit\n"
	"plus3:\n"
	"\tr0 = r1\n"
	"\tr0 += 3\n"
	"\texit\n";

static void test_two_progs(void)
{
	T_EQ_U64(assemble(two_progs), 0, "assemble two_progs");
	T_EQ_STR(errbuf, "", "no message");
	struct stackbpf_object *obj = open_obj();
	if (!obj)
		return;
	T_EQ_STR(stackbpf_object__license(obj), "Dual BSD/GPL", "license");
	T_EQ_U64(stackbpf_object__prog_cnt(obj), 2, "two programs");
	uint64_t r0 = 0;
	T_EQ_U64(run(obj, "xdp_prog", &r0), 0, "run xdp_prog");
	T_EQ_U64(r0, 2 * 5 + 3 + 1, "xdp_prog r0");
	r0 = 0;
	T_EQ_U64(run(obj, "sock_prog", &r0), 0, "run sock_prog");
	T_EQ_U64(r0, 2 * 20 + 3, "sock_prog r0");
	struct stackbpf_program *p = stackbpf_object__find_prog(obj, "sock_prog");
	T_EQ_STR(stackbpf_program__section(p), "socket", "section");
	T_EQ_U64(stackbpf_program__type(p), stackbpf_program__type(stackbpf_object__prog(obj, 1)), "type");
	T_EQ_U64(stackbpf_program__func_cnt(p), 3, "sock_prog: entry, twice, plus3");
	const struct stackbpf_func *f0 = stackbpf_program__func(p, 0), *f1 = stackbpf_program__func(p, 1),
				   *f2 = stackbpf_program__func(p, 2);
	if (f0 && f1 && f2) {
		T_EQ_STR(f0->name, "sock_prog", "func 0");
		T_EQ_U64(f0->nparams, 1, "sock_prog params");
		T_EQ_STR(f0->param_names[0], "ctx", "sock_prog param");
		T_OK(f0->global, "sock_prog is global");
		T_EQ_STR(f1->name, "twice", "func 1");
		T_EQ_U64(f1->nparams, 1, "twice params");
		T_EQ_STR(f1->param_names[0], "x", "twice param");
		T_OK(!f1->global, "twice is static");
		T_EQ_STR(f2->name, "plus3", "func 2");
		T_EQ_U64((uint64_t)(int64_t)f2->nparams, (uint64_t)-1, "plus3: no .func, no BTF");
	}
	stackbpf_object__close(obj);

	struct raw r;
	char buf[1024], hex[17];
	T_OK(raw_open(&r) == 0, "libelf opens it");
	GElf_Ehdr eh;
	T_OK(gelf_getehdr(r.e, &eh) && eh.e_type == ET_REL && eh.e_machine == 247 &&
	     eh.e_ident[EI_DATA] == ELFDATA2LSB && eh.e_ident[EI_CLASS] == ELFCLASS64, "ET_REL EM_BPF LSB 64");
	raw_syms(&r, buf, sizeof(buf));
	T_EQ_STR(buf, "twice:local:func:.text:0:32 plus3:local:func:.text:32:24 xdp_prog:global:func:xdp:0:32 "
		 "sock_prog:global:func:socket:0:40", "symbols");
	raw_rels(&r, ".relxdp", buf, sizeof(buf));
	T_EQ_STR(buf, "8:twice", ".relxdp");
	raw_rels(&r, ".relsocket", buf, sizeof(buf));
	T_EQ_STR(buf, "8:twice", ".relsocket");
	T_OK(!raw_scn(&r, ".rel.text", &(GElf_Shdr){ 0 }), "no .rel.text: the call in .text is pc-relative");
	raw_insn(&r, "xdp", 1, hex);
	T_EQ_STR(hex, "85100000ffffffff", "relocated call: src 1, imm -1");
	raw_insn(&r, ".text", 1, hex);
	T_EQ_STR(hex, "8510000002000000", "in-section call: src 1, imm +2");
	raw_close(&r);

	/* libbpf opens it, with the same programs and sections */
	struct bpf_object *bo = bpf_object__open_file(path, NULL);
	T_OK(bo != NULL, "libbpf opens two_progs: %s", strerror(errno));
	if (bo) {
		size_t len = 0;
		struct bpf_program *bp;
		bpf_object__for_each_program(bp, bo)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s@%s", len ? " " : "",
						bpf_program__name(bp), bpf_program__section_name(bp));
		T_EQ_STR(buf, "xdp_prog@xdp sock_prog@socket", "libbpf programs");
		bpf_object__close(bo);
	}
}

static void test_sum12(void)
{
	const char *src = read_text(EXAMPLES_DIR "/sum12_elf.s");
	T_OK(src != NULL, "read sum12_elf.s");
	if (!src)
		return;
	T_EQ_U64(assemble(src), 0, "assemble sum12_elf.s");
	T_EQ_STR(errbuf, "", "no message");
	struct stackbpf_object *obj = open_obj();
	if (!obj)
		return;
	uint64_t r0 = 0;
	T_EQ_U64(run(obj, "prog", &r0), 0, "run prog");
	T_EQ_U64(r0, 650, "sum(i * i), i = 1..12");
	struct stackbpf_program *p = stackbpf_object__find_prog(obj, "prog");
	const struct stackbpf_func *f1 = stackbpf_program__func(p, 1);
	T_OK(f1 && strcmp(f1->name, "add12") == 0 && f1->nparams == 12 && !f1->global, "add12: 12 params, static");
	T_EQ_STR(f1 ? f1->param_names[11] : NULL, "a12", "add12 param 12");
	T_EQ_U64(stackbpf_program__func(p, 0)->nparams, 1, "prog params");
	T_EQ_U64(stackbpf_program__kfunc_cnt(p), 1, "one kfunc");
	const struct stackbpf_kfunc *k = stackbpf_program__kfunc(p, 0);
	T_OK(k && strcmp(k->name, "sum_args12") == 0 && k->nparams == 12 && k->btf_id != 0 &&
	     k->host_id == stackbpf_host__find(host, "sum_args12"), "kfunc sum_args12 bound, 12 params in BTF");
	stackbpf_object__close(obj);

	struct raw r;
	char buf[1024], hex[17];
	T_OK(raw_open(&r) == 0, "libelf opens it");
	raw_syms(&r, buf, sizeof(buf));
	T_EQ_STR(buf, "add12:local:func:.text:0:240 prog:global:func:socket:0:112 sum_args12:global:notype:UND:0:0",
		 "symbols");
	raw_rels(&r, ".rel.text", buf, sizeof(buf));
	T_EQ_STR(buf, "224:sum_args12", ".rel.text: the extern call");
	raw_insn(&r, ".text", 28, hex);
	T_EQ_STR(hex, "85100000ffffffff", "extern call as clang writes it");
	raw_close(&r);

	/* libbpf opens it too (it binds kfuncs only when loading) */
	struct bpf_object *bo = bpf_object__open_file(path, NULL);
	T_OK(bo != NULL, "libbpf opens sum12_elf: %s", strerror(errno));
	bpf_object__close(bo);

	/* without the host function, the call is an error at the call */
	STACKBPF_OPTS(stackbpf_asm_opts, o, .filename = "t.s", .log = capture);
	T_EQ_U64(stackbpf_asm__elf(src, strlen(src), &o, path), (uint64_t)-EINVAL, "no host");
	T_OK(strstr(errbuf, ": unknown call target 'sum_args12'") != NULL, "no host: %s", errbuf);
}

/* clang's own section line, a name with '/', code before any directive in .text */
static void test_section_forms(void)
{
	static const char src[] =
		"helper: r0 = r1\n\tr0 *= 3\n\texit\n"
		"\t.section kprobe/do_sys_open,\"ax\",@progbits\n"
		"probe: r1 = 14; call helper; exit\n"
		"\t.section \"tc\"\n"
		"cls: r0 = 9\n\texit\n";
	T_EQ_U64(assemble(src), 0, "assemble section forms");
	T_EQ_STR(errbuf, "", "no message");
	struct stackbpf_object *obj = open_obj();
	if (!obj)
		return;
	T_EQ_U64(stackbpf_object__prog_cnt(obj), 2, "two programs");
	T_EQ_STR(stackbpf_program__section(stackbpf_object__find_prog(obj, "probe")), "kprobe/do_sys_open", "section");
	T_EQ_STR(stackbpf_program__section(stackbpf_object__find_prog(obj, "cls")), "tc", "quoted section");
	uint64_t r0 = 0;
	T_EQ_U64(run(obj, "probe", &r0), 0, "run probe");
	T_EQ_U64(r0, 42, "probe r0");
	T_EQ_U64(run(obj, "cls", &r0), 0, "run cls");
	T_EQ_U64(r0, 9, "cls r0");
	T_OK(stackbpf_program__func(stackbpf_object__find_prog(obj, "probe"), 1)->nparams == -1, "no .func: no BTF");
	T_OK(stackbpf_object__btf(obj) == NULL, "no .func, no externs: no .BTF");
	T_EQ_STR(stackbpf_object__license(obj), "", "no license");
	stackbpf_object__close(obj);
}

/* ------------------------------------------------------------ errors */

static const struct { const char *src, *msg; } bad[] = {
	{ ".func f(a, b\nf: exit\n", "t.s:1:13: expected ',' or ')' in the parameter list" },
	{ ".func f(a,, b)\nf: exit\n", "t.s:1:11: expected a parameter name" },
	{ ".func 1f()\n", "t.s:1:7: expected a function name after '.func' (.func NAME(a, b, ...))" },
	{ ".func f\n", "t.s:1:8: expected '(' after the function name (.func NAME(a, b, ...))" },
	{ ".func f(a) x\n", "t.s:1:12: unexpected text after the parameter list" },
	{ ".func f(a, a)\n", "t.s:1:12: parameter 'a' appears twice" },
	{ ".func f(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13)\n",
	  "t.s:1:60: function 'f' has more than 12 parameters (r1-r5 and 7 stack arguments)" },
	{ "f: exit\n.func g()\n", "t.s:2:7: '.func g': no label 'g:' in the file" },
	{ ".func f()\n.func f()\nf: exit\n", "t.s:2:7: function 'f' is declared twice" },
	{ ".section\n", "t.s:1:9: expected a section name after '.section'" },
	{ ".section xdp junk\n", "t.s:1:14: expected ',' or end of line after the section name" },
	{ ".section license\n", "t.s:1:10: section name 'license' is reserved for the object's own sections" },
	{ ".section xdp\nf: exit\n.section socket\ng: exit\n.section xdp\nh: exit\n",
	  "t.s:5:10: section 'xdp' was already used: keep a section's code in one place" },
	{ "f: exit\n.section xdp\ng: exit\n.text\nh: exit\n",
	  "t.s:4:1: section '.text' was already used: keep a section's code in one place" },
	{ ".section xdp\n\tr0 = 0\n\texit\n", "t.s:1:1: section 'xdp' does not start with a function label" },
	{ "\tr0 = 0\n\texit\n", "t.s:1:1: code before the first label: start with a function label (NAME:)" },
	{ ".section xdp\nf: if r1 > 0 goto g\n\texit\n.section socket\ng: exit\n",
	  "t.s:2:19: jump to 'g' in another section" },
	{ ".license GPL\n", "t.s:1:10: expected a quoted string after '.license' (.license \"GPL\")" },
	{ ".license \"GPL\n", "t.s:1:10: unterminated string" },
	{ ".license \"\"\n", "t.s:1:10: empty license" },
	{ ".license \"GPL\"\n.license \"GPL\"\n", "t.s:2:1: second '.license' (the first is enough)" },
	{ ".data\n", "t.s:1:1: '.data': global data is not supported by asm --elf" },
	{ "f: call nosuch\n\texit\n", "t.s:1:9: unknown call target 'nosuch'" },
	{ ".func g()\nf: exit\ng:\n", "t.s:3:1: function 'g' has no instructions" },
	{ ".func g()\nf:\ng: exit\n", "t.s:3:1: functions 'f' and 'g' start at the same instruction" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = assemble(bad[i].src);
		T_EQ_U64(err, (uint64_t)-EINVAL, bad[i].msg);
		T_EQ_STR(errbuf, bad[i].msg, "message");
		T_OK(access(path, F_OK) != 0, "no output file after '%s'", bad[i].msg);
	}
	/* the plain assembler still rejects the object directives */
	STACKBPF_OPTS(stackbpf_asm_opts, o, .filename = "t.s", .log = capture);
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	T_EQ_U64(stackbpf_asm__text(".func f()\n", 10, &o, &insns, &cnt), (uint64_t)-EINVAL, "asm__text .func");
	T_EQ_STR(errbuf, "t.s:1:1: unknown directive '.func'", "asm__text .func message");
	/* an output path that cannot be created */
	STACKBPF_OPTS(stackbpf_asm_opts, o2, .filename = "t.s", .log = capture);
	T_EQ_U64(stackbpf_asm__elf("f: exit\n", 8, &o2, "/nonexistent/dir/x.o"), (uint64_t)-EINVAL, "bad path");
	T_EQ_STR(errbuf, "cannot create '/nonexistent/dir/x.o': No such file or directory", "bad path message");
	T_EQ_U64(stackbpf_asm__elf("f: exit\n", 8, &o2, NULL), (uint64_t)-EINVAL, "NULL path");
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/elfw_test_%d.o", (int)getpid());
	libbpf_set_print(quiet);
	host = stackbpf_host__new();
	if (!host || stackbpf_host__add_examples(host))
		return 1;
	test_two_progs();
	test_sum12();
	test_section_forms();
	test_errors();
	stackbpf_host__free(host);
	unlink(path);
	return t_done();
}
