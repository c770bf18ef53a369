/* stat_out.c - what `stackbpf stat` prints, in veristat's layouts: the table
 * (two-space gaps, '-' underlines, strings left and numbers right), CSV, the
 * compare-mode table/CSV (A, B, DIFF columns), the BPF CI markdown summary,
 * reading CSV back (-C, -R), and the most frequent source lines (-S). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/stat.h"

#define COLUMN_SEP "  "

static void underline(FILE *out, const int *lens, int n)
{
	for (int i = 0; i < n; i++) {
		fputs(i ? COLUMN_SEP : "", out);
		for (int k = 0; k < lens[i]; k++)
			fputc('-', out);
	}
	fputc('\n', out);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* ------------------------------------------------- verification / replay */

static void print_row(FILE *out, const struct stat_row *r, const struct stat_specs *spec, enum stat_fmt fmt)
{
	for (int i = 0; i < spec->cnt; i++) {
		const char *str;
		long val;
		stat_value(r, spec->ids[i], &str, &val);
		if (fmt == FMT_CSV) {
			if (str)
				fprintf(out, "%s%s", i ? "," : "", str);
			else
				fprintf(out, "%s%ld", i ? "," : "", val);
		} else if (str) {
			fprintf(out, "%s%-*s", i ? COLUMN_SEP : "", spec->lens[i], str);
		} else {
			fprintf(out, "%s%*ld", i ? COLUMN_SEP : "", spec->lens[i], val);
		}
	}
	fputc('\n', out);
}

void stat_print_rows(FILE *out, const struct stat_row *rows, size_t n, const struct stat_filters *f,
		     struct stat_specs *spec, enum stat_fmt fmt, const struct stat_counts *counts, size_t limit)
{
	size_t shown = 0;
	for (int i = 0; i < spec->cnt; i++)
		spec->lens[i] = (int)strlen(stat_defs[spec->ids[i]].header);
	for (size_t k = 0; k < n && (!limit || shown < limit); k++) {
		if (!stat_want_row(f, &rows[k]))
			continue;
		shown++;
		for (int i = 0; i < spec->cnt; i++) {
			const char *str;
			long val;
			char buf[32];
			stat_value(&rows[k], spec->ids[i], &str, &val);
			if (!str)
				snprintf(buf, sizeof(buf), "%ld", val);
			spec->lens[i] = max_int(spec->lens[i], (int)strlen(str ? str : buf));
		}
	}
	/* header */
	for (int i = 0; i < spec->cnt; i++) {
		const struct stat_def *d = &stat_defs[spec->ids[i]];
		if (fmt == FMT_CSV)
			fprintf(out, "%s%s", i ? "," : "", d->names[0]);
		else
			fprintf(out, d->left_aligned ? "%s%-*s" : "%s%*s", i ? COLUMN_SEP : "", spec->lens[i], d->header);
	}
	fputc('\n', out);
	if (fmt == FMT_TABLE)
		underline(out, spec->lens, spec->cnt);
	shown = 0;
	for (size_t k = 0; k < n && (!limit || shown < limit); k++) {
		if (!stat_want_row(f, &rows[k]))
			continue;
		shown++;
		print_row(out, &rows[k], spec, fmt);
	}
	if (fmt != FMT_TABLE)
		return;
	underline(out, spec->lens, spec->cnt);
	/* upstream veristat passes these in the wrong order (files processed,
	 * files skipped, programs processed, programs skipped); fixed here */
	if (counts)
		fprintf(out, "Done. Processed %d files, %d programs. Skipped %d files, %d programs.\n",
			counts->files_processed, counts->progs_processed, counts->files_skipped, counts->progs_skipped);
}

/* ------------------------------------------------------------- compare */

static bool is_key(enum stat_id id)
{
	return id == ST_FILE_NAME || id == ST_PROG_NAME;
}

/* the three cells of stat `id` for a joined row; *is_str: left-aligned */
static void join_cells(const struct stat_join *j, enum stat_id id, char cells[3][256], bool *is_str)
{
	const char *sa, *sb;
	long va, vb;
	stat_value(j->a, id, &sa, &va);
	stat_value(j->b, id, &sb, &vb);
	cells[1][0] = cells[2][0] = '\0';
	*is_str = sa != NULL;
	if (is_key(id)) {
		snprintf(cells[0], 256, "%s", id == ST_FILE_NAME ? j->file_name : j->prog_name);
	} else if (sa) {
		snprintf(cells[0], 256, "%s", sa);
		snprintf(cells[1], 256, "%s", sb);
		snprintf(cells[2], 256, "%s", !j->a || !j->b ? "N/A" : strcmp(sa, sb) == 0 ? "MATCH" : "MISMATCH");
	} else {
		if (j->a)
			snprintf(cells[0], 256, "%ld", va);
		else
			snprintf(cells[0], 256, "N/A");
		if (j->b)
			snprintf(cells[1], 256, "%ld", vb);
		else
			snprintf(cells[1], 256, "N/A");
		if (!j->a || !j->b) {
			snprintf(cells[2], 256, "N/A");
		} else {
			long diff = vb - va;
			double p = va == 0 ? (vb == va ? 0.0 : vb < va ? -100.0 : 100.0) : (double)diff * 100.0 / (double)va;
			snprintf(cells[2], 256, "%+ld (%+.2lf%%)", diff, p);
		}
	}
}

static void comp_underline(FILE *out, const struct stat_specs *spec)
{
	for (int i = 0; i < spec->cnt; i++)
		for (int c = 0; c < (is_key(spec->ids[i]) ? 1 : 3); c++) {
			fputs(i + c ? COLUMN_SEP : "", out);
			for (int k = 0; k < spec->lens[3 * i + c]; k++)
				fputc('-', out);
		}
	fputc('\n', out);
}

void stat_print_joins(FILE *out, const struct stat_join *j, size_t n, const struct stat_filters *f,
		      struct stat_specs *spec, enum stat_fmt fmt, size_t limit)
{
	static const char *const table_sfx[3] = { " (A)", " (B)", " (DIFF)" };
	static const char *const csv_sfx[3] = { "_base", "_comp", "_diff" };
	char cells[3][256];
	bool is_str;
	size_t shown = 0;
	for (int i = 0; i < spec->cnt; i++)
		for (int c = 0; c < 3; c++)
			spec->lens[3 * i + c] = (int)strlen(stat_defs[spec->ids[i]].header) +
						(is_key(spec->ids[i]) ? 0 : (int)strlen(table_sfx[c]));
	for (size_t k = 0; k < n && (!limit || shown < limit); k++) {
		if (!stat_want_join(f, &j[k]))
			continue;
		shown++;
		for (int i = 0; i < spec->cnt; i++) {
			join_cells(&j[k], spec->ids[i], cells, &is_str);
			for (int c = 0; c < 3; c++)
				spec->lens[3 * i + c] = max_int(spec->lens[3 * i + c], (int)strlen(cells[c]));
		}
	}
	for (int i = 0; i < spec->cnt; i++) {
		const struct stat_def *d = &stat_defs[spec->ids[i]];
		for (int c = 0; c < (is_key(spec->ids[i]) ? 1 : 3); c++) {
			const char *sfx = is_key(spec->ids[i]) ? "" : fmt == FMT_CSV ? csv_sfx[c] : table_sfx[c];
			if (fmt == FMT_CSV)
				fprintf(out, "%s%s%s", i + c ? "," : "", d->names[0], sfx);
			else   /* the label is padded before the suffix: "Insns  (DIFF)" */
				fprintf(out, "%s%-*s%s", i + c ? COLUMN_SEP : "",
					spec->lens[3 * i + c] - (int)strlen(sfx), d->header, sfx);
		}
	}
	fputc('\n', out);
	if (fmt == FMT_TABLE)
		comp_underline(out, spec);
	shown = 0;
	for (size_t k = 0; k < n && (!limit || shown < limit); k++) {
		if (!stat_want_join(f, &j[k]))
			continue;
		shown++;
		for (int i = 0; i < spec->cnt; i++) {
			join_cells(&j[k], spec->ids[i], cells, &is_str);
			for (int c = 0; c < (is_key(spec->ids[i]) ? 1 : 3); c++) {
				if (fmt == FMT_CSV)
					fprintf(out, "%s%s", i + c ? "," : "", cells[c]);
				else
					fprintf(out, is_str ? "%s%-*s" : "%s%*s", i + c ? COLUMN_SEP : "",
						spec->lens[3 * i + c], cells[c]);
			}
		}
		fputc('\n', out);
	}
	if (fmt == FMT_TABLE)
		comp_underline(out, spec);
}

/* ------------------------------------------------------------ markdown */

/* One row of the BPF CI summary (.github/scripts/veristat_compare.py): shown
 * when the verdicts differ or the states changed; NULL cells when not. */
struct md_row {
	const char *file, *prog;
	char verdict[64], diff[32];
};

bool stat_print_md(FILE *out, const struct stat_join *j, size_t n, const struct stat_filters *f)
{
	static const char *const headers[4] = { "File", "Program", "Verdict", "States Diff (%)" };
	struct md_row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t nrows = 0;
	bool changes = false, new_failures = false;
	int w[4];
	for (int c = 0; c < 4; c++)
		w[c] = (int)strlen(headers[c]);
	for (size_t k = 0; rows && k < n; k++) {
		if (!stat_want_join(f, &j[k]) || !j[k].a || !j[k].b)   /* new and removed programs are ignored */
			continue;
		struct md_row *r = &rows[nrows];
		bool add = false, va = j[k].a->stats[ST_VERDICT], vb = j[k].b->stats[ST_VERDICT];
		if (va != vb) {
			changes = add = true;
			snprintf(r->verdict, sizeof(r->verdict), "%s -> %s%s", va ? "success" : "failure",
				 vb ? "success" : "failure", vb ? "" : " (!!)");
			new_failures |= !vb;
		} else {
			snprintf(r->verdict, sizeof(r->verdict), "%s", vb ? "success" : "failure");
		}
		/* the script parses veristat's "+1 (+50.00%)": the percentage
		 * rounded to two places decides */
		long sa = j[k].a->stats[ST_TOTAL_STATES], sb = j[k].b->stats[ST_TOTAL_STATES];
		double p = sa == 0 ? (sb == sa ? 0.0 : sb < sa ? -100.0 : 100.0) : (double)(sb - sa) * 100.0 / (double)sa;
		char pct[32];
		snprintf(pct, sizeof(pct), "%.2f", p);
		p = strtod(pct, NULL);
		if (p > 0 || p < 0)
			changes = add = true;
		if (!add)
			continue;
		snprintf(r->diff, sizeof(r->diff), "%+.2f %%", p);
		r->file = j[k].file_name;
		r->prog = j[k].prog_name;
		const char *cells[4] = { r->file, r->prog, r->verdict, r->diff };
		for (int c = 0; c < 4; c++)
			w[c] = max_int(w[c], (int)strlen(cells[c]));
		nrows++;
	}
	fprintf(out, "# %s\n",
		new_failures ? "There are new veristat failures"
		: changes    ? "There are changes in verification performance"
			     : "No changes in verification performance");
	if (nrows) {
		fputc('\n', out);
		for (size_t k = 0; k <= nrows + 1; k++) {
			for (int c = 0; c < 4; c++) {
				const char *cell = "";
				if (k == 0)
					cell = headers[c];
				else if (k > 1)
					cell = c == 0 ? rows[k - 2].file : c == 1 ? rows[k - 2].prog
								  : c == 2 ? rows[k - 2].verdict : rows[k - 2].diff;
				fputc('|', out);
				if (k == 1)
					for (int x = 0; x < w[c]; x++)
						fputc('-', out);
				else
					fprintf(out, "%-*s", w[c], cell);
			}
			fputs("|\n", out);
		}
	}
	free(rows);
	return new_failures;
}

/* ----------------------------------------------------------- CSV input */

int stat_read_csv(const char *path, const struct stat_filters *f, struct stat_row **rowsp, size_t *np,
		  struct stat_specs *specs)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		int err = -errno;
		fprintf(stderr, "Failed to open '%s': %d\n", path, err);
		return err;
	}
	char line[4096];
	struct stat_row *rows = NULL;
	size_t n = 0;
	int err = 0, rowno = 0;
	bool header = true;
	while (!err && fgets(line, sizeof(line), in)) {
		if (line[0] == '\n' || line[0] == '\0')
			continue;
		char *save = NULL, *tok;
		int col = 0;
		struct stat_row *r = NULL;
		if (!header) {
			struct stat_row *tmp = realloc(rows, (n + 1) * sizeof(*rows));
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			rows = tmp;
			r = &rows[n++];
			memset(r, 0, sizeof(*r));
			rowno++;
		}
		for (char *s = line; !err && (tok = strtok_r(s, ",\r\n", &save)); s = NULL) {
			if (header) {
				err = stat_parse_spec(tok, specs);
				continue;
			}
			if (col >= specs->cnt) {
				fprintf(stderr, "Found extraneous column #%d in row #%d of '%s'\n", col, rowno, path);
				err = -EINVAL;
				break;
			}
			err = stat_parse_value(tok, specs->ids[col++], r);
		}
		if (err)
			break;
		if (header) {
			header = false;
			continue;
		}
		if (col < specs->cnt) {
			fprintf(stderr, "Not enough columns in row #%d in '%s'\n", rowno, path);
			err = -EINVAL;
		} else if (!r->file_name || !r->prog_name) {
			fprintf(stderr, "Row #%d in '%s' is missing file and/or program name\n", rowno, path);
			err = -EINVAL;
		} else if (!stat_want_file_prog(f, r->file_name, r->prog_name)) {
			free(r->file_name);
			free(r->prog_name);
			n--;
		}
	}
	if (!err && header) {
		fprintf(stderr, "No header line in '%s'\n", path);
		err = -EINVAL;
	}
	if (!err && ferror(in)) {
		err = -EIO;
		fprintf(stderr, "Failed I/O for '%s': %d\n", path, err);
	}
	fclose(in);
	if (err) {
		stat_rows_free(rows, n);
		return err;
	}
	*rowsp = rows;
	*np = n;
	return 0;
}

/* ------------------------------------------------------ top source lines */

struct src_count {
	const char *line;
	int cnt;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_count(const void *a, const void *b)
{
	const struct src_count *x = a, *y = b;
	return x->cnt != y->cnt ? y->cnt - x->cnt : strcmp(x->line, y->line);
}

void stat_print_top_src_lines(FILE *out, const char *prog_name, const char *log, int top)
{
	size_t n = 0, cap = 0;
	char *copy = strdup(log ? log : ""), *save = NULL, *l;
	const char **lines = NULL;
	for (char *s = copy; copy && (l = strtok_r(s, "\n", &save)); s = NULL) {
		if (strncmp(l, "; ", 2) != 0)
			continue;
		if (n == cap) {
			const char **tmp = realloc(lines, (cap = cap ? cap * 2 : 16) * sizeof(*lines));
			if (!tmp)
				break;
			lines = tmp;
		}
		lines[n++] = l + 2;
	}
	struct src_count *freq = n ? calloc(n, sizeof(*freq)) : NULL;
	if (freq) {
		qsort(lines, n, sizeof(*lines), cmp_str);
		size_t u = 0;
		for (size_t i = 0; i < n; i++) {
			if (!u || strcmp(lines[i], freq[u - 1].line))
				freq[u++].line = lines[i];
			freq[u - 1].cnt++;
		}
		qsort(freq, u, sizeof(*freq), cmp_count);
		fprintf(out, "Top source lines (%s):\n", prog_name);
		for (size_t i = 0; i < u && i < (size_t)top; i++) {
			/* "src @ file:line": "(file:line)\tsrc " as veristat */
			const char *at = strrchr(freq[i].line, '@');
			if (at) {
				const char *where = at + 1;
				while (*where == ' ')
					where++;
				fprintf(out, "%5d: (%s)\t%.*s\n", freq[i].cnt, where, (int)(at - freq[i].line), freq[i].line);
			} else {
				fprintf(out, "%5d: %s\n", freq[i].cnt, freq[i].line);
			}
		}
		fputc('\n', out);
	}
	free(freq);
	free(lines);
	free(copy);
}
