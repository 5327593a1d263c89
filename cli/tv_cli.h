/* cli/tv_cli.h: the solver and fallback options `validate` and `prove` share. */
#ifndef JITPROOF_CLI_TV_H
#define JITPROOF_CLI_TV_H
#include "cli.h"
#include "validator/tv.h"

/* If argv[*i] is one of --rlimit N, --timeout-ms MS, --fallback-states N, --cex-dir DIR,
 * --debug query,norm,rlimit,..., --portable, --features V, --cache DIR, --no-cache, --smt2-dir DIR
 * (made if missing), --recheck SOLVER (checked to run here), --recheck-timeout-ms MS: stores it in
 * *o, advances *i past its value and returns 0. Returns -1 when argv[*i] is none of them, 2 (after
 * one line) on a bad value. */
int cli_tv_option(const char *cmd, int argc, char **argv, int *i, tv_opts *o);
/* Open the proof store the options ask for into o->store (NULL with --no-cache, --recheck or
 * --debug weaken/unsound-rewrite, or after one warning line when the folder cannot be used). Call after --mutant is set. The
 * command closes it (tv_store_close). */
void cli_tv_store_open(const char *cmd, tv_opts *o);

/* What validate and merge-reports print of a report: each counterexample, unknown and validator
 * bug as one line, then the summary lines (tv_report_summary). */
void cli_tv_print(const tv_report *rep);

/* The report files validate, prove and merge-reports write: if argv[*i] is --json, --junit or
 * --html with a value, stores the value, advances *i past it and returns true. */
bool cli_report_option(int argc, char **argv, int *i, const char **json, const char **junit, const char **html);

/* The HTML report's views (cli/report_views.c): code, spec entry, counterexamples run here. */
typedef struct cli_views {
	tv_html_views v;           /* what tv_report_html takes (ctx: this) */
	size_t cs;                 /* the Capstone handle (csh) */
	bool cs_ok;
	jit_features cpuid;        /* the cpuid variant's extensions, as the run had them */
	char mutant[48];
	const sem_spec *spec[PVM_ISA_COUNT];
	const char *spec_path;
	char *spec_text;           /* the spec file, for the entries' text */
	size_t spec_len;
	char prog[64];             /* this binary's name, for the replay command */
} cli_views;
void cli_views_init(cli_views *cv, const tv_run_info *ri, const sem_spec *const specs[PVM_ISA_COUNT]);
void cli_views_fini(cli_views *cv);
/* "bmi1,bmi2,lzcnt,popcnt" (those f has), or "none". */
void cli_features_name(jit_features f, char *out, size_t n);
#endif
