/* stat_spec.c - veristat's model for `stackbpf stat`: the stat table (headers,
 * names and aliases), -e/-s specs with compare-mode variants (_a, _b, _diff,
 * _pct, |abs|), -f filters (globs and stat comparisons), sorting, and the
 * values of rows and joined rows. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/stat.h"

const struct stat_def stat_defs[ST_ALL_CNT] = {
	[ST_FILE_NAME] = { "File", { "file_name", "filename", "file" }, true, true, true },
	[ST_PROG_NAME] = { "Program", { "prog_name", "progname", "prog" }, true, true, true },
	[ST_VERDICT] = { "Verdict", { "verdict" }, true, true, true },
	[ST_DURATION] = { "Duration (us)", { "duration", "dur" }, false, false, false },
	[ST_TOTAL_INSNS] = { "Insns", { "total_insns", "insns" }, false, false, false },
	[ST_TOTAL_STATES] = { "States", { "total_states", "states" }, false, false, false },
	[ST_PEAK_STATES] = { "Peak states", { "peak_states" }, false, false, false },
	[ST_MAX_STATES_PER_INSN] = { "Max states per insn", { "max_states_per_insn" }, false, false, false },
	[ST_MARK_READ] = { "Max mark read length", { "max_mark_read_len", "mark_read" }, false, false, false },
	[ST_SIZE] = { "Program size", { "prog_size" }, false, false, false },
	[ST_JITED_SIZE] = { "Jited size", { "prog_size_jited" }, false, false, false },
	[ST_STACK] = { "Stack depth", { "stack_depth", "stack" }, false, false, false },
	[ST_PROG_TYPE] = { "Program type", { "prog_type" }, false, false, true },
	[ST_ATTACH_TYPE] = { "Attach type", { "attach_type" }, false, false, true },
	[ST_MEM_PEAK] = { "Peak memory (MiB)", { "mem_peak" }, false, false, false },
};

const struct stat_specs stat_default_table_spec = {
	.cnt = 8,
	.ids = { ST_FILE_NAME, ST_PROG_NAME, ST_VERDICT, ST_DURATION, ST_TOTAL_INSNS, ST_TOTAL_STATES, ST_SIZE,
		 ST_JITED_SIZE },
};

const struct stat_specs stat_default_csv_spec = {
	.cnt = 15,
	.ids = { ST_FILE_NAME, ST_PROG_NAME, ST_VERDICT, ST_DURATION, ST_TOTAL_INSNS, ST_TOTAL_STATES,
		 ST_PEAK_STATES, ST_MAX_STATES_PER_INSN, ST_MARK_READ, ST_SIZE, ST_JITED_SIZE, ST_PROG_TYPE,
		 ST_ATTACH_TYPE, ST_STACK, ST_MEM_PEAK },
};

const struct stat_specs stat_default_sort_spec = {
	.cnt = 2,
	.ids = { ST_FILE_NAME, ST_PROG_NAME },
	.asc = { true, true },
};

/* "insns", "insns_a", "insns_diff", ...: the stat and its variant (no suffix: B) */
static bool parse_id_var(const char *name, size_t len, enum stat_id *id, enum stat_variant *var)
{
	static const char *const sfx[] = { [VAR_A] = "_a", [VAR_B] = "_b", [VAR_DIFF] = "_diff", [VAR_PCT] = "_pct" };
	for (int i = 0; i < ST_ALL_CNT; i++)
		for (int j = 0; j < 4 && stat_defs[i].names[j]; j++) {
			const char *alias = stat_defs[i].names[j];
			size_t n = strlen(alias);
			if (n > len || strncmp(name, alias, n) != 0)
				continue;
			if (n == len) {
				*id = (enum stat_id)i;
				*var = VAR_B;
				return true;
			}
			for (int k = 0; k < 4; k++)
				if (n + strlen(sfx[k]) == len && strncmp(name + n, sfx[k], len - n) == 0) {
					*id = (enum stat_id)i;
					*var = (enum stat_variant)k;
					return true;
				}
		}
	return false;
}

static bool is_desc_sym(char c)
{
	return c == 'v' || c == 'V' || c == '.' || c == '!' || c == '_';
}

int stat_parse_spec(const char *name, struct stat_specs *specs)
{
	size_t len = strlen(name);
	bool has_order = false, asc = false, abs_val = false;
	enum stat_id id;
	enum stat_variant var;
	if (specs->cnt >= (int)(sizeof(specs->ids) / sizeof(specs->ids[0]))) {
		fprintf(stderr, "Can't specify more than %zu stats\n", sizeof(specs->ids) / sizeof(specs->ids[0]));
		return -E2BIG;
	}
	const char *p = name;
	if (len > 1 && (name[len - 1] == '^' || is_desc_sym(name[len - 1]))) {
		has_order = true;
		asc = name[len - 1] == '^';
		len--;
	}
	if (len > 2 && p[0] == '|' && p[len - 1] == '|') {
		abs_val = true;
		p++;
		len -= 2;
	}
	if (!parse_id_var(p, len, &id, &var)) {
		fprintf(stderr, "Unrecognized stat name '%s'\n", name);
		return -ESRCH;
	}
	specs->ids[specs->cnt] = id;
	specs->variants[specs->cnt] = var;
	specs->asc[specs->cnt] = has_order ? asc : stat_defs[id].asc_by_default;
	specs->abs[specs->cnt] = abs_val;
	specs->cnt++;
	return 0;
}

int stat_parse_specs(const char *list, struct stat_specs *specs)
{
	char *input = strdup(list), *save = NULL, *next;
	int err = input ? 0 : -ENOMEM;
	for (char *s = input; !err && (next = strtok_r(s, ",", &save)); s = NULL)
		err = stat_parse_spec(next, specs);
	free(input);
	return err;
}

/* ------------------------------------------------------------ filters */

/* veristat's glob: '*' only */
bool stat_glob(const char *str, const char *pat)
{
	while (*str && *pat && *pat != '*') {
		if (*str != *pat)
			return false;
		str++;
		pat++;
	}
	if (*pat == '*') {
		while (*pat == '*')
			pat++;
		if (!*pat)
			return true;
		while (*str)
			if (stat_glob(str++, pat))
				return true;
	}
	return !*str && !*pat;
}

static const struct {
	enum filter_op op;
	const char *str;
} operators[] = {
	/* longer operators first, so that "<" does not match the start of "<>" */
	{ OP_EQ, "==" }, { OP_NEQ, "!=" }, { OP_NEQ, "<>" }, { OP_LE, "<=" },
	{ OP_LT, "<" },  { OP_GE, ">=" },  { OP_GT, ">" },   { OP_EQ, "=" },
};

static int parse_filter_value(const char *p, const char *expr, long *val)
{
	static const char *const yes[] = { "true", "t", "success", "succ", "s", "match", "m" };
	static const char *const no[] = { "false", "f", "failure", "fail", "mismatch", "mis" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(p, yes[i]) == 0)
			return *val = 1, 0;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(p, no[i]) == 0)
			return *val = 0, 0;
	char *end;
	errno = 0;
	*val = strtol(p, &end, 10);
	if (errno || end == p || *end) {
		fprintf(stderr, "Invalid integer value in '%s'!\n", expr);
		return -EINVAL;
	}
	return 0;
}

static int append_filter(struct stat_filter **fs, int *cnt, const char *str)
{
	struct stat_filter *tmp = realloc(*fs, (size_t)(*cnt + 1) * sizeof(**fs));
	if (!tmp)
		return -ENOMEM;
	*fs = tmp;
	struct stat_filter *f = &tmp[*cnt];
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
		const char *p = strstr(str, operators[i].str);
		if (!p)
			continue;
		size_t len = (size_t)(p - str);
		const char *name = str;
		if (len > 2 && name[0] == '|' && name[len - 1] == '|') {
			f->abs = true;
			name++;
			len -= 2;
		}
		if (!parse_id_var(name, len, &f->id, &f->var)) {
			fprintf(stderr, "Unrecognized stat name in '%s'!\n", str);
			return -EINVAL;
		}
		if (f->id >= ST_FILE_NAME || f->id == ST_PROG_TYPE || f->id == ST_ATTACH_TYPE) {
			fprintf(stderr, "Non-integer stat is specified in '%s'!\n", str);
			return -EINVAL;
		}
		int err = parse_filter_value(p + strlen(operators[i].str), str, &f->value);
		if (err)
			return err;
		f->kind = FILTER_STAT;
		f->op = operators[i].op;
		(*cnt)++;
		return 0;
	}
	/* "glob" (file or program), "file-glob/prog-glob", "/prog-glob", "file-glob/" */
	f->kind = FILTER_NAME;
	const char *slash = strchr(str, '/');
	if (!slash) {
		if (!(f->any_glob = strdup(str)))
			return -ENOMEM;
	} else {
		if (slash != str && !(f->file_glob = strndup(str, (size_t)(slash - str))))
			return -ENOMEM;
		if (slash[1] && !(f->prog_glob = strdup(slash + 1))) {
			free(f->file_glob);
			return -ENOMEM;
		}
	}
	(*cnt)++;
	return 0;
}

static int add_one(struct stat_filters *f, const char *expr)
{
	if (expr[0] == '!')
		return append_filter(&f->deny, &f->deny_cnt, expr + 1);
	return append_filter(&f->allow, &f->allow_cnt, expr);
}

int stat_add_filter(struct stat_filters *f, const char *expr)
{
	if (expr[0] != '@') {
		int err = add_one(f, expr);
		if (err == -ENOMEM)
			fprintf(stderr, "Failed to collect program filter expressions: %d\n", err);
		return err;
	}
	FILE *in = fopen(expr + 1, "r");
	if (!in) {
		int err = -errno;
		fprintf(stderr, "Failed to open filters in '%s': %d\n", expr + 1, err);
		return err;
	}
	char line[1024];
	int err = 0;
	while (!err && fgets(line, sizeof(line), in)) {
		char *s = line, *e = line + strlen(line);
		while (isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s && *s != '#')
			err = add_one(f, s);
	}
	fclose(in);
	return err;
}

static void free_list(struct stat_filter *fs, int n)
{
	for (int i = 0; i < n; i++) {
		free(fs[i].any_glob);
		free(fs[i].file_glob);
		free(fs[i].prog_glob);
	}
	free(fs);
}

void stat_filters_free(struct stat_filters *f)
{
	free_list(f->allow, f->allow_cnt);
	free_list(f->deny, f->deny_cnt);
	memset(f, 0, sizeof(*f));
}

bool stat_want_file_prog(const struct stat_filters *fs, const char *file, const char *prog)
{
	for (int i = 0; i < fs->deny_cnt; i++) {
		const struct stat_filter *f = &fs->deny[i];
		if (f->kind != FILTER_NAME)
			continue;
		if (f->any_glob && (stat_glob(file, f->any_glob) || (prog && stat_glob(prog, f->any_glob))))
			return false;
		if (f->file_glob && stat_glob(file, f->file_glob))
			return false;
		if (f->prog_glob && prog && stat_glob(prog, f->prog_glob))
			return false;
	}
	int allow_cnt = 0;
	for (int i = 0; i < fs->allow_cnt; i++) {
		const struct stat_filter *f = &fs->allow[i];
		if (f->kind != FILTER_NAME)
			continue;
		allow_cnt++;
		if (f->any_glob) {
			/* before the object is open its programs are unknown: keep it */
			if (stat_glob(file, f->any_glob) || !prog || stat_glob(prog, f->any_glob))
				return true;
		} else {
			if (f->file_glob && !stat_glob(file, f->file_glob))
				continue;
			if (f->prog_glob && prog && !stat_glob(prog, f->prog_glob))
				continue;
			return true;
		}
	}
	return allow_cnt == 0;
}

static bool op_matches(enum filter_op op, double v, double want)
{
	const double eps = 1e-9;
	switch (op) {
	case OP_EQ: return v > want - eps && v < want + eps;
	case OP_NEQ: return v < want - eps || v > want + eps;
	case OP_LT: return v < want - eps;
	case OP_LE: return v <= want + eps;
	case OP_GT: return v > want + eps;
	case OP_GE: return v >= want - eps;
	}
	return false;
}

static bool want_by_stats(const struct stat_filters *fs, const void *obj, bool join)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct stat_filter *list = pass ? fs->allow : fs->deny;
		int n = pass ? fs->allow_cnt : fs->deny_cnt, allow_cnt = 0;
		for (int i = 0; i < n; i++) {
			const struct stat_filter *f = &list[i];
			if (f->kind != FILTER_STAT)
				continue;
			double v;
			const char *str = NULL;
			if (join) {
				stat_join_value(obj, f->id, f->var, f->abs, &str, &v);
			} else {
				long lv = ((const struct stat_row *)obj)->stats[f->id];
				v = (double)(f->abs && lv < 0 ? -lv : lv);
			}
			bool m = op_matches(f->op, v, (double)f->value);
			if (!pass && m)
				return false;
			allow_cnt++;
			if (pass && m)
				return true;
		}
		if (pass)
			return allow_cnt == 0;
	}
	return true;
}

bool stat_want_row(const struct stat_filters *f, const struct stat_row *r)
{
	return want_by_stats(f, r, false);
}

bool stat_want_join(const struct stat_filters *f, const struct stat_join *j)
{
	return want_by_stats(f, j, true);
}

/* ------------------------------------------------------------- values */

void stat_value(const struct stat_row *r, enum stat_id id, const char **str, long *val)
{
	*str = NULL;
	*val = 0;
	switch (id) {
	case ST_FILE_NAME:
		*str = r ? r->file_name : "N/A";
		break;
	case ST_PROG_NAME:
		*str = r ? r->prog_name : "N/A";
		break;
	case ST_VERDICT:
		*str = !r ? "N/A" : r->stats[ST_VERDICT] ? "success" : "failure";
		break;
	case ST_PROG_TYPE:
		*str = r ? sv_prog_type_str((int)r->stats[id]) : "N/A";
		break;
	case ST_ATTACH_TYPE:
		*str = r ? sv_attach_type_str((int)r->stats[id]) : "N/A";
		break;
	default:
		*val = r ? r->stats[id] : 0;
		break;
	}
}

void stat_join_value(const struct stat_join *j, enum stat_id id, enum stat_variant var, bool abs_val,
		     const char **str, double *val)
{
	*str = NULL;
	*val = 0;
	if (id == ST_FILE_NAME) {
		*str = j->file_name;
		return;
	}
	if (id == ST_PROG_NAME) {
		*str = j->prog_name;
		return;
	}
	long v1 = j->a ? j->a->stats[id] : 0, v2 = j->b ? j->b->stats[id] : 0;
	switch (var) {
	case VAR_A:
		*val = j->a ? (double)v1 : -DBL_MAX;
		break;
	case VAR_B:
		*val = j->b ? (double)v2 : -DBL_MAX;
		break;
	case VAR_DIFF:
		if (!j->a || !j->b)
			*val = -DBL_MAX;
		else if (id == ST_VERDICT)
			*val = v1 == v2 ? 1.0 : 0.0;   /* MATCH : MISMATCH */
		else
			*val = (double)(v2 - v1);
		break;
	case VAR_PCT:
		if (!j->a || !j->b)
			*val = -DBL_MAX;
		else if (v1 == 0)
			*val = v1 == v2 ? 0.0 : v2 < v1 ? -100.0 : 100.0;
		else
			*val = (double)(v2 - v1) * 100.0 / (double)v1;
		break;
	}
	if (abs_val && *val != -DBL_MAX)
		*val = fabs(*val);
}

int stat_parse_value(const char *s, enum stat_id id, struct stat_row *r)
{
	int t;
	switch (id) {
	case ST_FILE_NAME:
		free(r->file_name);
		return (r->file_name = strdup(s)) ? 0 : -ENOMEM;
	case ST_PROG_NAME:
		free(r->prog_name);
		return (r->prog_name = strdup(s)) ? 0 : -ENOMEM;
	case ST_VERDICT:
		if (strcmp(s, "success") && strcmp(s, "failure")) {
			fprintf(stderr, "Unrecognized verification verdict '%s'\n", s);
			return -EINVAL;
		}
		r->stats[id] = strcmp(s, "success") == 0;
		return 0;
	case ST_PROG_TYPE:
	case ST_ATTACH_TYPE:
		t = id == ST_PROG_TYPE ? sv_prog_type_parse(s) : sv_attach_type_parse(s);
		if (t < 0) {
			fprintf(stderr, "Unrecognized %s '%s'\n", id == ST_PROG_TYPE ? "prog type" : "attach type", s);
			return -EINVAL;
		}
		r->stats[id] = t;
		return 0;
	default: {
		char *end;
		errno = 0;
		long v = strtol(s, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno || end == s || *end) {
			fprintf(stderr, "Failed to parse '%s' as integer\n", s);
			return -EINVAL;
		}
		r->stats[id] = v;
		return 0;
	}
	}
}

void stat_rows_free(struct stat_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].file_name);
		free(rows[i].prog_name);
		free(rows[i].log);
	}
	free(rows);
}

/* -------------------------------------------------------------- sorting */

typedef int (*cmp_fn)(const void *x, const void *y, const struct stat_specs *spec);

/* stable merge sort with a context (qsort has none in C11) */
static int msort(void *base, size_t n, size_t sz, cmp_fn cmp, const struct stat_specs *spec)
{
	char *a = base, *tmp = malloc(n * sz);
	if (!tmp)
		return -ENOMEM;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				memcpy(tmp + k++ * sz, cmp(a + j * sz, a + i * sz, spec) < 0 ? a + j++ * sz : a + i++ * sz,
				       sz);
			while (i < mid)
				memcpy(tmp + k++ * sz, a + i++ * sz, sz);
			while (j < hi)
				memcpy(tmp + k++ * sz, a + j++ * sz, sz);
		}
		memcpy(a, tmp, n * sz);
	}
	free(tmp);
	return 0;
}

static int cmp_rows(const void *x, const void *y, const struct stat_specs *spec)
{
	const struct stat_row *a = x, *b = y;
	for (int i = 0; i < spec->cnt; i++) {
		enum stat_id id = spec->ids[i];
		int c;
		if (id == ST_FILE_NAME) {
			c = strcmp(a->file_name, b->file_name);
		} else if (id == ST_PROG_NAME) {
			c = strcmp(a->prog_name, b->prog_name);
		} else {
			long v1 = a->stats[id], v2 = b->stats[id];
			if (spec->abs[i]) {
				v1 = v1 < 0 ? -v1 : v1;
				v2 = v2 < 0 ? -v2 : v2;
			}
			c = v1 == v2 ? 0 : v1 < v2 ? -1 : 1;
		}
		if (c)
			return spec->asc[i] ? c : -c;
	}
	/* file + program are unique */
	int c = strcmp(a->file_name, b->file_name);
	return c ? c : strcmp(a->prog_name, b->prog_name);
}

int stat_sort_rows(struct stat_row *rows, size_t n, const struct stat_specs *sort)
{
	return msort(rows, n, sizeof(*rows), cmp_rows, sort);
}

static int cmp_joins(const void *x, const void *y, const struct stat_specs *spec)
{
	const struct stat_join *a = x, *b = y;
	for (int i = 0; i < spec->cnt; i++) {
		const char *s1, *s2;
		double v1, v2;
		stat_join_value(a, spec->ids[i], spec->variants[i], spec->abs[i], &s1, &v1);
		stat_join_value(b, spec->ids[i], spec->variants[i], spec->abs[i], &s2, &v2);
		int c = s1 ? strcmp(s1, s2) : v1 == v2 ? 0 : v1 < v2 ? -1 : 1;
		if (c)
			return spec->asc[i] ? c : -c;
	}
	int c = strcmp(a->file_name, b->file_name);
	return c ? c : strcmp(a->prog_name, b->prog_name);
}

int stat_sort_joins(struct stat_join *j, size_t n, const struct stat_specs *sort)
{
	return msort(j, n, sizeof(*j), cmp_joins, sort);
}
