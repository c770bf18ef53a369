/* source.c - comment removal, statement splitting, positions and dialect
 * detection for the assembler (see source.h). */
#include "text/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sbpf_source_init(struct sbpf_source *src, const char *text, size_t len)
{
	memset(src, 0, sizeof(*src));
	src->text = malloc(len + 1);
	if (!src->text)
		return -ENOMEM;
	memcpy(src->text, text, len);
	src->text[len] = '\0';
	src->len = len;
	char *t = src->text;
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			size_t j = i + 2;
			while (j + 1 < len && !(t[j] == '*' && t[j + 1] == '/'))
				j++;
			int closed = j + 1 < len;
			if (!closed) {
				src->open_comment = t + i;
				j = len;
			} else {
				j += 2;
			}
			for (size_t k = i; k < j; k++)
				if (t[k] != '\n')
					t[k] = ' ';
			if (!closed)
				break;
			i = j - 1;
		} else if ((t[i] == '/' && i + 1 < len && t[i + 1] == '/') ||
			   (t[i] == '#' && (i == 0 || t[i - 1] == '\n' || sbpf_is_space(t[i - 1])))) {
			/* `#` after a word is part of it: `call bpf_map_lookup_elem#1` */
			while (i < len && t[i] != '\n')
				t[i++] = ' ';
		}
	}
	return 0;
}

void sbpf_source_free(struct sbpf_source *src)
{
	free(src->text);
	src->text = NULL;
}

int sbpf_source_next(const struct sbpf_source *src, struct sbpf_cursor *cur, const char **s, const char **e)
{
	if (cur->pos > src->len || (cur->pos == src->len && src->len > 0 &&
				    src->text[src->len - 1] == '\n'))
		return 0;
	if (cur->pos == src->len && src->len == 0)
		return 0;
	const char *p = src->text + cur->pos, *end = src->text + src->len;
	const char *q = p;
	while (q < end && *q != '\n' && *q != ';')
		q++;
	*s = p;
	*e = q;
	cur->pos = (size_t)(q - src->text) + 1;
	return 1;
}

void sbpf_source_where(const struct sbpf_source *src, const char *pos, int *line, int *col)
{
	int ln = 1;
	const char *ls = src->text;
	for (const char *p = src->text; p < pos && p < src->text + src->len; p++)
		if (*p == '\n') {
			ln++;
			ls = p + 1;
		}
	*line = ln;
	*col = (int)(pos - ls) + 1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Does the statement at `s` (up to the end of its line) start with a mnemonic
 * only bpf_conformance syntax has (`ja label`, `mov ...`), with no `=` after it?
 * `exit`, `call`, `lock`, `may_goto` and `gotol` read the same in LLVM syntax. */
static int conf_only_statement(const char *s, const char *end)
{
	const char *w = s;
	while (w < end && sbpf_is_ident(*w))
		w++;
	size_t n = (size_t)(w - s);
	if (n == 0 || w == end || !sbpf_is_space(*w) || memchr(w, '=', (size_t)(end - w)))
		return 0;
	for (int f = 0; f < SBPF_NFORMS; f++) {
		const char *conf = sbpf_opinfo[f].conf, *tok = sbpf_opinfo[f].tok;
		size_t cn = strcspn(conf, " ");
		if (cn == n && memcmp(conf, s, n) == 0)
			return strncmp(tok, s, n) != 0 || tok[n] != '\0';
	}
	return 0;
}

enum sbpf_dialect sbpf_source_detect(const struct sbpf_source *src)
{
	const char *t = src->text;
	size_t n = src->len;
	int kernel = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '%' && i + 2 < n && t[i + 1] == 'r' && is_digit(t[i + 2]))
			return D_CONF;
		int word_start = i == 0 || !sbpf_is_ident(t[i - 1]);
		/* goto pc+2, call pc-3 */
		if (word_start && i + 3 < n && t[i] == 'p' && t[i + 1] == 'c' && (t[i + 2] == '+' || t[i + 2] == '-') &&
		    is_digit(t[i + 3]))
			kernel = 1;
		/* (r1 +8): a sign glued to the offset after a space */
		if (t[i] == '(' && i + 1 < n && t[i + 1] == 'r') {
			size_t j = i + 2;
			while (j < n && is_digit(t[j]))
				j++;
			if (j + 2 < n && j > i + 2 && t[j] == ' ' && (t[j + 1] == '+' || t[j + 1] == '-') &&
			    is_digit(t[j + 2]))
				kernel = 1;
		}
		/* ja label, mov r0, 1: a conformance-only mnemonic opening a line */
		if (i == 0 || t[i - 1] == '\n') {
			size_t j = i;
			while (j < n && sbpf_is_space(t[j]) && t[j] != '\n')
				j++;
			const char *eol = memchr(t + j, '\n', n - j);
			if (conf_only_statement(t + j, eol ? eol : t + n))
				return D_CONF;
		}
		/* 0: (79) ... at the start of a line */
		if ((i == 0 || t[i - 1] == '\n') && is_digit(t[i])) {
			size_t j = i;
			while (j < n && is_digit(t[j]))
				j++;
			if (j + 2 < n && t[j] == ':' && t[j + 1] == ' ' && t[j + 2] == '(')
				kernel = 1;
		}
	}
	return kernel ? D_KERNEL : D_LLVM;
}
