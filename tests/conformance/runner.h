/* runner.h - a bpf_conformance runner for the tests: reads a .data file,
 * decides PASS / FAIL / ERROR / SKIP as bpf_conformance does, and executes the
 * program either in process (sbpf_cexec_run, the plugin's own code path) or by
 * spawning the `stackbpf plugin` CLI with the runner's argv/stdin protocol. */
#ifndef SBPF_TEST_CONF_RUNNER_H
#define SBPF_TEST_CONF_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include "stackbpf/stackbpf.h"

enum conf_result { CONF_PASS, CONF_FAIL, CONF_ERROR, CONF_SKIP };

/* how far a file got */
enum conf_stage {
	CONF_STAGE_PARSE,    /* the .data file itself is malformed */
	CONF_STAGE_PROGRAM,  /* no program, or its assembly was rejected */
	CONF_STAGE_NEEDS,    /* skipped: needs a newer cpu or a disabled group */
	CONF_STAGE_RUN,      /* handed to the plugin */
};

struct conf_opts {
	unsigned cpu;          /* highest cpu version enabled (1..4) */
	unsigned groups;       /* enabled groups (enum sbpf_group bits) */
	const char *cli;       /* NULL: run in process; else spawn `CLI plugin` */
};

struct conf_outcome {
	enum conf_result result;
	enum conf_stage stage;
	int rejected;          /* RUN: the plugin failed; its message is in msg */
	int exit_status;       /* RUN with cli: the plugin's exit status */
	uint64_t r0;           /* RUN, !rejected: what the program returned */
	char msg[1024];        /* why it did not pass, or the plugin's message */
};

/* Run one .data file. `host` resolves host-function names in its assembly. */
void conf_run_file(const char *path, const struct stackbpf_host *host, const struct conf_opts *opts,
		   struct conf_outcome *out);

/* The *.data files of `dir`, sorted by name (malloc'ed). Returns the count,
 * or -errno when the directory cannot be read. */
int conf_list_dir(const char *dir, char ***paths);
void conf_free_list(char **paths, int n);

/* Spawn argv[0] with argv (NULL-terminated), write stdin_text to its stdin
 * and close it, as the bpf_conformance runner does. Returns 0 with the exit
 * status (128 + signal number if it was killed) and the captured stdout and
 * stderr (malloc'ed, NUL-terminated), or -errno if spawning failed. */
int conf_spawn(const char *const *argv, const char *stdin_text, int *status, char **out, char **err);
/* "xx  " per byte, as the runner encodes memory and programs (malloc'ed). */
char *conf_hex_encode(const void *data, size_t len);

#endif
