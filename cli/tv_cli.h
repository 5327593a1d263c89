/* cli/tv_cli.h: the solver and fallback options `validate` and `prove` share. */
#ifndef JITPROOF_CLI_TV_H
#define JITPROOF_CLI_TV_H
#include "cli.h"
#include "validator/tv.h"

/* If argv[*i] is one of --rlimit N, --timeout-ms MS, --fallback-states N, --cex-dir DIR,
 * --debug query,norm,rlimit, --portable: stores it in *o, advances *i past its value and returns 0. Returns -1 when
 * argv[*i] is none of them, 2 (after one usage line) on a bad value. */
int cli_tv_option(const char *cmd, int argc, char **argv, int *i, tv_opts *o);
#endif
