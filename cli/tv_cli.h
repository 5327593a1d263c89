/* cli/tv_cli.h: the solver and fallback options `validate` and `prove` share. */
#ifndef JITPROOF_CLI_TV_H
#define JITPROOF_CLI_TV_H
#include "cli.h"
#include "validator/tv.h"

/* If argv[*i] is one of --rlimit N, --timeout-ms MS, --fallback-states N, --cex-dir DIR,
 * --debug query,norm,rlimit, --portable, --features V, --cache DIR, --no-cache: stores it in *o,
 * advances *i past its value and returns 0. Returns -1 when argv[*i] is none of them, 2 (after
 * one usage line) on a bad value. */
int cli_tv_option(const char *cmd, int argc, char **argv, int *i, tv_opts *o);
/* Open the proof store the options ask for into o->store (NULL with --no-cache or --debug weaken,
 * or after one warning line when the folder cannot be used). Call after --mutant is set. The
 * command closes it (tv_store_close). */
void cli_tv_store_open(const char *cmd, tv_opts *o);
#endif
