/* testcli.h - running the real `stackbpf` binary from a test: a scratch
 * directory, a command line run in it with stdout and stderr captured, and
 * the exit status. Used by the CLI contract tests of each area. */
#ifndef STACKBPF_TESTCLI_H
#define STACKBPF_TESTCLI_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct t_out {
	int status;
	char out[4096], err[4096];
};

static char t_dir[64];

/* create the scratch directory (once per test binary); 0 or -1 */
static int t_scratch(const char *tag)
{
	snprintf(t_dir, sizeof(t_dir), "/tmp/stackbpf-%s-XXXXXX", tag);
	if (!mkdtemp(t_dir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

/* read scratch file `name` into buf (NUL-terminated; empty if missing) */
static void t_read_file(const char *name, char *buf, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", t_dir, name);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* In the scratch directory, with the environment assignments `env` (may be
 * ""), run `stackbpf CMD ARGS`; ARGS is a shell fragment. */
static struct t_out t_cli(const char *env, const char *cmd, const char *args)
{
	struct t_out o;
	char line[2048];
	snprintf(line, sizeof(line), "cd '%s' && %s '%s' %s %s >stdout.txt 2>stderr.txt", t_dir, env, STACKBPF_CLI,
		 cmd, args);
	int st = system(line);
	o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	t_read_file("stdout.txt", o.out, sizeof(o.out));
	t_read_file("stderr.txt", o.err, sizeof(o.err));
	return o;
}

#endif
