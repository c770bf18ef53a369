/* cli.c - shared plumbing of the subcommands (see cli.h). */
#include "tools/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("stackbpf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_log_stderr(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "%s\n", msg);
}

int cli_read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		int err = errno;
		cli_error("cannot open '%s': %s", path, strerror(err));
		return -err;
	}
	size_t cap = 4096, n = 0;
	char *data = malloc(cap + 1);
	while (data) {
		size_t got = fread(data + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *bigger = realloc(data, cap * 2 + 1);
		if (!bigger) {
			free(data);
			data = NULL;
			break;
		}
		data = bigger;
		cap *= 2;
	}
	int failed = !data || ferror(f);
	if (f != stdin)
		fclose(f);
	if (failed) {
		free(data);
		cli_error("cannot read '%s'", path);
		return -EIO;
	}
	data[n] = '\0';
	*buf = data;
	*len = n;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cli_parse_hex(const char *text, uint8_t **out, size_t *len, char *err, size_t errsz)
{
	size_t cap = strlen(text) / 2 + 1, n = 0;
	uint8_t *bytes = malloc(cap);
	if (!bytes)
		return -ENOMEM;
	for (const char *p = text; *p;) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		int hi = hexval((unsigned char)p[0]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)p[1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errsz, "bad hex at offset %zu: expected two hex digits, got '%.2s'",
				 (size_t)(p - text), p);
			free(bytes);
			return -EINVAL;
		}
		bytes[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	*out = bytes;
	*len = n;
	return 0;
}

int cli_is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);
	return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc) {
		cli_error("%s needs a value (try 'stackbpf %s --help')", name, argv[0]);
		return NULL;
	}
	return argv[++*i];
}

int cli_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-') {
		cli_error("%s needs a number from %llu to %llu", opt, (unsigned long long)min,
			  (unsigned long long)max);
		return -EINVAL;
	}
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max) {
		cli_error("%s: '%s' is not a number from %llu to %llu", opt, s, (unsigned long long)min,
			  (unsigned long long)max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int cli_parse_syntax(const char *s, enum stackbpf_syntax *syntax)
{
	static const struct { const char *name; enum stackbpf_syntax v; } names[] = {
		{ "auto", STACKBPF_SYNTAX_AUTO }, { "llvm", STACKBPF_SYNTAX_LLVM },
		{ "kernel", STACKBPF_SYNTAX_KERNEL }, { "conformance", STACKBPF_SYNTAX_CONFORMANCE },
	};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*syntax = names[i].v;
			return 0;
		}
	cli_error("--syntax: '%s' is not one of auto, llvm, kernel, conformance", s ? s : "");
	return -EINVAL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* text = no NUL bytes and mostly printable */
static int looks_like_text(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == 0 || (c < 0x20 && !isspace(c)))
			return 0;
	}
	return 1;
}

int cli_load_program(const char *path, enum stackbpf_syntax syntax, const struct stackbpf_host *host,
		     struct stackbpf_insn **insns, size_t *cnt)
{
	char *buf;
	size_t len;
	int err = cli_read_file(path, &buf, &len);
	if (err)
		return err;
	if (ends_with(path, ".bin") || (!ends_with(path, ".s") && !looks_like_text(buf, len))) {
		if (len == 0 || len % 8) {
			cli_error("%s: raw bytecode must be a non-empty multiple of 8 bytes, got %zu bytes",
				  path, len);
			free(buf);
			return -EINVAL;
		}
		*insns = malloc(len);
		if (!*insns) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(*insns, buf, len);
		*cnt = len / 8;
		free(buf);
		return 0;
	}
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = syntax, .filename = path, .host = host,
		      .log = cli_log_stderr);
	err = stackbpf_asm__text(buf, len, &opts, insns, cnt);
	free(buf);
	return err;
}
