/* runner.c - the test-side bpf_conformance runner (see runner.h). The verdict
 * rules follow bpf_conformance's lib/src/bpf_conformance.cc: a file without a
 * program is SKIP, one that needs a disabled cpu version or group is SKIP, a
 * plugin failure is PASS only if the message equals the `-- error` text
 * (CR and trailing whitespace stripped), else FAIL, or ERROR when the file
 * expects no error; a returned r0 must equal `-- result` in all 64 bits. */
#include "conformance/runner.h"
#include "prog/conformance_exec.h"
#include "text/datafile.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *conf_hex_encode(const void *data, size_t len)
{
	const uint8_t *b = data;
	char *s = malloc(len * 4 + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++)
		snprintf(s + 4 * i, 5, "%02x  ", b[i]);
	s[len * 4] = '\0';
	return s;
}

/* append what is readable on fd to *buf; returns 0 at EOF, 1 if more may come */
static int drain(int fd, char **buf, size_t *len)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	char *bigger = realloc(*buf, *len + (size_t)n + 1);
	if (!bigger)
		return 0;
	memcpy(bigger + *len, chunk, (size_t)n);
	*len += (size_t)n;
	bigger[*len] = '\0';
	*buf = bigger;
	return 1;
}

int conf_spawn(const char *const *argv, const char *stdin_text, int *status, char **out, char **err)
{
	int in[2], o[2], e[2];
	if (pipe(in))
		return -errno;
	if (pipe(o)) {
		close(in[0]), close(in[1]);
		return -errno;
	}
	if (pipe(e)) {
		close(in[0]), close(in[1]), close(o[0]), close(o[1]);
		return -errno;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int rc = -errno;
		close(in[0]), close(in[1]), close(o[0]), close(o[1]), close(e[0]), close(e[1]);
		return rc;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(in[0]), close(in[1]), close(o[0]), close(o[1]), close(e[0]), close(e[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]), close(o[1]), close(e[1]);

	/* the child reads all of stdin before it writes: write, close, then read */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	for (size_t n = strlen(stdin_text), off = 0; off < n;) {
		ssize_t w = write(in[1], stdin_text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;  /* the child exited early: its status tells why */
		off += (size_t)w;
	}
	close(in[1]);
	signal(SIGPIPE, old);

	size_t olen = 0, elen = 0;
	*out = calloc(1, 1);
	*err = calloc(1, 1);
	struct pollfd fds[2] = { { o[0], POLLIN, 0 }, { e[0], POLLIN, 0 } };
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd >= 0 && fds[i].revents && !drain(fds[i].fd, i ? err : out, i ? &elen : &olen)) {
				close(fds[i].fd);
				fds[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);

	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int conf_list_dir(const char *dir, char ***paths)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	char **v = NULL;
	int n = 0, cap = 0;
	for (struct dirent *ent; (ent = readdir(d));) {
		size_t len = strlen(ent->d_name);
		if (len < 6 || strcmp(ent->d_name + len - 5, ".data") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **bigger = realloc(v, (size_t)cap * sizeof(*v));
			if (!bigger)
				break;
			v = bigger;
		}
		size_t sz = strlen(dir) + len + 2;
		if (!(v[n] = malloc(sz)))
			break;
		snprintf(v[n++], sz, "%s/%s", dir, ent->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), by_name);
	*paths = v;
	return n;
}

void conf_free_list(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static void strip_trailing_space(char *s)
{
	char *cr = strchr(s, '\r');
	if (cr)
		*cr = '\0';
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		s[--n] = '\0';
}

/* Run through the CLI: fills rejected/r0/msg/exit_status; returns 0 or, for
 * an unusable answer (ERROR), -1 with msg set. */
static int run_cli(const char *cli, const struct sbpf_datafile *df, const struct stackbpf_insn *insns,
		   size_t cnt, struct conf_outcome *out)
{
	char *memhex = df->mem_len ? conf_hex_encode(df->mem, df->mem_len) : NULL;
	char *proghex = conf_hex_encode(insns, cnt * sizeof(*insns));
	char *stdin_text = proghex ? malloc(strlen(proghex) + 2) : NULL;
	const char *argv[] = { cli, "plugin", memhex, NULL };
	char *so = NULL, *se = NULL;
	int rc = -1;

	if (!stdin_text || (df->mem_len && !memhex)) {
		snprintf(out->msg, sizeof(out->msg), "out of memory");
		goto done;
	}
	snprintf(stdin_text, strlen(proghex) + 2, "%s\n", proghex);
	int err = conf_spawn(argv, stdin_text, &out->exit_status, &so, &se);
	if (err) {
		snprintf(out->msg, sizeof(out->msg), "cannot run %s: %s", cli, strerror(-err));
		goto done;
	}
	size_t n = strlen(so);
	if (n && so[n - 1] == '\n')
		so[n - 1] = '\0';
	if (out->exit_status != 0) {
		out->rejected = 1;
		n = strlen(se);
		if (n && se[n - 1] == '\n')
			se[n - 1] = '\0';
		snprintf(out->msg, sizeof(out->msg), "%s", *so ? so : se);
		rc = 0;
		goto done;
	}
	char *end;
	errno = 0;
	out->r0 = strtoull(so, &end, 16);
	if (!*so || *end || errno) {
		snprintf(out->msg, sizeof(out->msg), "plugin return value could not be parsed (%s)", so);
		goto done;
	}
	rc = 0;
done:
	free(memhex);
	free(proghex);
	free(stdin_text);
	free(so);
	free(se);
	return rc;
}

void conf_run_file(const char *path, const struct stackbpf_host *host, const struct conf_opts *opts,
		   struct conf_outcome *out)
{
	struct sbpf_datafile df;
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	unsigned cpu, groups;

	memset(out, 0, sizeof(*out));
	out->result = CONF_ERROR;
	out->stage = CONF_STAGE_PARSE;
	if (sbpf_datafile_load(path, &df, out->msg, sizeof(out->msg)))
		return;

	out->stage = CONF_STAGE_PROGRAM;
	int rc = sbpf_datafile_program(&df, host, &insns, &cnt, out->msg, sizeof(out->msg));
	if (rc) {
		if (rc == -ENOENT)
			out->result = CONF_SKIP;
		goto done;
	}
	if (!df.result_line && !df.error_line) {
		out->result = CONF_SKIP;
		snprintf(out->msg, sizeof(out->msg), "%s: no -- result or -- error section", path);
		goto done;
	}

	out->stage = CONF_STAGE_NEEDS;
	sbpf_datafile_needs(insns, cnt, &cpu, &groups);
	if (cpu > opts->cpu || (groups & ~opts->groups)) {
		out->result = CONF_SKIP;
		snprintf(out->msg, sizeof(out->msg), "needs cpu v%u and groups 0x%x (enabled: v%u, 0x%x)", cpu,
			 groups, opts->cpu, opts->groups);
		goto done;
	}

	out->stage = CONF_STAGE_RUN;
	if (opts->cli) {
		if (run_cli(opts->cli, &df, insns, cnt, out))
			goto done;  /* ERROR, msg set */
	} else {
		/* the plugin gets its own copy of the memory */
		uint8_t *mem = df.mem_len ? malloc(df.mem_len) : NULL;
		if (df.mem_len && !mem) {
			snprintf(out->msg, sizeof(out->msg), "out of memory");
			goto done;
		}
		if (mem)
			memcpy(mem, df.mem, df.mem_len);
		out->rejected = sbpf_cexec_run(host, insns, cnt, mem, df.mem_len, &out->r0, out->msg,
					       sizeof(out->msg)) != 0;
		free(mem);
	}

	if (out->rejected) {
		strip_trailing_space(out->msg);
		if (!df.error_line) {
			out->result = CONF_ERROR;
		} else if (strcmp(out->msg, df.error) == 0) {
			out->result = CONF_PASS;
		} else {
			out->result = CONF_FAIL;
		}
	} else if (df.result_line) {
		out->result = out->r0 == df.result ? CONF_PASS : CONF_FAIL;
		if (out->result == CONF_FAIL)
			snprintf(out->msg, sizeof(out->msg), "returned 0x%" PRIx64 ", expected 0x%" PRIx64, out->r0,
				 df.result);
	} else {
		out->result = CONF_FAIL;
		snprintf(out->msg, sizeof(out->msg), "returned 0x%" PRIx64 ", expected the error '%s'", out->r0,
			 df.error);
	}
done:
	free(insns);
	sbpf_datafile_free(&df);
}
