/* stat.h - what `stackbpf verify` and `stackbpf stat` share: verifying one
 * program of an object (or a raw program) into a log and a row of veristat
 * statistics, and the veristat model itself (stat names, specs, filters,
 * rows, output formats) used by cmd_stat.c and the stat_*.c files. */
#ifndef SBPF_STAT_H
#define SBPF_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tools/cli.h"

/* ------------------------------------------------ verifying (stat_run.c) */

/* the log of one verification, one line per entry */
struct sv_log {
	char **v;
	size_t n, cap;
	bool oom;
};
void sv_log_collect(void *ctx, int level, const char *msg);   /* a stackbpf_log_fn */
void sv_log_free(struct sv_log *l);
/* the error: the last line before the statistics lines, "" if none */
const char *sv_log_error(const struct sv_log *l);

/* "\177ELF" at the start of the file */
bool sv_is_elf(const char *path);
/* a host with the example functions and, for objects, the Linux helpers;
 * NULL (message printed) when out of memory */
struct stackbpf_host *sv_host_new(bool linux_helpers);
/* open an object (messages on stderr); NULL on failure */
struct stackbpf_object *sv_object_open(const char *path, const struct stackbpf_host *host);

/* libbpf's names: "xdp", "socket_filter", ...; "unspec" for raw programs */
const char *sv_prog_type_str(int type);
int sv_prog_type_parse(const char *s);                 /* -1 if unknown */
/* the expected attach type libbpf gives a section, as libbpf prints it
 * ("cgroup_inet_ingress" = 0 for most sections, "xdp", "trace_fentry", ..) */
int sv_attach_type_of(const char *section);
const char *sv_attach_type_str(int id);
int sv_attach_type_parse(const char *s);               /* -1 if unknown */

struct sv_target {
	const struct stackbpf_host *host;
	int prog_type;                       /* enum stackbpf_prog_type */
	const struct stackbpf_line *lines;   /* source lines, may be NULL */
	size_t line_cnt;
	int log_level;                       /* 0: no log */
	bool strict;
	uint32_t mem_size;                   /* raw programs */
	bool strict_alignment;               /* verify --strict-alignment (BPF_F_STRICT_ALIGNMENT) */
};
/* Verify; the log goes to `log` (may be NULL). Returns what
 * stackbpf_prog__verify returned; -ENOMEM also when the log ran out. */
int sv_verify(const struct stackbpf_prog *prog, const struct sv_target *t, struct sv_log *log,
	      struct stackbpf_verify_stats *st);

/* The BTF true-signature diagnosis (stackbpf_program__btf_hint) of a
 * rejection (`reject_msg` its last log line) or, with reject_msg NULL, of any
 * prototype mismatch among the program's functions: printed on stderr as
 * "stackbpf: PATH: PROG: hint: ..." (or "warning:"); true when printed. */
bool sv_print_btf_hint(const struct stackbpf_object *obj, const struct stackbpf_program *prog, const char *path,
		       const char *reject_msg, const char *label);

/* ------------------------------------------- the veristat model (stat_spec.c) */

enum stat_id {
	ST_VERDICT,
	ST_DURATION,
	ST_TOTAL_INSNS,
	ST_TOTAL_STATES,
	ST_PEAK_STATES,
	ST_MAX_STATES_PER_INSN,
	ST_MARK_READ,
	ST_SIZE,
	ST_JITED_SIZE,
	ST_STACK,
	ST_PROG_TYPE,
	ST_ATTACH_TYPE,
	ST_MEM_PEAK,
	ST_FILE_NAME,
	ST_PROG_NAME,
	ST_ALL_CNT,
	ST_NUM_CNT = ST_FILE_NAME,
};

enum stat_variant { VAR_A, VAR_B, VAR_DIFF, VAR_PCT };

struct stat_def {
	const char *header;
	const char *names[4];                /* names[0]: the CSV column */
	bool asc_by_default;
	bool left_aligned;                   /* header alignment in tables */
	bool is_str;                         /* printed as a string */
};
extern const struct stat_def stat_defs[ST_ALL_CNT];

struct stat_specs {
	int cnt;
	enum stat_id ids[ST_ALL_CNT * 2];
	enum stat_variant variants[ST_ALL_CNT * 2];
	bool asc[ST_ALL_CNT * 2];
	bool abs[ST_ALL_CNT * 2];            /* |stat| */
	int lens[ST_ALL_CNT * 2 * 3];        /* column widths (3 per stat in compare mode) */
};
extern const struct stat_specs stat_default_table_spec, stat_default_csv_spec, stat_default_sort_spec;

/* one program's statistics (a row) */
struct stat_row {
	char *file_name, *prog_name;
	long stats[ST_NUM_CNT];
	char *log;                           /* -v: the verifier log, else NULL */
};

/* a compare-mode row: A (base) and B (comparison), either may be NULL */
struct stat_join {
	const char *file_name, *prog_name;
	const struct stat_row *a, *b;
};

enum filter_kind { FILTER_NAME, FILTER_STAT };
enum filter_op { OP_EQ, OP_NEQ, OP_LT, OP_LE, OP_GT, OP_GE };
struct stat_filter {
	enum filter_kind kind;
	char *any_glob, *file_glob, *prog_glob;      /* FILTER_NAME */
	enum filter_op op;                           /* FILTER_STAT */
	enum stat_id id;
	enum stat_variant var;
	bool abs;
	long value;
};
struct stat_filters {
	struct stat_filter *allow, *deny;
	int allow_cnt, deny_cnt;
};

/* "insns", "insns_diff", "|insns_pct|", "states^": add to specs; 0, or
 * -ESRCH with "Unrecognized stat name 'x'" printed */
int stat_parse_specs(const char *list, struct stat_specs *specs);
int stat_parse_spec(const char *name, struct stat_specs *specs);
/* -f EXPR (or @FILE): 0 or a negative errno, message printed */
int stat_add_filter(struct stat_filters *f, const char *expr);
void stat_filters_free(struct stat_filters *f);
bool stat_glob(const char *str, const char *pat);
/* name filters, prog_name NULL before the object is opened */
bool stat_want_file_prog(const struct stat_filters *f, const char *file, const char *prog);
bool stat_want_row(const struct stat_filters *f, const struct stat_row *r);
bool stat_want_join(const struct stat_filters *f, const struct stat_join *j);
/* stable sorts by the spec, then file and program; 0 or -ENOMEM */
int stat_sort_rows(struct stat_row *rows, size_t n, const struct stat_specs *sort);
int stat_sort_joins(struct stat_join *j, size_t n, const struct stat_specs *sort);
/* the value of a stat for tables and CSV: a string or a number */
void stat_value(const struct stat_row *r, enum stat_id id, const char **str, long *val);
/* a join's value for sorting and filtering (veristat's doubles) */
void stat_join_value(const struct stat_join *j, enum stat_id id, enum stat_variant var, bool abs,
		     const char **str, double *val);
/* parse one CSV cell into a row; 0 or -EINVAL (message printed) */
int stat_parse_value(const char *s, enum stat_id id, struct stat_row *r);
void stat_rows_free(struct stat_row *rows, size_t n);

/* ------------------------------------------------------ output (stat_out.c) */

enum stat_fmt { FMT_TABLE, FMT_CSV, FMT_MD };

struct stat_counts {
	int files_processed, files_skipped, progs_processed, progs_skipped;
};

/* verification and replay: a table (with the closing "Done." line when
 * `counts` is given) or CSV; at most `limit` rows (0: all) */
void stat_print_rows(FILE *out, const struct stat_row *rows, size_t n, const struct stat_filters *f,
		     struct stat_specs *spec, enum stat_fmt fmt, const struct stat_counts *counts, size_t limit);
/* compare mode: table or CSV */
void stat_print_joins(FILE *out, const struct stat_join *j, size_t n, const struct stat_filters *f,
		      struct stat_specs *spec, enum stat_fmt fmt, size_t limit);
/* compare mode, BPF CI markdown summary; returns true when there are new failures */
bool stat_print_md(FILE *out, const struct stat_join *j, size_t n, const struct stat_filters *f);
/* read a CSV written by `stat -o csv` (or veristat); 0 or negative errno, message printed */
int stat_read_csv(const char *path, const struct stat_filters *f, struct stat_row **rows, size_t *n,
		  struct stat_specs *specs);
/* -S N: the N most frequent source lines of a log */
void stat_print_top_src_lines(FILE *out, const char *prog_name, const char *log, int n);

#endif
