/* conformance_exec.c - run a program the bpf_conformance plugin way (see
 * conformance_exec.h): structural validation, then the checked interpreter. */
#include "prog/conformance_exec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct stackbpf_host *sbpf_cexec_host_new(void)
{
	struct stackbpf_host *host = stackbpf_host__new();
	if (host && (stackbpf_host__add_conformance_helpers(host) < 0 || stackbpf_host__add_examples(host) < 0)) {
		stackbpf_host__free(host);
		host = NULL;
	}
	return host;
}

int sbpf_cexec_run(const struct stackbpf_host *host, const struct stackbpf_insn *insns, size_t cnt,
		   void *mem, size_t mem_len, uint64_t *r0, char *err, size_t errsz)
{
	const char *msg = NULL;
	struct stackbpf_vm *vm = NULL;
	int rc;

	struct stackbpf_prog *prog = stackbpf_prog__from_insns(insns, cnt);
	if (!prog) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	rc = stackbpf_prog__validate(prog, &vopts, &msg);
	if (rc) {
		snprintf(err, errsz, "%s", msg ? msg : "invalid program");
		goto out;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, opts, .host = host, .checked = true);
	errno = 0;
	vm = stackbpf_vm__new(prog, &opts);
	if (!vm) {
		rc = errno ? -errno : -ENOMEM;
		snprintf(err, errsz, "cannot prepare the program: %s", strerror(-rc));
		goto out;
	}
	rc = stackbpf_vm__run(vm, mem_len ? mem : NULL, mem_len, r0);
	if (rc) {
		msg = stackbpf_vm__errmsg(vm);
		snprintf(err, errsz, "%s", msg && *msg ? msg : strerror(-rc));
	}
out:
	stackbpf_vm__free(vm);
	stackbpf_prog__free(prog);
	return rc;
}
