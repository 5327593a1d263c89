/* cli/host.h: a simple host for running real services through their host calls (run, replay):
 * each host call is answered by a policy, the default one or an answers file, then resumed.
 * Also the standard JAM service entry points. */
#ifndef JITPROOF_CLI_HOST_H
#define JITPROOF_CLI_HOST_H
#include "pvm/pvm.h"

enum { CLI_HOST_GAS = 10,                       /* GP: the base gas cost of every host call */
       CLI_HOST_MAX_ANSWERS = 256 };
#define CLI_HOST_WHAT 0xfffffffffffffffeull     /* GP: WHAT = 2^64 - 2, "no such host call" */

enum { CLI_HOST_MAX_WRITES = 4, CLI_HOST_MAX_WRITE = 32 };

/* One rule of an answers file: for host id `id` (or every id when any), set the listed
 * registers, write the listed bytes into guest memory and charge `gas`. */
typedef struct cli_host_rule {
	bool any;
	uint32_t id;
	uint16_t set;                /* bit i: register i is set to regs[i] */
	uint64_t regs[PVM_NUM_REGS];
	int64_t gas;
	struct { uint32_t addr; uint8_t len; uint8_t bytes[CLI_HOST_MAX_WRITE]; } mem[CLI_HOST_MAX_WRITES];
	size_t n_mem;
} cli_host_rule;

typedef struct cli_host {
	bool perturb;                /* every call answered by pvm_host_perturb (--host perturb) */
	cli_host_rule rules[CLI_HOST_MAX_ANSWERS];
	size_t n_rules;
} cli_host;

/* The default policy: r7 := WHAT, gas -= 10, every other register and all memory unchanged. */
void cli_host_default(cli_host *h);
/* The perturb policy (pvm_host_perturb): every register, the gas and memory changed. */
void cli_host_perturb(cli_host *h);
/* An answers file: one rule per line, `ID` or `*` then `rN=VALUE`, `gas=N` and `mem:ADDR=HEX`
 * fields (up to 4 writes of up to 32 bytes each), e.g. `100 r7=0` or
 * `* r7=0xfffffffffffffffe gas=10 mem:0x20000=2a07`; `#` starts a comment. The first rule that
 * matches a call's id answers it; a call no rule matches gets the default. On a bad line prints
 * "FILE:LINE:COL: reason" and returns 2; else 0. */
int cli_host_load(const char *path, cli_host *h);
/* Answer the host call x (status PVM_HOST) in s: charge the rule's gas, set its registers, make
 * its writes and resume at x->next; true. Out of gas: false with x->status = PVM_OOG (s->gas left
 * negative). A write to a page the guest cannot write: false with x->status = PVM_PANIC (a JAM
 * host function panics then; nothing written, gas charged). */
bool cli_host_answer(const cli_host *h, pvm_exit *x, pvm_state *s);
/* A JAM service entry point by name (GP 0.7: refine and is_authorized at pc 0, accumulate at
 * pc 5; on-transfer is part of accumulate since 0.7.0) or a number; false if neither. */
bool cli_entry_point(const char *name, uint32_t *pc);
#endif
