/* cli/main.c: the `jitproof` command: dispatches to the subcommands in commands.def.
 * Exit codes: 0 all good, 1 a counterexample / divergence / failed vector, 2 bad input or usage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "cli.h"

static const struct { const char *name, *summary; int (*fn)(int, char **); } cmds[] = {
#define CMD(name, summary) { #name, summary, cmd_##name },
#include "commands.def"
#undef CMD
};

#define ENGINE(name, sym) extern const pvm_engine sym;
#include "engines.def"
#undef ENGINE
static const pvm_engine *const engines[] = {
#define ENGINE(name, sym) &sym,
#include "engines.def"
#undef ENGINE
	NULL,
};

const pvm_engine *cli_engine(const char *name)
{
	for (size_t i = 0; engines[i]; i++)
		if (!strcmp(engines[i]->name, name)) return engines[i];
	return NULL;
}

const char *cli_engine_names(void)
{
	static char buf[128];
	buf[0] = 0;
	for (size_t i = 0; engines[i]; i++) {
		if (i) strcat(buf, " ");
		strcat(buf, engines[i]->name);
	}
	return buf;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "jitproof %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-') return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end) return false;
	*out = v;
	return true;
}

bool cli_parse_i64(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s) return false;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || *end) return false;
	*out = v;
	return true;
}

/* Command-line names spell the table's '_' as '-' (lift_check is `jitproof lift-check`). */
static bool cmd_is(const char *arg, const char *name)
{
	for (; *arg && *name; arg++, name++)
		if (*arg != *name && !(*arg == '-' && *name == '_')) return false;
	return *arg == *name;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: jitproof COMMAND [ARGS...]   (jitproof COMMAND --help for details)\n\n");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "%s", cmds[i].name);
		for (char *c = name; *c; c++) *c = *c == '_' ? '-' : *c;
		fprintf(f, "  %-12s %s\n", name, cmds[i].summary);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (cmd_is(argv[1], cmds[i].name)) return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "jitproof: unknown command '%s' (try jitproof --help)\n", argv[1]);
	return 2;
}
