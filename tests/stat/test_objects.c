/* test_objects.c - `stackbpf stat` and `stackbpf verify` on ELF objects: the
 * rows and the table/CSV layout checked against the library's own verdicts
 * and counts for the objects tests/obj builds, verbose logs, file and program
 * filters, bad inputs with their messages and exit codes, the verifier log's
 * source lines (Linux's "; <line> @ file.c:N"), and the founding regression:
 * `stat --strict -C` shows "success -> failure (!!)" between an object whose
 * BTF carries the true signature and one whose BTF keeps a dead parameter. */
#include "testlib.h"
#include "testcli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "stackbpf/stackbpf.h"

static struct stackbpf_host *host;

/* the objects stat and verify get: examples and fixtures, without the one
 * the loader refuses (bad_maps) */
static char objs[32][600];
static int nobjs;

static void collect(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) && nobjs < 32) {
		size_t n = strlen(e->d_name), m = strlen(suffix);
		if (n >= m && strcmp(e->d_name + n - m, suffix) == 0 && !strstr(e->d_name, "bad_maps"))
			snprintf(objs[nobjs++], sizeof(objs[0]), "%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* a row as stat computes it, from the library */
struct row {
	char file[64], prog[64], section[64];
	int verdict, type, err;
	uint64_t insns;
	uint32_t states, peak, max_per_insn, size, stack;
};
static struct row rows[64];
static int nrows;

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	return c ? c : strcmp(x->prog, y->prog);
}

static void library_rows(bool strict)
{
	nrows = 0;
	for (int i = 0; i < nobjs; i++) {
		STACKBPF_OPTS(stackbpf_object_opts, oo, .host = host);
		struct stackbpf_object *obj = stackbpf_object__open(objs[i], &oo);
		T_OK(obj != NULL, "open %s", objs[i]);
		for (size_t k = 0; obj && k < stackbpf_object__prog_cnt(obj) && nrows < 64; k++) {
			const struct stackbpf_program *p = stackbpf_object__prog(obj, k);
			struct row *r = &rows[nrows++];
			STACKBPF_OPTS(stackbpf_verify_opts, vo, .host = host, .strict = strict,
				      .prog_type = stackbpf_program__type(p));
			STACKBPF_OPTS(stackbpf_verify_stats, st);
			int err = stackbpf_prog__verify(stackbpf_program__prog(p), &vo, &st);
			snprintf(r->file, sizeof(r->file), "%.*s", (int)sizeof(r->file) - 1, base(objs[i]));
			snprintf(r->prog, sizeof(r->prog), "%.*s", (int)sizeof(r->prog) - 1, stackbpf_program__name(p));
			snprintf(r->section, sizeof(r->section), "%.*s", (int)sizeof(r->section) - 1,
				 stackbpf_program__section(p));
			r->verdict = err == 0;
			r->err = err;
			r->type = stackbpf_program__type(p);
			r->insns = st.insns_processed;
			r->states = st.total_states;
			r->peak = st.peak_states;
			r->max_per_insn = st.max_states_per_insn;
			r->size = (uint32_t)stackbpf_prog__insn_cnt(stackbpf_program__prog(p));
			r->stack = 0;
			for (uint32_t s = 0; s < st.subprog_cnt && s < STACKBPF_VERIFY_MAX_SUBPROGS; s++)
				r->stack += st.stack_depth[s];
		}
		stackbpf_object__close(obj);
	}
	qsort(rows, (size_t)nrows, sizeof(rows[0]), cmp_row);
}

static const char *type_str(int t)
{
	switch (t) {
	case STACKBPF_PROG_SOCKET_FILTER: return "socket_filter";
	case STACKBPF_PROG_KPROBE: return "kprobe";
	case STACKBPF_PROG_SCHED_CLS: return "sched_cls";
	case STACKBPF_PROG_TRACEPOINT: return "tracepoint";
	case STACKBPF_PROG_XDP: return "xdp";
	case STACKBPF_PROG_RAW_TRACEPOINT: return "raw_tracepoint";
	default: return "?";
	}
}

static char args[4096];

static const char *all_objs(const char *opts)
{
	size_t n = (size_t)snprintf(args, sizeof(args), "%s", opts);
	for (int i = 0; i < nobjs; i++)
		n += (size_t)snprintf(args + n, sizeof(args) - n, " '%s'", objs[i]);
	return args;
}

/* CSV rows equal the library's numbers, every column but duration */
static void test_csv_rows(void)
{
	library_rows(false);
	struct t_out o = t_cli("", "stat",
			       all_objs("-o csv -e file,prog,verdict,insns,states,peak_states,max_states_per_insn,"
					"mark_read,prog_size,stack,prog_type,attach_type,mem_peak"));
	T_EQ_U64(o.status, 0, "stat -o csv exit");
	char want[8192];
	size_t n = (size_t)snprintf(want, sizeof(want),
				    "file_name,prog_name,verdict,total_insns,total_states,peak_states,"
				    "max_states_per_insn,max_mark_read_len,prog_size,stack_depth,prog_type,"
				    "attach_type,mem_peak\n");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s,%s,%s,%" PRIu64 ",%u,%u,%u,0,%u,%u,%s,%s,-1\n",
				      r->file, r->prog, r->verdict ? "success" : "failure", r->insns, r->states,
				      r->peak, r->max_per_insn, r->size, r->stack, type_str(r->type),
				      strcmp(r->section, "xdp") == 0 ? "xdp" : "cgroup_inet_ingress");
	}
	T_EQ_STR(o.out, want, "stat CSV rows = the library's verdicts and counts");
	T_OK(nrows >= 10, "%d programs", nrows);

	/* the table: widths from the longest cell, strings left, numbers right */
	o = t_cli("", "stat", all_objs("-e file,prog,verdict,insns"));
	int wf = 4, wp = 7;
	for (int i = 0; i < nrows; i++) {
		wf = (int)strlen(rows[i].file) > wf ? (int)strlen(rows[i].file) : wf;
		wp = (int)strlen(rows[i].prog) > wp ? (int)strlen(rows[i].prog) : wp;
	}
	char line[256];
	n = 0;
	for (int i = 0; i < nobjs; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "Processing '%s'...\n", base(objs[i]));
	char dashes[] = "----------------------------------------------------------------";
	snprintf(line, sizeof(line), "%.*s  %.*s  -------  -----\n", wf, dashes, wp, dashes);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "%-*s  %-*s  Verdict  Insns\n%s", wf, "File", wp,
			      "Program", line);
	for (int i = 0; i < nrows; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%-*s  %-*s  %s  %5" PRIu64 "\n", wf, rows[i].file,
				      wp, rows[i].prog, rows[i].verdict ? "success" : "failure", rows[i].insns);
	snprintf(want + n, sizeof(want) - n,
		 "%sDone. Processed %d files, %d programs. Skipped 0 files, 0 programs.\n", line, nobjs, nrows);
	T_EQ_STR(o.out, want, "stat table");

	/* failures have no JIT size; durations are numbers */
	o = t_cli("", "stat", all_objs("-o csv -q -e prog,verdict,prog_size_jited,duration"));
	int failures = 0, bad = 0;
	for (char *l = strchr(o.out, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		char prog[64], verdict[16];
		long jited = -1, dur = -1;
		if (sscanf(l + 1, "%63[^,],%15[^,],%ld,%ld", prog, verdict, &jited, &dur) != 4 || dur < 0)
			bad++;
		else if (strcmp(verdict, "failure") == 0)
			failures++, bad += jited != 0;
	}
	T_EQ_U64(bad, 0, "CSV rows parse, failures have jited size 0");
	o = t_cli("", "stat", all_objs("-q -o csv -e prog -f verdict=failure"));
	int listed = 0;
	for (char *l = o.out; (l = strchr(l, '\n')); l++)
		listed++;
	T_EQ_U64(listed - 1, failures, "-f verdict=failure keeps the failures");
}

static void test_filters_and_verbose(void)
{
	char a[1024];
	snprintf(a, sizeof(a), "-e prog -f 'xdp*/' '%s/xdp_count.o' '%s/socket_filter.o'", OBJ_EXAMPLES, OBJ_EXAMPLES);
	struct t_out o = t_cli("", "stat", a);
	T_EQ_STR(o.out,
		 "Processing 'xdp_count.o'...\n"
		 "Program  \n---------\nxdp_count\n---------\n"
		 "Done. Processed 1 files, 1 programs. Skipped 1 files, 0 programs.\n",
		 "file glob: the other file is skipped");
	snprintf(a, sizeof(a), "-e prog -f 'xdp*' '%s/xdp_count.o' '%s/socket_filter.o'", OBJ_EXAMPLES, OBJ_EXAMPLES);
	o = t_cli("", "stat", a);
	T_EQ_STR(o.out,
		 "Processing 'xdp_count.o'...\n"
		 "Processing 'socket_filter.o'...\n"
		 "Program  \n---------\nxdp_count\n---------\n"
		 "Done. Processed 2 files, 1 programs. Skipped 0 files, 1 programs.\n",
		 "any glob: the other program is skipped");
	/* -S: the most frequent source lines of each log (level 2) */
	snprintf(a, sizeof(a), "-S 3 -e prog -f '*/only_mix' '%s/subprog5.bpf.o'", OBJ_FIXTURES);
	o = t_cli("", "stat", a);
	T_EQ_STR(o.out,
		 "Processing 'subprog5.bpf.o'...\n"
		 "Top source lines (only_mix):\n"
		 "    2: (subprog5.bpf.c:28)\treturn (int)mix2(p[0], p[1]); \n"
		 "    1: (subprog5.bpf.c:9)\treturn a * 100 + b; \n"
		 "    1: (subprog5.bpf.c:7)\tstatic __attribute__((noinline)) __u64 mix2(__u64 a, __u64 b) \n"
		 "\n"
		 "Program \n--------\nonly_mix\n--------\n"
		 "Done. Processed 1 files, 1 programs. Skipped 0 files, 1 programs.\n",
		 "-S 3: counts, then text; veristat's trailing blank");
	/* the progress line (after 1 s; at once here) */
	snprintf(a, sizeof(a), "-q -e prog '%s/xdp_count.o' '%s/socket_filter.o'", OBJ_EXAMPLES, OBJ_EXAMPLES);
	o = t_cli("STACKBPF_STAT_PROGRESS_AFTER=0", "stat", a);
	T_OK(strncmp(o.err, "stackbpf stat: 1 programs verified, file 1/2, ", 46) == 0 &&
	     strstr(o.err, " s\nstackbpf stat: 2 programs verified, file 2/2, ") && o.err[strlen(o.err) - 1] == '\n',
	     "progress lines: %s", o.err);
	T_EQ_STR(o.out, "Program  \n---------\ndns_only \nxdp_count\n---------\n"
			"Done. Processed 2 files, 2 programs. Skipped 0 files, 0 programs.\n", "-q: no Processing lines");
	snprintf(a, sizeof(a), "-v -e prog '%s/xdp_count.o'", OBJ_EXAMPLES);
	o = t_cli("", "stat", a);
	char head[512];
	snprintf(head, sizeof(head), "Processing 'xdp_count.o'...\nPROCESSING %s/xdp_count.o/xdp_count, DURATION US: ",
		 OBJ_EXAMPLES);
	T_OK(strncmp(o.out, head, strlen(head)) == 0, "-v header: %s", o.out);
	T_OK(strstr(o.out, ", VERIFIER LOG:\n") && strstr(o.out, "\nverification time ") &&
	     strstr(o.out, " mark_read 0\n\nProgram  \n"), "-v log and blank line: %s", o.out);
	/* the log is the one `verify --log-level 5` prints (durations aside) */
	snprintf(a, sizeof(a), "'%s/xdp_count.o' --log-level 5", OBJ_EXAMPLES);
	struct t_out v = t_cli("", "verify", a);
	const char *p = strstr(o.out, "VERIFIER LOG:\n"), *q = strstr(v.out, "verification time");
	T_OK(p && q && strncmp(p + 14, v.out, (size_t)(q - v.out)) == 0, "-v log = verify's log");
}

static void save(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", t_dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_bad_inputs(void)
{
	save("trunc.o", "\177ELFjunkjunkjunk");
	save("text.o", "not an object\n");
	char a[1024];
	snprintf(a, sizeof(a), "-e prog nosuch.o trunc.o text.o '%s/xdp_count.o'", OBJ_EXAMPLES);
	struct t_out o = t_cli("", "stat", a);
	T_EQ_U64(o.status, 2, "unreadable inputs: exit 2");
	T_EQ_STR(o.err,
		 "stackbpf: cannot open 'nosuch.o': No such file or directory\n"
		 "trunc.o: truncated: 16 bytes, an ELF header needs 64\n",
		 "missing file and truncated ELF messages");
	T_EQ_STR(o.out,
		 "Processing 'trunc.o'...\n"
		 "Processing 'xdp_count.o'...\n"
		 "Program  \n---------\nxdp_count\n---------\n"
		 "Done. Processed 1 files, 1 programs. Skipped 3 files, 0 programs.\n",
		 "the good object is still processed");
	o = t_cli("", "stat", "-e nosuch x.o");
	T_EQ_U64(o.status, 2, "unknown stat name");
	T_EQ_STR(o.err, "Unrecognized stat name 'nosuch'\n", "unknown stat name message");
	o = t_cli("", "stat", "-o md x.o");
	T_EQ_STR(o.err, "stackbpf: stat: -o md renders a comparison: use it with -C BASE.csv COMP.csv\n", "md needs -C");

	o = t_cli("", "verify", "trunc.o");
	T_EQ_U64(o.status, 2, "verify truncated ELF");
	T_EQ_STR(o.err, "trunc.o: truncated: 16 bytes, an ELF header needs 64\n", "verify message");
	o = t_cli("", "verify", "nosuch.o");
	T_EQ_U64(o.status, 2, "verify missing file");
	T_EQ_STR(o.err, "stackbpf: cannot open 'nosuch.o': No such file or directory\n", "verify missing message");
	snprintf(a, sizeof(a), "'%s/subprog5.bpf.o' --prog nosuch", OBJ_FIXTURES);
	o = t_cli("", "verify", a);
	T_EQ_U64(o.status, 2, "verify unknown program");
	char want[512];
	snprintf(want, sizeof(want), "stackbpf: %s/subprog5.bpf.o: no program 'nosuch' (programs: sum5, only_mix)\n",
		 OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "unknown program names the choices");
	snprintf(a, sizeof(a), "'%s/subprog5.bpf.o' --type xdp", OBJ_FIXTURES);
	o = t_cli("", "verify", a);
	snprintf(want, sizeof(want),
		 "stackbpf: %s/subprog5.bpf.o: --type applies to .s/.bin/.data programs; an object's programs take "
		 "their type from their section\n", OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "--type with an object");
	/* --type: a .s program gets the context of a section's program type */
	save("ctx.s", "r2 = *(u32 *)(r1 + 4)\nr0 = 2\nexit\n");
	o = t_cli("", "verify", "ctx.s --type xdp --json --log-level 0");
	T_EQ_U64(o.status, 0, "xdp context read accepted");
	static const char xdp_json[] = "{\"verdict\":\"success\",\"error\":\"\",\"errno\":0,\"insns\":3,";
	T_OK(strncmp(o.out, xdp_json, strlen(xdp_json)) == 0 && strstr(o.out, ",\"prog_type\":\"xdp\",\"stack_depth\":[0]}\n"),
	     "--type xdp JSON: %s", o.out);
	o = t_cli("", "verify", "ctx.s --json");
	T_EQ_U64(o.status, 1, "raw: no memory behind r1");
	T_OK(strstr(o.out, "\n0: (61) r2 = *(u32 *)(r1 +4)\ninvalid access to memory, mem_size=0 off=4 size=4\n") &&
	     strstr(o.out, "{\"verdict\":\"failure\",\"error\":\"R1 min value is outside of the "
			   "allowed memory range\",\"errno\":13,") && strstr(o.out, ",\"prog_type\":\"unspec\","),
	     "raw: %s", o.out);
	o = t_cli("", "verify", "x.s --type bogus");
	T_EQ_U64(o.status, 2, "unknown type");
	T_EQ_STR(o.err, "stackbpf: verify: unknown program type 'bogus' (a libbpf section name: socket, tc, xdp, kprobe, "
			"tracepoint, raw_tracepoint, perf_event, syscall, ...; or raw)\n", "unknown type message");
}

/* verify on objects: every program, headers, JSON lines, exit codes */
static void test_verify_objects(void)
{
	char a[512];
	snprintf(a, sizeof(a), "'%s/subprog5.bpf.o' --json --log-level 0", OBJ_FIXTURES);
	struct t_out o = t_cli("", "verify", a);
	nobjs = 0;
	collect(OBJ_FIXTURES, "subprog5.bpf.o");
	library_rows(false);
	char want[2048] = "";
	size_t n = 0;
	int rc = 0;
	/* in the object's order; a type the verifier does not support: no
	 * JSON line, a message, exit 2 */
	const char *order[2] = { "sum5", "only_mix" };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < nrows; i++) {
			if (strcmp(rows[i].prog, order[k]))
				continue;
			if (rows[i].err == -EOPNOTSUPP) {
				rc = 2;
				continue;
			}
			rc = rc > !rows[i].verdict ? rc : !rows[i].verdict;
			n += (size_t)snprintf(want + n, sizeof(want) - n,
					      "{\"prog\":\"%s\",\"section\":\"%s\",\"verdict\":\"%s\"",
					      rows[i].prog, rows[i].section, rows[i].verdict ? "success" : "failure");
		}
	/* the JSON lines up to "verdict" */
	char got[2048];
	size_t g = 0;
	for (const char *l = o.out; *l;) {
		const char *e = strstr(l, ",\"error\"");
		const char *nl = strchr(l, '\n');
		if (!e || !nl || e > nl)
			break;
		g += (size_t)snprintf(got + g, sizeof(got) - g, "%.*s", (int)(e - l), l);
		l = nl + 1;
	}
	got[g] = '\0';
	T_EQ_STR(got, want, "verify --json: one line per program");
	T_EQ_U64(o.status, rc, "verify exit: the worst of 0 accepted, 1 rejected, 2 unsupported");
	snprintf(a, sizeof(a), "'%s/subprog5.bpf.o' --log-level 1", OBJ_FIXTURES);
	o = t_cli("", "verify", a);
	static const char first[] = "Program sum5 (section raw_tp/sum5):\n";
	T_OK(strncmp(o.out, first, strlen(first)) == 0 &&
	     strstr(o.out, "\n\nProgram only_mix (section kprobe/do_nothing):\n"), "headers: %s", o.out);
	/* the log shows source lines, as Linux: in the program, in the
	 * subprogram, and again after the return */
	snprintf(a, sizeof(a), "'%s/subprog5.bpf.o' --prog only_mix --log-level 2", OBJ_FIXTURES);
	o = t_cli("", "verify", a);
	T_OK(strstr(o.out, "\n0: R1=ctx() R10=fp0\n; return (int)mix2(p[0], p[1]); @ subprog5.bpf.c:28\n"
			   "0: (79) r2 = *(u64 *)(r1 +8)") != NULL,
	     "source line before insn 0: %s", o.out);
	T_OK(strstr(o.out, "\n4: frame1: R1=scalar() R2=scalar() R10=fp0\n"
			   "; static __attribute__((noinline)) __u64 mix2(__u64 a, __u64 b) @ subprog5.bpf.c:7\n"
			   "4: (bf) r0 = r1") != NULL &&
	     strstr(o.out, "\n; return a * 100 + b; @ subprog5.bpf.c:9\n5: (27) r0 *= 100") != NULL &&
	     strstr(o.out, "\nfrom 7 to 3: R0=scalar() R10=fp0\n; return (int)mix2(p[0], p[1]); @ subprog5.bpf.c:28\n"
			   "3: (95) exit\n") != NULL,
	     "source lines in the subprogram and after the return: %s", o.out);
}

struct cap {
	char *buf;
	size_t *n;
};

static void capture(void *ctx, int level, const char *msg)
{
	(void)level;
	struct cap *c = ctx;
	*c->n += (size_t)snprintf(c->buf + *c->n, 2048 - *c->n, "%s\n", msg);
}

/* the line printer itself, on a raw program with hand-made line info */
static void test_line_printer(void)
{
	static const struct stackbpf_insn insns[] = {
		{ .code = 0xb7, .dst = 0, .imm = 1 },   /* 0: r0 = 1 */
		{ .code = 0xb7, .dst = 1, .imm = 2 },   /* 1: r1 = 2 */
		{ .code = 0x07, .dst = 0, .imm = 3 },   /* 2: r0 += 3 */
		{ .code = 0x95 },                           /* 3: exit */
	};
	static const struct stackbpf_line lines[] = {
		{ .insn_off = 0, .file = "/src/dir/a.bpf.c", .src = "\t  int x = 1;", .line = 10, .col = 2 },
		{ .insn_off = 1, .file = "/src/dir/a.bpf.c", .src = "\t  int x = 1;", .line = 10, .col = 9 },
		{ .insn_off = 2, .file = "b.h", .src = "return x + 3;", .line = 3, .col = 1 },
		{ .insn_off = 3, .file = "b.h", .src = "", .line = 4, .col = 0 },
	};
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, 4);
	char log[2048] = "";
	size_t n = 0;
	struct cap cap = { log, &n };
	STACKBPF_OPTS(stackbpf_verify_opts, vo, .log_level = 2, .log = capture, .log_ctx = &cap, .lines = lines,
		      .line_cnt = 4);
	T_EQ_U64(stackbpf_prog__verify(p, &vo, NULL), 0, "verify");
	T_EQ_STR(log,
		 "func#0 @0\n"
		 "0: R1=mem(sz=0) R2=0 R10=fp0\n"
		 "; int x = 1; @ a.bpf.c:10\n"
		 "0: (b7) r0 = 1                        ; R0=1\n"
		 "1: (b7) r1 = 2                        ; R1=2\n"
		 "; return x + 3; @ b.h:3\n"
		 "2: (07) r0 += 3                       ; R0=4\n"
		 ";  @ b.h:4\n"
		 "3: (95) exit\n"
		 "processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "line info in the log: trimmed, basename, same line once, \"; \" + \"\" + \" @ \"");
	n = 0;
	log[0] = '\0';
	STACKBPF_OPTS(stackbpf_verify_opts, vo1, .log_level = 1, .log = capture, .log_ctx = &cap, .lines = lines,
		      .line_cnt = 4);
	stackbpf_prog__verify(p, &vo1, NULL);
	T_EQ_STR(log, "processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "level 1 success: no source lines");
	stackbpf_prog__free(p);
}

/* The founding regression: a static function whose dead first parameter clang
 * removed from the code while its BTF prototype still lists it. */
static void test_founding(void)
{
	char a[1024];
	struct t_out o;
	snprintf(a, sizeof(a), "--elf '%s/founding_true.s' -o true/founding.bpf.o", STAT_PROGS);
	t_cli("mkdir -p true btf6 &&", "asm", a);
	snprintf(a, sizeof(a), "--elf '%s/founding_btf6.s' -o btf6/founding.bpf.o", STAT_PROGS);
	o = t_cli("", "asm", a);
	T_EQ_U64(o.status, 0, "assemble the founding pair");

	static const char diag[] = "alloc_exit: BTF prototype has 6 parameters, the code receives 5 (no DWARF: "
				   "which parameters were eliminated is unknown); Linux with stack arguments rejects "
				   "its callers: callee expects 6 args, stack arg1 is not initialized\n";
	char want[1024];
	o = t_cli("", "verify", "btf6/founding.bpf.o");
	T_EQ_U64(o.status, 0, "default mode: the code-derived count (5) verifies");
	snprintf(want, sizeof(want), "stackbpf: btf6/founding.bpf.o: trace_alloc: warning: %s", diag);
	T_EQ_STR(o.err, want, "default mode: the diagnosis as a warning");
	o = t_cli("", "verify", "true/founding.bpf.o --strict");
	T_EQ_U64(o.status, 0, "strict: the true signature verifies");
	T_EQ_STR(o.err, "", "true signature: no hint");
	o = t_cli("", "verify", "btf6/founding.bpf.o --strict");
	snprintf(want, sizeof(want), "stackbpf: btf6/founding.bpf.o: trace_alloc: hint: %s", diag);
	T_EQ_STR(o.err, want, "strict: the diagnosis as a hint");
	o = t_cli("", "verify", "btf6/founding.bpf.o --strict --json");
	T_EQ_U64(o.status, 1, "strict: BTF's 6 parameters are refused, as Linux");
	T_OK(strstr(o.out, "\ncallee expects 6 args, stack arg1 is not initialized\nprocessed ") != NULL &&
	     strstr(o.out, "\"error\":\"callee expects 6 args, stack arg1 is not initialized\""),
	     "the kernel's message: %s", o.out);

	o = t_cli("", "stat", "--strict -o csv -e file,prog,verdict,states true/founding.bpf.o");
	T_EQ_U64(o.status, 0, "stat base");
	save("base.csv", o.out);
	o = t_cli("", "stat", "--strict -o csv -e file,prog,verdict,states btf6/founding.bpf.o");
	save("comp.csv", o.out);
	T_EQ_STR(o.err, want, "stat --strict: the hint on stderr");
	o = t_cli("", "stat", "-C base.csv comp.csv -e file,prog,verdict");
	T_EQ_STR(o.out,
		 "File            Program      Verdict (A)  Verdict (B)  Verdict (DIFF)\n"
		 "--------------  -----------  -----------  -----------  --------------\n"
		 "founding.bpf.o  trace_alloc  success      failure      MISMATCH      \n"
		 "--------------  -----------  -----------  -----------  --------------\n",
		 "stat -C: the regression");
	o = t_cli("", "stat", "-C base.csv comp.csv -o md");
	T_EQ_U64(o.status, 1, "md: new failure");
	const char *md = "# There are new veristat failures\n\n"
			   "|File          |Program    |Verdict                |States Diff (%)|\n"
			   "|--------------|-----------|-----------------------|---------------|\n"
			   "|founding.bpf.o|trace_alloc|success -> failure (!!)|";
	T_OK(strncmp(o.out, md, strlen(md)) == 0, "the list's row: %s", o.out);
	/* without --strict both verify */
	save("base2.csv", t_cli("", "stat", "-o csv -e file,prog,verdict,states true/founding.bpf.o").out);
	save("comp2.csv", t_cli("", "stat", "-o csv -e file,prog,verdict,states btf6/founding.bpf.o").out);
	o = t_cli("", "stat", "-C base2.csv comp2.csv -e prog,verdict");
	T_OK(strstr(o.out, "trace_alloc  success      success      MATCH") != NULL, "default mode: MATCH: %s", o.out);
}

/* The founding case from C (tests/btf builds it with clang 14): stat --strict
 * before and after `btf fix` */
static void test_founding_c(void)
{
	char a[1024];
	snprintf(a, sizeof(a), "%s/alloc_exit.bpf.o", BTF_FIXTURES);
	FILE *f = fopen(a, "rb");
	if (!f) {
		printf("no %s: the C founding case is not checked\n", a);
		return;
	}
	fclose(f);
	snprintf(a, sizeof(a), "fix '%s/alloc_exit.bpf.o' -o fixed/alloc_exit.bpf.o", BTF_FIXTURES);
	struct t_out o = t_cli("mkdir -p fixed &&", "btf", a);
	T_EQ_U64(o.status, 0, "btf fix");
	o = t_cli("", "stat", "--strict -o csv -e file,prog,verdict,states fixed/alloc_exit.bpf.o");
	save("fixed.csv", o.out);
	T_EQ_STR(o.err, "", "fixed: no hint");
	snprintf(a, sizeof(a), "--strict -o csv -e file,prog,verdict,states '%s/alloc_exit.bpf.o'", BTF_FIXTURES);
	o = t_cli("", "stat", a);
	save("llvm14.csv", o.out);
	T_OK(strstr(o.err, ": malloc_exit: hint: alloc_exit: BTF prototype has 6 parameters, the code receives 5: "
			   "ctx was eliminated; Linux with stack arguments rejects its callers: callee expects 6 args, "
			   "stack arg1 is not initialized\n") != NULL, "clang 14 object: the hint: %s", o.err);
	o = t_cli("", "stat", "-C fixed.csv llvm14.csv -o md");
	T_EQ_U64(o.status, 1, "md: new failures");
	static const char head[] = "# There are new veristat failures\n\n"
				   "|File            |Program    |Verdict                |States Diff (%)|\n"
				   "|----------------|-----------|-----------------------|---------------|\n"
				   "|alloc_exit.bpf.o|calloc_exit|success -> failure (!!)|";
	T_OK(strncmp(o.out, head, strlen(head)) == 0 &&
	     strstr(o.out, "\n|alloc_exit.bpf.o|malloc_exit|success -> failure (!!)|"), "before/after btf fix: %s", o.out);
}

int main(void)
{
	if (!OBJ_FIXTURES[0] || !OBJ_EXAMPLES[0]) {
		printf("no BPF clang: skipped\n");
		return 77;
	}
	if (t_scratch("statobj"))
		return 1;
	host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, ho);
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, &ho))
		return 1;
	collect(OBJ_EXAMPLES, ".o");
	collect(OBJ_FIXTURES, ".bpf.o");
	if (nobjs == 0) {
		printf("no objects in %s and %s: skipped\n", OBJ_EXAMPLES, OBJ_FIXTURES);
		return 77;
	}
	test_csv_rows();
	test_filters_and_verbose();
	test_bad_inputs();
	test_line_printer();
	test_founding();
	test_founding_c();
	test_verify_objects();
	stackbpf_host__free(host);
	return t_done();
}
