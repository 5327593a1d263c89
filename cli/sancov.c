/* cli/sancov.c: the runtime of clang's -fsanitize-coverage=trace-pc-guard for `showmap --domain
 * sancov`. Built with -DJITPROOF_SANCOV=ON the engines (pvm, interp, jit, semantics) are compiled
 * with trace-pc-guard; each guard gets a stable index (modules in link order, guards in code
 * order) and a hit counter. The counters are process-global by the nature of the compiler's
 * callback interface (the one global state besides the JIT's signal handler's). */
#include <string.h>
#include "cli.h"

#ifdef JITPROOF_SANCOV
enum { MAX_GUARDS = 1 << 20 };
static uint32_t sancov_hits[MAX_GUARDS];
static uint32_t sancov_n;

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
	if (start == stop || *start) return; /* already numbered */
	for (uint32_t *g = start; g < stop; g++) *g = sancov_n < MAX_GUARDS ? ++sancov_n : 0;
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
	uint32_t i = *guard;
	if (i && sancov_hits[i - 1] != UINT32_MAX) sancov_hits[i - 1]++;
}

bool cli_sancov_available(void) { return sancov_n > 0; }
size_t cli_sancov_guards(void) { return sancov_n; }
uint32_t cli_sancov_hits(size_t i) { return i < sancov_n ? sancov_hits[i] : 0; }
void cli_sancov_reset(void) { memset(sancov_hits, 0, sancov_n * sizeof *sancov_hits); }
#else
bool cli_sancov_available(void) { return false; }
size_t cli_sancov_guards(void) { return 0; }
uint32_t cli_sancov_hits(size_t i) { (void)i; return 0; }
void cli_sancov_reset(void) {}
#endif
