/* cli/load.c: turns a file named on the command line into a program and an initial state:
 * a w3f vector (.json), PVM assembly (.pvmasm), a §2 program blob or a standard container. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

bool cli_has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	return n >= k && !strcmp(path + n - k, suffix);
}

void cli_input_fini(cli_input *in)
{
	pvm_vector_fini(&in->vec);
	pvm_program_fini(&in->prog);
	pvm_state_fini(&in->init);
}

static int fail(cli_input *in, const pvm_errbuf *e)
{
	fprintf(stderr, "%s\n", e->msg);
	cli_input_fini(in);
	return 2;
}

/* File name without folders and extension. */
static char *stem(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s = pvm_xstrdup(b ? b + 1 : path);
	char *dot = strrchr(s, '.');
	if (dot && dot != s) *dot = 0;
	return s;
}

static int load_vector(const char *path, int64_t gas, cli_input *in)
{
	pvm_errbuf e;
	if (in->kind == CLI_VECTOR) {
		if (pvm_vector_read(&in->vec, path, &e)) return fail(in, &e);
	} else {
		uint8_t *text;
		size_t len;
		if (pvm_read_file(path, &text, &len, &e)) return fail(in, &e);
		pvm_err err = pvm_asm((const char *)text, len, path, &in->vec, &e);
		free(text);
		if (err) return fail(in, &e);
	}
	char name[4200];
	snprintf(name, sizeof name, "%s: program", path);
	if (pvm_program_decode(&in->prog, in->vec.program, in->vec.program_len, name, &e))
		return fail(in, &e);
	if (gas >= 0) in->vec.initial_gas = gas;
	pvm_vector_initial_state(&in->vec, &in->init);
	return 0;
}

int cli_load(const char *path, cli_format fmt, const uint8_t *args, size_t args_len,
             int64_t gas, cli_input *in)
{
	memset(in, 0, sizeof *in);
	pvm_errbuf e, e2;
	char msg[sizeof e.msg + sizeof e2.msg + 32];
	bool is_vec = cli_has_suffix(path, ".json"), is_asm = cli_has_suffix(path, ".pvmasm");
	if ((is_vec || is_asm) && fmt == CLI_AUTO) {
		if (args) {
			fprintf(stderr, "%s: --args needs a standard container\n", path);
			return 2;
		}
		in->kind = is_vec ? CLI_VECTOR : CLI_PVMASM;
		return load_vector(path, gas, in);
	}
	uint8_t *buf;
	size_t len;
	if (pvm_read_file(path, &buf, &len, &e)) return fail(in, &e);
	pvm_err err = PVM_EINVAL;
	if (fmt != CLI_FORCE_CONTAINER && !args) {
		err = pvm_program_decode(&in->prog, buf, len, path, &e);
		if (!err) {
			in->kind = CLI_BLOB;
			pvm_state_init(&in->init);
		}
	}
	if (err && fmt != CLI_FORCE_BLOB) {
		pvm_err err2 = pvm_container_load(buf, len, args, args_len, path, &in->prog, &in->init, &e2);
		if (!err2) {
			in->kind = CLI_CONTAINER;
		} else if (fmt == CLI_AUTO && !args) {
			snprintf(msg, sizeof msg, "%s; as a standard container: %s", e.msg, e2.msg);
			snprintf(e.msg, sizeof e.msg, "%.*s", (int)sizeof e.msg - 1, msg);
		} else {
			e = e2;
		}
		err = err2;
	} else if (err && args) {
		snprintf(e.msg, sizeof e.msg, "%s: --args needs a standard container", path);
	}
	free(buf);
	if (err) return fail(in, &e);
	in->init.gas = gas >= 0 ? gas : CLI_DEFAULT_GAS;
	char *name = stem(path);
	pvm_vector_set_initial(&in->vec, name, &in->init);
	free(name);
	if (pvm_program_encode(&in->prog, &in->vec.program, &in->vec.program_len)) abort();
	return 0;
}
