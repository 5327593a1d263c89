/* cli/load.c: turns a file named on the command line into a program and an initial state:
 * a w3f vector (.json), PVM assembly (.pvmasm), a §2 program blob or a standard container. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

bool cli_has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	return n >= k && !strcmp(path + n - k, suffix);
}

int cli_parse_isa(const char *cmd, const char *value, int *isa)
{
	if ((*isa = pvm_isa_by_name(value)) < 0)
		return cli_usage(cmd, "--isa: unknown revision '%s' (0.8.0 or 0.7.2)", value);
	return 0;
}

bool cli_decode_option(const char *arg, unsigned *decode_flags)
{
	if (strcmp(arg, "--polkavm-end")) return false;
	*decode_flags |= PVM_DECODE_POLKAVM_END;
	return true;
}

int cli_reading = -1;
uint8_t cli_reading_mask;
int cli_meta_mode = 0;

uint8_t cli_reading_apply(uint8_t def)
{
	return cli_reading < 0 ? def : (uint8_t)((def & ~cli_reading_mask) | (uint8_t)cli_reading);
}

int cli_common_option(const char *cmd, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--metadata") || !strcmp(a, "--no-metadata")) {
		cli_meta_mode = a[2] == 'm' ? 1 : -1;
		return 0;
	}
	if (strcmp(a, "--reading")) return -1;
	if (*i + 1 >= argc) return cli_usage(cmd, "--reading needs a value");
	/* what the value says on top of either default: the bits it sets are those it fixes */
	uint8_t r0 = 0, r1 = PVM_READING_PEERS;
	if (!pvm_reading_parse(argv[++*i], &r0) || !pvm_reading_parse(argv[*i], &r1))
		return cli_usage(cmd, "--reading: '%s' is not peers, w3f, or gas:instruction|region,sbrk:break|unmapped", argv[*i]);
	cli_reading_mask = (uint8_t)(~(r0 ^ r1) & PVM_READING_PEERS);
	cli_reading = r0 & cli_reading_mask;
	return 0;
}

bool cli_resume(const cli_input *in, size_t *k, pvm_state *s, const pvm_exit *x, char *why, size_t n)
{
	if (in->kind != CLI_TRACE) {
		s->pc = x->next;
		++*k;
		return true;
	}
	if (*k >= in->trace.n_calls) {
		pvm_trace_fin(&in->trace, *k, s, x, why, n);
		return false;
	}
	return pvm_trace_host(&in->trace, (*k)++, s, x, why, n);
}

void cli_input_fini(cli_input *in)
{
	pvm_trace_fini(&in->trace);
	free(in->file);
	free(in->args);
	pvm_vector_fini(&in->vec);
	pvm_vector08_fini(&in->vec08);
	pvm_program_fini(&in->prog);
	pvm_state_fini(&in->init);
}

int cli_load_pair(const char *path, int isa, unsigned decode_flags, const pvm_engine *ea,
                  const pvm_engine *eb, cli_input *in, void **pa, void **pb)
{
	if (cli_load(path, CLI_AUTO, NULL, 0, -1, isa, decode_flags, in)) return 2;
	pvm_errbuf e;
	*pa = ea->load(&in->prog, &e);
	*pb = *pa ? eb->load(&in->prog, &e) : NULL;
	if (*pa && *pb) return 0;
	fprintf(stderr, "%s: %s\n", path, e.msg);
	if (*pa) ea->free(*pa);
	cli_input_fini(in);
	return 2;
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

/* A GP 0.8 step vector: the program and the state its steps set up before the first run. */
static int load_vector08(const char *path, int64_t gas, unsigned dflags, cli_input *in)
{
	pvm_errbuf e;
	char name[4200];
	if (pvm_vector08_read(&in->vec08, path, &e)) return fail(in, &e);
	snprintf(name, sizeof name, "%s: program", path);
	if (pvm_program_decode_flags(&in->prog, PVM_ISA_080, dflags, in->vec08.program,
	                             in->vec08.program_len, name, &e))
		return fail(in, &e);
	pvm_state_init(&in->init);
	in->init.pc = in->vec08.initial_pc;
	in->init.gas = gas >= 0 ? gas : in->vec08.has_steps ? in->vec08.initial_gas : CLI_DEFAULT_GAS;
	for (size_t i = 0; i < in->vec08.n_steps && in->vec08.steps[i].kind != PVM_STEP_RUN; i++) {
		const pvm_step *st = &in->vec08.steps[i];
		if (st->kind == PVM_STEP_MAP)
			pvm_mem_map(in->init.mem, st->address, st->length, st->writable ? PVM_WRITE : PVM_READ);
		else if (st->kind == PVM_STEP_SET_REG)
			in->init.regs[st->reg] = st->value;
		else if (st->kind == PVM_STEP_WRITE && st->len &&
		         !pvm_mem_poke(in->init.mem, st->address, st->contents, st->len)) {
			pvm_errf(&e, "%s:%u:1: write into unmapped memory", path, st->line);
			return fail(in, &e);
		}
	}
	pvm_vector_set_initial(&in->vec, in->vec08.name, &in->init);
	in->vec.program = pvm_xmalloc(in->vec08.program_len ? in->vec08.program_len : 1);
	memcpy(in->vec.program, in->vec08.program, in->vec08.program_len);
	in->vec.program_len = in->vec08.program_len;
	in->vec.isa = in->prog.isa;
	return 0;
}

static int load_vector(const char *path, int64_t gas, pvm_isa isa, unsigned dflags, cli_input *in)
{
	pvm_errbuf e;
	if (in->kind == CLI_VECTOR) {
		if (pvm_vector_read(&in->vec, path, &e)) return fail(in, &e);
	} else {
		uint8_t *text;
		size_t len;
		if (pvm_read_file(path, &text, &len, &e)) return fail(in, &e);
		pvm_err err = pvm_asm_isa((const char *)text, len, isa, path, &in->vec, &e);
		free(text);
		if (err) return fail(in, &e);
	}
	char name[4200];
	snprintf(name, sizeof name, "%s: program", path);
	if (pvm_program_decode_flags(&in->prog, isa, dflags, in->vec.program, in->vec.program_len, name, &e))
		return fail(in, &e);
	if (gas >= 0) in->vec.initial_gas = gas;
	pvm_vector_initial_state(&in->vec, &in->init);
	in->vec.isa = in->prog.isa;
	return 0;
}

/* 1 if path is a GP 0.8 step vector, 0 if not (or unreadable: the reader reports it). */
static int json_is_vector08(const char *path)
{
	uint8_t *buf;
	size_t len;
	pvm_errbuf e;
	if (pvm_read_file(path, &buf, &len, &e)) return 0;
	int is = pvm_json_is_vector08((const char *)buf, len);
	free(buf);
	return is;
}

/* A blob, container or trace: its vector made from the initial state, named after the file. */
static int vector_of_state(const char *path, cli_input *in)
{
	char *name = stem(path);
	pvm_vector_set_initial(&in->vec, name, &in->init);
	free(name);
	if (pvm_program_encode(&in->prog, &in->vec.program, &in->vec.program_len)) abort();
	in->vec.isa = in->prog.isa;
	return 0;
}

/* The argument address of the standard layout (ISA-NOTES §8): 2^32 - Z_Z - Z_I. */
enum { ARGS_ADDR = 0xfeff0000u };

/* A JIP-7 trace: its program (an on-chain blob, with or without metadata) loaded as a standard
 * container whose arguments are the memwrite before start at the argument address; the other
 * memwrites before start applied; pc, gas and registers from the start line. */
static int load_trace(const char *path, const uint8_t *text, size_t len, int64_t gas, pvm_isa isa,
                      unsigned dflags, cli_input *in)
{
	pvm_errbuf e;
	pvm_trace *t = &in->trace;
	if (pvm_trace_parse(t, (const char *)text, len, path, &e)) return fail(in, &e);
	char name[4200];
	snprintf(name, sizeof name, "%s:%" PRIu32 ":9: program", path, t->program_line);
	size_t off;
	if (pvm_meta_split(t->program, t->program_len, cli_meta_mode, name, &off, &e)) return fail(in, &e);
	const pvm_trace_io *args = NULL;
	for (size_t i = 0; i < t->n_init && !args; i++)
		if (t->init[i].addr == ARGS_ADDR) args = &t->init[i];
	if (pvm_container_load_isa(t->program + off, t->program_len - off, args ? args->data : NULL,
	                           args ? args->len : 0, isa, name, &in->prog, &in->init, &e))
		return fail(in, &e);
	for (size_t i = 0; i < t->n_init; i++) {
		const pvm_trace_io *w = &t->init[i];
		if (w == args || !w->len) continue;
		if (!pvm_mem_poke(in->init.mem, w->addr, w->data, w->len)) {
			pvm_errf_at(&e, path, w->line, 1, "memwrite before start into unmapped memory at 0x%08" PRIx32, w->addr);
			return fail(in, &e);
		}
	}
	in->init.pc = t->start.pc;
	in->init.gas = gas >= 0 ? gas : t->start.gas;
	memcpy(in->init.regs, t->start.regs, sizeof in->init.regs);
	in->file = pvm_xmalloc(t->program_len);
	memcpy(in->file, t->program, t->program_len);
	in->file_len = t->program_len;
	in->meta_len = off;
	in->args = pvm_xmalloc(args ? args->len + 1 : 1);
	if (args) memcpy(in->args, args->data, args->len);
	in->args_len = args ? args->len : 0;
	return vector_of_state(path, in);
}

/* Whether the file path with these bytes is a trace: *.log / *.trace, or one whose first known
 * line is `program 0x`. */
static bool is_trace(const char *path, const uint8_t *buf, size_t len)
{
	return cli_has_suffix(path, ".log") || cli_has_suffix(path, ".trace") ||
	       (len >= 10 && pvm_trace_sniff((const char *)buf, len));
}

static int load_any(const char *path, cli_format fmt, const uint8_t *args, size_t args_len,
                    int64_t gas, int isa_opt, unsigned dflags, cli_input *in);

int cli_load(const char *path, cli_format fmt, const uint8_t *args, size_t args_len,
             int64_t gas, int isa_opt, unsigned dflags, cli_input *in)
{
	int rc = load_any(path, fmt, args, args_len, gas, isa_opt, dflags, in);
	if (rc) return rc;
	in->init.reading = cli_reading_apply(in->kind == CLI_TRACE ? PVM_READING_PEERS : in->init.reading);
	in->vec.reading = in->init.reading;
	return 0;
}

static int load_any(const char *path, cli_format fmt, const uint8_t *args, size_t args_len,
                    int64_t gas, int isa_opt, unsigned dflags, cli_input *in)
{
	pvm_isa isa = isa_opt < 0 ? PVM_ISA_080 : (pvm_isa)isa_opt;
	memset(in, 0, sizeof *in);
	pvm_errbuf e, e2;
	char msg[sizeof e.msg + sizeof e2.msg + 32];
	bool is_vec = cli_has_suffix(path, ".json"), is_asm = cli_has_suffix(path, ".pvmasm");
	if ((is_vec || is_asm) && fmt == CLI_AUTO) {
		if (args) {
			fprintf(stderr, "%s: --args needs a standard container\n", path);
			return 2;
		}
		if (is_vec && json_is_vector08(path)) {
			if (isa_opt >= 0 && isa != PVM_ISA_080) {
				fprintf(stderr, "%s:1:1: a GP 0.8 step vector (its format says so), but --isa %s\n",
				        path, pvm_isa_name(isa));
				return 2;
			}
			in->kind = CLI_VECTOR08;
			return load_vector08(path, gas, dflags, in);
		}
		if (is_vec && isa_opt >= 0 && isa != PVM_ISA_072) {
			fprintf(stderr, "%s:1:1: a w3f GP 0.7.2 vector (its format says so), but --isa %s\n",
			        path, pvm_isa_name(isa));
			return 2;
		}
		in->kind = is_vec ? CLI_VECTOR : CLI_PVMASM;
		return load_vector(path, gas, is_vec ? PVM_ISA_072 : isa, dflags, in);
	}
	uint8_t *buf;
	size_t len;
	if (pvm_read_file(path, &buf, &len, &e)) return fail(in, &e);
	if (fmt == CLI_AUTO && is_trace(path, buf, len)) {
		int rc = 2;
		if (args) fprintf(stderr, "%s: --args: a trace brings its own arguments\n", path);
		else rc = load_trace(path, buf, len, gas, isa_opt < 0 ? PVM_ISA_072 : isa, dflags, in);
		free(buf);
		if (!rc) in->kind = CLI_TRACE;
		return rc;
	}
	pvm_err err = PVM_EINVAL;
	bool tried_blob = fmt != CLI_FORCE_CONTAINER && !args && cli_meta_mode <= 0;
	if (tried_blob) {
		err = pvm_program_decode_flags(&in->prog, isa, dflags, buf, len, path, &e);
		if (!err) {
			in->kind = CLI_BLOB;
			pvm_state_init(&in->init);
		}
	}
	if (err && fmt != CLI_FORCE_BLOB) {
		size_t off = 0;
		pvm_err err2 = pvm_meta_split(buf, len, cli_meta_mode, path, &off, &e2);
		if (!err2) err2 = pvm_container_load_isa(buf + off, len - off, args, args_len, isa, path, &in->prog,
		                                         &in->init, &e2);
		if (!err2) {
			in->kind = CLI_CONTAINER;
			in->meta_len = off;
			in->file = pvm_xmalloc(len);
			memcpy(in->file, buf, len);
			in->file_len = len;
			in->args = pvm_xmalloc(args_len + 1);
			if (args_len) memcpy(in->args, args, args_len);
			in->args_len = args_len;
		} else if (tried_blob && fmt == CLI_AUTO) {
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
	return vector_of_state(path, in);
}
