/* cmd_stat.c - `stackbpf stat`: veristat for stackbpf. Verifies every program
 * of the given ELF objects and prints veristat's table or CSV; compares two
 * CSV runs (-C, also as the BPF CI markdown summary with -o md) or replays one
 * (-R). The model and output live in stat_spec.c and stat_out.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/stat.h"

static const char usage_text[] =
	"usage: stackbpf stat [OPTIONS] OBJ.o [OBJ.o...]\n"
	"       stackbpf stat -C [OPTIONS] BASE.csv COMP.csv\n"
	"       stackbpf stat -R [OPTIONS] RUN.csv\n"
	"\n"
	"BPF verifier statistics collection and comparison, as veristat: every\n"
	"program of every object is verified (program type from its section, maps,\n"
	"subprograms and source lines from the object) and one row per program is\n"
	"printed. A run that takes more than a second reports its progress on stderr.\n"
	"\n"
	"options:\n"
	"  -e, --emit SPEC        stats to show, comma-separated (see below)\n"
	"  -s, --sort SPEC        sort keys; a trailing ^ sorts ascending, v V . ! _\n"
	"                         descending (default: file,prog)\n"
	"  -f, --filter EXPR      repeatable: GLOB (file or program), FILE/PROG globs,\n"
	"                         !EXPR to exclude, STAT OP VALUE (OP: = == != <> < <=\n"
	"                         > >=, VALUE: integer, success/failure, true/false,\n"
	"                         match/mismatch), @FILE for one expression per line\n"
	"  -o, --output-format F  table (default), csv, or md (with -C: the BPF CI\n"
	"                         markdown summary; exit 1 on new failures)\n"
	"  -C, --compare          compare two CSV runs (A = base, B = comparison)\n"
	"  -R, --replay           show a CSV run again, with -e/-f/-s applied\n"
	"  -n, --top-n N          only the first N rows\n"
	"  -v, --verbose          print each program's verifier log\n"
	"  -l, --log-level N      log level of -v (1 default, 2 every path)\n"
	"  -S, --top-src-lines N  the N most frequent source lines of each log\n"
	"                         (level 2 unless -l says otherwise)\n"
	"  -q, --quiet            no \"Processing\" lines\n"
	"      --strict           Linux's rules: argument counts only from BTF, no\n"
	"                         stack arguments without a JIT\n"
	"  --log-fixed, --log-size N, -d   accepted, no effect (the log is never cut)\n"
	"  (-t, -r and -G are not supported)\n"
	"  -h, --help             this text\n"
	"\n"
	"stats (column header: names accepted by -e/-s/-f, the first is the CSV column):\n"
	"  File: file_name filename file        Program: prog_name progname prog\n"
	"  Verdict: verdict (success/failure)   Duration (us): duration dur\n"
	"  Insns: total_insns insns             States: total_states states\n"
	"  Peak states: peak_states             Max states per insn: max_states_per_insn\n"
	"  Max mark read length: max_mark_read_len mark_read (always 0, as Linux 6.18)\n"
	"  Program size: prog_size (instructions after subprogram linking)\n"
	"  Jited size: prog_size_jited (x86-64 bytes, 0 on failure)\n"
	"  Stack depth: stack_depth stack (sum over subprograms)\n"
	"  Program type: prog_type              Attach type: attach_type\n"
	"  Peak memory (MiB): mem_peak (-1: not measured)\n"
	"In compare mode every stat but file and program has three columns, A, B\n"
	"and DIFF (\"+5 (+250.00%)\", MATCH/MISMATCH, N/A); -e/-s/-f names take the\n"
	"suffixes _a, _b (default), _diff, _pct, and |name| compares absolute values.\n"
	"\n"
	"Default table: file,prog,verdict,duration,insns,states,prog_size,\n"
	"prog_size_jited; default CSV: all 15 stats. -C/-R default to those of them\n"
	"that the CSV files hold.\n"
	"\n"
	"A rejection caused by a BTF prototype that is not the function's true\n"
	"signature (see `stackbpf btf check`) adds \"PATH: PROG: hint: ...\" on stderr.\n"
	"\n"
	"exit status: 0 (even when programs fail verification, as veristat), 1 new\n"
	"failures with -C -o md, 2 bad usage or an input that cannot be read (the\n"
	"other inputs are still processed).\n"
	"\n"
	"examples:\n"
	"  stackbpf stat xdp_count.o socket_filter.o\n"
	"  stackbpf stat -o csv *.o > base.csv\n"
	"  stackbpf stat -C base.csv new.csv -e file,prog,verdict,states -f verdict_diff=mismatch\n"
	"  stackbpf stat -C base.csv new.csv -e file,prog,verdict,states -o md\n"
	"  stackbpf stat -v -f 'xdp*' xdp_count.o\n";

struct stat_env {
	char **files;
	int file_cnt;
	bool verbose, quiet, compare, replay, strict, emit_given, sort_given;
	enum stat_fmt fmt;
	int log_level, top_src;
	size_t top_n;
	struct stat_specs out_spec, sort_spec;
	struct stat_filters filters;
	struct stat_row *rows;
	size_t row_cnt;
	struct stat_counts counts;
	bool input_error;
	/* progress */
	double t0, last_progress;
	bool progress_shown;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ------------------------------------------------------------ options */

/* -x VALUE, -xVALUE, --long VALUE, --long=VALUE */
static const char *opt_value(int argc, char **argv, int *i, char shrt, const char *lng, bool *match)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);
	*match = false;
	if (a[0] == '-' && a[1] == shrt && shrt) {
		*match = true;
		if (a[2])
			return a + 2;
	} else if (strncmp(a, lng, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
		*match = true;
		if (a[n] == '=')
			return a + n + 1;
	} else {
		return NULL;
	}
	if (*i + 1 >= argc) {
		cli_error("stat: option '%s' needs a value", a);
		return NULL;
	}
	return argv[++*i];
}

static int parse_int(const char *opt, const char *v, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < min || x > max) {
		cli_error("stat: invalid %s value '%s' (expected %ld..%ld)", opt, v, min, max);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

static int parse_args(int argc, char **argv, struct stat_env *env)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool m;
		long x;
		if (a[0] != '-' || !a[1]) {
			char **tmp = realloc(env->files, (size_t)(env->file_cnt + 1) * sizeof(*tmp));
			if (!tmp)
				return -ENOMEM;
			env->files = tmp;
			env->files[env->file_cnt++] = argv[i];
			continue;
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			env->verbose = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			env->quiet = true;
		} else if (!strcmp(a, "-C") || !strcmp(a, "--compare")) {
			env->compare = true;
		} else if (!strcmp(a, "-R") || !strcmp(a, "--replay")) {
			env->replay = true;
		} else if (!strcmp(a, "--strict")) {
			env->strict = true;
		} else if (!strcmp(a, "--log-fixed") || !strcmp(a, "-d") || !strcmp(a, "--debug")) {
			/* accepted for veristat's command lines: the log is never
			 * truncated, and there is no libbpf debug output */
		} else if ((v = opt_value(argc, argv, &i, 0, "--log-size", &m)) || m) {
			if (!v || parse_int("--log-size", v, 1, 0x7fffffff, &x))
				return -EINVAL;
		} else if (!strcmp(a, "-t") || !strcmp(a, "-r") || !strncmp(a, "-G", 2) || !strncmp(a, "--set-global-vars", 17) ||
			   !strcmp(a, "--test-states") || !strcmp(a, "--test-reg-invariants")) {
			cli_error("stat: veristat's option '%s' is not supported", a);
			return -EINVAL;
		} else if ((v = opt_value(argc, argv, &i, 'e', "--emit", &m)) || m) {
			if (!v || stat_parse_specs(v, &env->out_spec))
				return -EINVAL;
			env->emit_given = true;
		} else if ((v = opt_value(argc, argv, &i, 's', "--sort", &m)) || m) {
			if (!v || stat_parse_specs(v, &env->sort_spec))
				return -EINVAL;
			env->sort_given = true;
		} else if ((v = opt_value(argc, argv, &i, 'f', "--filter", &m)) || m) {
			if (!v || stat_add_filter(&env->filters, v))
				return -EINVAL;
		} else if ((v = opt_value(argc, argv, &i, 'o', "--output-format", &m)) || m) {
			if (!v)
				return -EINVAL;
			if (!strcmp(v, "table")) {
				env->fmt = FMT_TABLE;
			} else if (!strcmp(v, "csv")) {
				env->fmt = FMT_CSV;
			} else if (!strcmp(v, "md")) {
				env->fmt = FMT_MD;
			} else {
				fprintf(stderr, "Unrecognized output format '%s'\n", v);
				return -EINVAL;
			}
		} else if ((v = opt_value(argc, argv, &i, 'l', "--log-level", &m)) || m) {
			if (!v || parse_int("--log-level", v, 0, 7, &x))
				return -EINVAL;
			env->log_level = (int)x;
		} else if ((v = opt_value(argc, argv, &i, 'n', "--top-n", &m)) || m) {
			if (!v || parse_int("--top-n", v, 1, 1000000000, &x))
				return -EINVAL;
			env->top_n = (size_t)x;
		} else if ((v = opt_value(argc, argv, &i, 'S', "--top-src-lines", &m)) || m) {
			if (!v || parse_int("--top-src-lines", v, 1, 1000000, &x))
				return -EINVAL;
			env->top_src = (int)x;
		} else {
			cli_error("stat: unknown option '%s' (try 'stackbpf stat --help')", a);
			return -EINVAL;
		}
	}
	return 0;
}

/* ----------------------------------------------------------- verifying */

static void progress(struct stat_env *env, int file_idx, bool last)
{
	double t = now_s();
	bool tty = isatty(2);
	/* after a second; STACKBPF_STAT_PROGRESS_AFTER=SECONDS changes that (tests) */
	const char *after = getenv("STACKBPF_STAT_PROGRESS_AFTER");
	double wait = after ? atof(after) : 1.0;
	if (!last && (t - env->t0 < wait || t - env->last_progress < (tty ? 0.2 : 1.0)))
		return;
	if (last && !env->progress_shown)
		return;
	env->last_progress = t;
	env->progress_shown = true;
	fprintf(stderr, "%sstackbpf stat: %zu programs verified, file %d/%d, %.1f s%s", tty ? "\r" : "",
		env->row_cnt, file_idx, env->file_cnt, t - env->t0, tty && !last ? "" : "\n");
}

static uint32_t jited_size(const struct stackbpf_prog *prog, const struct stackbpf_host *host)
{
	STACKBPF_OPTS(stackbpf_vm_opts, o, .host = host, .engine = STACKBPF_ENGINE_JIT);
	struct stackbpf_vm *vm = stackbpf_vm__new(prog, &o);
	size_t size = 0;
	if (vm && !stackbpf_vm__jit_code(vm, &size))
		size = 0;
	stackbpf_vm__free(vm);
	return (uint32_t)size;
}

static struct stat_row *new_row(struct stat_env *env)
{
	struct stat_row *tmp = realloc(env->rows, (env->row_cnt + 1) * sizeof(*tmp));
	if (!tmp)
		return NULL;
	env->rows = tmp;
	struct stat_row *r = &tmp[env->row_cnt++];
	memset(r, 0, sizeof(*r));
	return r;
}

static char *join_log(const struct sv_log *l)
{
	size_t len = 1;
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	char *s = malloc(len), *p = s;
	for (size_t i = 0; s && i < l->n; i++)
		p += sprintf(p, "%s\n", l->v[i]);
	if (s)
		*p = '\0';
	return s;
}

static int process_prog(struct stat_env *env, const char *path, const struct stackbpf_object *obj,
			const struct stackbpf_program *p, const struct stackbpf_host *host)
{
	const char *name = stackbpf_program__name(p);
	if (!stat_want_file_prog(&env->filters, base_name(path), name)) {
		env->counts.progs_skipped++;
		return 0;
	}
	bool want_log = env->verbose || env->top_src;
	int level = env->log_level ? env->log_level : env->top_src ? 2 : 1;
	struct sv_log log = { 0 };
	struct sv_target t = {
		.host = host,
		.prog_type = stackbpf_program__type(p),
		.lines = stackbpf_program__line_cnt(p) ? stackbpf_program__line(p, 0) : NULL,
		.line_cnt = stackbpf_program__line_cnt(p),
		/* veristat asks for level | 4 (statistics); the numbers come
		 * from the verifier's stats here */
		.log_level = want_log ? level | 4 : 1,
		.strict = env->strict,
	};
	STACKBPF_OPTS(stackbpf_verify_stats, st);
	const struct stackbpf_prog *prog = stackbpf_program__prog(p);
	/* without -v the level-1 log only tells a rejection's cause (hint) */
	int err = sv_verify(prog, &t, &log, &st);
	if (err == -ENOMEM) {
		sv_log_free(&log);
		cli_error("out of memory");
		return err;
	}
	env->counts.progs_processed++;
	if (err == -EOPNOTSUPP)
		cli_error("%s: %s: the verifier does not support program type %s yet", path, name,
			  sv_prog_type_str(t.prog_type));
	else if (err)   /* rejected because BTF is not the true signature: say so */
		sv_print_btf_hint(obj, p, path, sv_log_error(&log), "hint");
	struct stat_row *r = new_row(env);
	if (!r || !(r->file_name = strdup(base_name(path))) || !(r->prog_name = strdup(name))) {
		sv_log_free(&log);
		cli_error("out of memory");
		return -ENOMEM;
	}
	long stack = 0;
	for (uint32_t i = 0; i < st.subprog_cnt && i < STACKBPF_VERIFY_MAX_SUBPROGS; i++)
		stack += st.stack_depth[i];
	long *s = r->stats;
	s[ST_VERDICT] = err == 0;
	s[ST_DURATION] = (long)(st.verification_ns / 1000);
	s[ST_TOTAL_INSNS] = (long)st.insns_processed;
	s[ST_TOTAL_STATES] = st.total_states;
	s[ST_PEAK_STATES] = st.peak_states;
	s[ST_MAX_STATES_PER_INSN] = st.max_states_per_insn;
	s[ST_MARK_READ] = 0;
	s[ST_SIZE] = (long)stackbpf_prog__insn_cnt(prog);
	s[ST_JITED_SIZE] = err ? 0 : jited_size(prog, host);
	s[ST_STACK] = stack;
	s[ST_PROG_TYPE] = t.prog_type;
	s[ST_ATTACH_TYPE] = sv_attach_type_of(stackbpf_program__section(p));
	s[ST_MEM_PEAK] = -1;
	if (want_log) {
		char *text = join_log(&log);
		if (env->verbose)
			printf("PROCESSING %s/%s, DURATION US: %ld, VERDICT: %s, VERIFIER LOG:\n%s\n", path, name,
			       s[ST_DURATION], err ? "failure" : "success", text ? text : "");
		if (env->top_src && text)
			stat_print_top_src_lines(stdout, name, text, env->top_src);
		free(text);
	}
	sv_log_free(&log);
	return 0;
}

static int process_file(struct stat_env *env, int idx, const struct stackbpf_host *host)
{
	const char *path = env->files[idx];
	if (!stat_want_file_prog(&env->filters, base_name(path), NULL)) {
		if (env->verbose)
			printf("Skipping '%s' due to filters...\n", path);
		env->counts.files_skipped++;
		return 0;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		env->counts.files_skipped++;
		env->input_error = true;
		return 0;
	}
	fclose(f);
	if (!sv_is_elf(path)) {
		if (env->verbose)
			printf("Skipping '%s' as it's not a BPF object file...\n", path);
		env->counts.files_skipped++;
		return 0;
	}
	if (!env->quiet && env->fmt == FMT_TABLE)
		printf("Processing '%s'...\n", base_name(path));
	fflush(stdout);
	struct stackbpf_object *obj = sv_object_open(path, host);
	if (!obj) {
		env->counts.files_skipped++;
		env->input_error = true;
		return 0;
	}
	env->counts.files_processed++;
	int err = 0;
	for (size_t i = 0; !err && i < stackbpf_object__prog_cnt(obj); i++) {
		err = process_prog(env, path, obj, stackbpf_object__prog(obj, i), host);
		progress(env, idx + 1, false);
	}
	stackbpf_object__close(obj);
	return err;
}

static int handle_verify(struct stat_env *env)
{
	if (env->file_cnt == 0) {
		cli_error("stat: no BPF object files given (try 'stackbpf stat --help')");
		return CLI_BADINPUT;
	}
	if (env->fmt == FMT_MD) {
		cli_error("stat: -o md renders a comparison: use it with -C BASE.csv COMP.csv");
		return CLI_BADINPUT;
	}
	struct stackbpf_host *host = sv_host_new(true);
	if (!host)
		return CLI_BADINPUT;
	env->t0 = now_s();
	int err = 0;
	for (int i = 0; !err && i < env->file_cnt; i++)
		err = process_file(env, i, host);
	progress(env, env->file_cnt, true);
	stackbpf_host__free(host);
	if (err || stat_sort_rows(env->rows, env->row_cnt, &env->sort_spec))
		return CLI_BADINPUT;
	if (!env->emit_given)
		env->out_spec = env->fmt == FMT_CSV ? stat_default_csv_spec : stat_default_table_spec;
	stat_print_rows(stdout, env->rows, env->row_cnt, &env->filters, &env->out_spec, env->fmt, &env->counts,
			env->top_n);
	return env->input_error ? CLI_BADINPUT : CLI_OK;
}

/* -C / -R without -e: the default columns the CSV has */
static void default_spec_from(struct stat_env *env, const struct stat_specs *csv)
{
	const struct stat_specs *def = env->fmt == FMT_CSV ? &stat_default_csv_spec : &stat_default_table_spec;
	memset(&env->out_spec, 0, sizeof(env->out_spec));
	for (int i = 0; i < def->cnt; i++)
		for (int k = 0; k < csv->cnt; k++)
			if (csv->ids[k] == def->ids[i]) {
				env->out_spec.ids[env->out_spec.cnt++] = def->ids[i];
				break;
			}
}

static int handle_replay(struct stat_env *env)
{
	if (env->file_cnt != 1) {
		cli_error("stat: replay mode expects exactly one input CSV file");
		return CLI_BADINPUT;
	}
	if (env->fmt == FMT_MD) {
		cli_error("stat: -o md renders a comparison: use it with -C BASE.csv COMP.csv");
		return CLI_BADINPUT;
	}
	struct stat_specs csv = { 0 };
	if (stat_read_csv(env->files[0], &env->filters, &env->rows, &env->row_cnt, &csv)) {
		cli_error("stat: failed to parse stats from '%s'", env->files[0]);
		return CLI_BADINPUT;
	}
	if (stat_sort_rows(env->rows, env->row_cnt, &env->sort_spec))
		return CLI_BADINPUT;
	if (!env->emit_given)
		default_spec_from(env, &csv);
	stat_print_rows(stdout, env->rows, env->row_cnt, &env->filters, &env->out_spec, env->fmt, NULL, env->top_n);
	return CLI_OK;
}

static bool has_stat(const struct stat_specs *s, enum stat_id id)
{
	for (int i = 0; i < s->cnt; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

static int handle_compare(struct stat_env *env)
{
	struct stat_specs sa = { 0 }, sb = { 0 };
	struct stat_row *base = NULL;
	struct stat_join *joins = NULL;
	size_t nbase = 0, nj = 0;
	int rc = CLI_BADINPUT;
	if (env->file_cnt != 2) {
		cli_error("stat: comparison mode expects exactly two input CSV files");
		return CLI_BADINPUT;
	}
	for (int k = 0; k < 2; k++)
		if (stat_read_csv(env->files[k], &env->filters, k ? &env->rows : &base, k ? &env->row_cnt : &nbase,
				  k ? &sb : &sa)) {
			cli_error("stat: failed to parse stats from '%s'", env->files[k]);
			goto out;
		}
	if (sa.cnt != sb.cnt) {
		cli_error("stat: number of stats in '%s' and '%s' differs (%d != %d)", env->files[0], env->files[1],
			  sa.cnt, sb.cnt);
		goto out;
	}
	for (int i = 0; i < sa.cnt; i++)
		if (sa.ids[i] != sb.ids[i]) {
			cli_error("stat: stats composition differs between '%s' and '%s' (%s != %s)", env->files[0],
				  env->files[1], stat_defs[sa.ids[i]].names[0], stat_defs[sb.ids[i]].names[0]);
			goto out;
		}
	if (env->fmt == FMT_MD && (!has_stat(&sa, ST_VERDICT) || !has_stat(&sa, ST_TOTAL_STATES))) {
		cli_error("stat: -o md needs the verdict and total_states columns in both CSV files");
		goto out;
	}
	if (stat_sort_rows(base, nbase, &stat_default_sort_spec) ||
	    stat_sort_rows(env->rows, env->row_cnt, &stat_default_sort_spec) ||
	    !(joins = calloc(nbase + env->row_cnt + 1, sizeof(*joins)))) {
		cli_error("out of memory");
		goto out;
	}
	/* join on (file, program); a side without the row gets N/A */
	for (size_t i = 0, j = 0; i < nbase || j < env->row_cnt;) {
		struct stat_join *x = &joins[nj++];
		const struct stat_row *a = i < nbase ? &base[i] : NULL, *b = j < env->row_cnt ? &env->rows[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->file_name, b->file_name);
		if (a && b && !c)
			c = strcmp(a->prog_name, b->prog_name);
		x->a = c <= 0 ? a : NULL;
		x->b = c >= 0 ? b : NULL;
		x->file_name = x->a ? a->file_name : b->file_name;
		x->prog_name = x->a ? a->prog_name : b->prog_name;
		i += c <= 0;
		j += c >= 0;
	}
	if (stat_sort_joins(joins, nj, &env->sort_spec)) {
		cli_error("out of memory");
		goto out;
	}
	if (env->fmt == FMT_MD) {
		rc = stat_print_md(stdout, joins, nj, &env->filters) ? CLI_REJECTED : CLI_OK;
		goto out;
	}
	if (!env->emit_given)
		default_spec_from(env, &sa);
	stat_print_joins(stdout, joins, nj, &env->filters, &env->out_spec, env->fmt, env->top_n);
	rc = CLI_OK;
out:
	free(joins);
	stat_rows_free(base, nbase);
	return rc;
}

int cmd_stat(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return CLI_OK;
		}
	struct stat_env env = { 0 };
	int rc = CLI_BADINPUT;
	if (parse_args(argc, argv, &env))
		goto out;
	if (env.verbose && env.quiet) {
		cli_error("stat: verbose and quiet modes are incompatible, please specify just one or neither");
		goto out;
	}
	if (env.compare && env.replay) {
		cli_error("stat: can't specify replay and comparison mode at the same time");
		goto out;
	}
	if (!env.sort_given)
		env.sort_spec = stat_default_sort_spec;
	rc = env.compare ? handle_compare(&env) : env.replay ? handle_replay(&env) : handle_verify(&env);
out:
	stat_rows_free(env.rows, env.row_cnt);
	stat_filters_free(&env.filters);
	free(env.files);
	return rc;
}
