/* cli/cli.h: helpers shared by the jitproof subcommands. */
#ifndef JITPROOF_CLI_H
#define JITPROOF_CLI_H
#include "pvm/pvm.h"

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CMD

/* Engine by name ("interp", "jit", "spec"), or NULL. */
const pvm_engine *cli_engine(const char *name);
/* Space-separated names of the engines built in. */
const char *cli_engine_names(void);
/* Usage error: prints "jitproof CMD: message" to stderr, returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse an unsigned/signed decimal or 0x-hex number; false on junk or overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_i64(const char *s, int64_t *out);
#endif
