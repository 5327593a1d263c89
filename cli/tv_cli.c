/* cli/tv_cli.c: the solver, fallback and proof-store options shared by validate and prove; what
 * validate and merge-reports print of a report. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "tv_cli.h"
#include "validator/store.h"

int cli_tv_option(const char *cmd, int argc, char **argv, int *i, tv_opts *o)
{
	const char *a = argv[*i];
	const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	uint64_t n;
	if (!strcmp(a, "--rlimit")) {
		if (!cli_parse_u64(val, &n) || n > UINT32_MAX) return cli_usage(cmd, "--rlimit needs a number (0: none)");
		o->rlimit = (unsigned)n;
	} else if (!strcmp(a, "--timeout-ms")) {
		if (!cli_parse_u64(val, &n) || n > 3600000)
			return cli_usage(cmd, "--timeout-ms needs a number of milliseconds (0: none, the rlimit alone)");
		o->timeout_ms = (unsigned)n;
	} else if (!strcmp(a, "--fallback-states")) {
		if (!cli_parse_u64(val, &n) || n > 10000000) return cli_usage(cmd, "--fallback-states needs a number");
		o->fallback_states = (unsigned)n;
	} else if (!strcmp(a, "--cex-dir") && val) {
		o->cex_dir = val;
	} else if (!strcmp(a, "--debug")) {
		/* a comma-separated list of query, norm, rlimit */
		if (!val || !*val) return cli_usage(cmd, "--debug needs a list of query,norm,rlimit,weaken");
		for (const char *p = val; *p;) {
			size_t l = strcspn(p, ",");
			if (l == 5 && !strncmp(p, "query", 5)) o->debug |= TV_DEBUG_QUERY;
			else if (l == 4 && !strncmp(p, "norm", 4)) o->debug |= TV_DEBUG_NORM;
			else if (l == 6 && !strncmp(p, "rlimit", 6)) o->debug |= TV_DEBUG_RLIMIT;
			else if (l == 6 && !strncmp(p, "weaken", 6)) o->debug |= TV_DEBUG_WEAKEN;
			else if (l == 13 && !strncmp(p, "recheck-wrong", 13)) o->debug |= TV_DEBUG_RECHECK_WRONG;
			else if (l == 15 && !strncmp(p, "unsound-rewrite", 15)) o->debug |= TV_DEBUG_UNSOUND_REWRITE;
			else if (l == 9 && !strncmp(p, "no-resume", 9)) o->debug |= TV_DEBUG_NO_RESUME;
			else return cli_usage(cmd, "--debug: unknown item '%.*s' (query, norm, rlimit, weaken, recheck-wrong, "
			                      "unsound-rewrite, no-resume)", (int)l, p);
			p += l + (p[l] == ',');
		}
	} else if (!strcmp(a, "--smt2-dir")) {
		if (!val || !*val) return cli_usage(cmd, "--smt2-dir needs a folder");
		if (mkdir(val, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "jitproof %s: --smt2-dir %s: %s\n", cmd, val, strerror(errno));
			return 2;
		}
		o->smt2_dir = val;
	} else if (!strcmp(a, "--recheck")) {
		char why[256];
		if (!val || !*val) return cli_usage(cmd, "--recheck needs a solver (cvc5)");
		if (!tv_recheck_available(val, why, sizeof why)) {
			fprintf(stderr, "jitproof %s: --recheck: %s\n", cmd, why);
			return 2;
		}
		o->recheck = val;
	} else if (!strcmp(a, "--recheck-timeout-ms")) {
		if (!cli_parse_u64(val, &n) || n < 1 || n > 3600000)
			return cli_usage(cmd, "--recheck-timeout-ms needs a number of milliseconds (1 .. 3600000)");
		o->recheck_timeout_ms = (unsigned)n;
	} else if (!strcmp(a, "--cache")) {
		if (!val || !*val) return cli_usage(cmd, "--cache needs a folder");
		o->store_dir = val;
	} else if (!strcmp(a, "--no-cache")) {
		o->no_store = true;
		return 0;
	} else if (!strcmp(a, "--portable")) {
		o->variants = 1u << TV_VAR_PORTABLE;
		return 0;
	} else if (!strcmp(a, "--features")) {
		int v = val ? tv_variant_by_name(val) : -1;
		if (v < 0) return cli_usage(cmd, "--features needs cpuid or portable");
		o->variants = 1u << v;
	} else {
		return -1;
	}
	(*i)++;
	return 0;
}

void cli_tv_store_open(const char *cmd, tv_opts *o)
{
	o->store = NULL;
	/* --debug weaken drops assumptions on purpose (it tests the replay check), unsound-rewrite
	 * proves everything: no store. --recheck re-proves every query: nothing taken from the store
	 * (its verdicts have no query to re-prove), and nothing written (one mode, one meaning). */
	if (o->no_store || (o->debug & (TV_DEBUG_WEAKEN | TV_DEBUG_UNSOUND_REWRITE)) || o->recheck) return;
	char buf[4096];
	const char *dir = o->store_dir ? o->store_dir : tv_store_default_dir(buf, sizeof buf);
	if (!dir) {
		fprintf(stderr, "jitproof %s: warning: no proof store folder ($JITPROOF_CACHE and $HOME unset); running "
		        "without the store\n", cmd);
		return;
	}
	o->store = tv_store_open(dir, cmd);
}

void cli_tv_print(const tv_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		const tv_result *r = &rep->r[i];
		if (r->verdict != TV_CEX && r->verdict != TV_UNKNOWN && r->verdict != TV_BUG) continue;
		printf("%s %s", tv_verdict_name(r->verdict), pvm_ops[r->op].name);
		for (int k = 0; k < r->nregs; k++) printf("%sr%u", k ? "," : " ", r->regs[k]);
		printf(" [%s, %s%s]%s: %s%s%s\n", r->what, tv_variant_name(r->variant), r->isa == PVM_ISA_080 ? ", GP 0.8.0" : "",
		       r->verdict == TV_CEX ? (r->symbolic ? " (symbolic)" : " (fallback)") : "",
		       r->detail, r->cex_file[0] ? " -> " : "", r->cex_file);
	}
	tv_report_summary(rep, stdout);
}

bool cli_report_option(int argc, char **argv, int *i, const char **json, const char **junit, const char **html)
{
	const char *a = argv[*i];
	const char **slot = !strcmp(a, "--json") ? json : !strcmp(a, "--junit") ? junit : !strcmp(a, "--html") ? html : NULL;
	if (!slot || *i + 1 >= argc) return false;
	*slot = argv[++*i];
	return true;
}
