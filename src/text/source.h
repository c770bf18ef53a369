/* source.h - the assembler's view of its input text: comments blanked out,
 * statements (lines split at ';'), positions turned into line:column, and
 * the guess of which dialect a file is written in. */
#ifndef SBPF_SOURCE_H
#define SBPF_SOURCE_H

#include <stddef.h>
#include "text/text.h"

struct sbpf_source {
	char *text;                /* copy of the input, comments replaced by spaces */
	size_t len;
	const char *open_comment;  /* start of an unterminated block comment, or NULL */
};

struct sbpf_cursor {
	size_t pos;
};

/* Copies and cleans the text. Returns 0 or -ENOMEM. */
int sbpf_source_init(struct sbpf_source *src, const char *text, size_t len);
void sbpf_source_free(struct sbpf_source *src);

/* Next statement [*s, *e) (may be blank); returns 0 at the end. */
int sbpf_source_next(const struct sbpf_source *src, struct sbpf_cursor *cur, const char **s, const char **e);

/* 1-based line and column of a position inside src->text. */
void sbpf_source_where(const struct sbpf_source *src, const char *pos, int *line, int *col);

/* `%r` registers -> conformance; `pc+N`, `(r1 +8)` or "N: (hh)" lines -> kernel;
 * anything else -> LLVM. */
enum sbpf_dialect sbpf_source_detect(const struct sbpf_source *src);

#endif
