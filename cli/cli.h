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
/* ---- program inputs (cli/load.c), shared by run, replay and friends ---- */
typedef enum cli_kind { CLI_VECTOR, CLI_PVMASM, CLI_CONTAINER, CLI_BLOB, CLI_VECTOR08, CLI_TRACE } cli_kind;
typedef enum cli_format { CLI_AUTO, CLI_FORCE_CONTAINER, CLI_FORCE_BLOB } cli_format;
/* A loaded input: the vector (for blobs and containers synthesised from the initial state, with
 * has_expected false), its decoded program and its initial state. */
typedef struct cli_input {
	cli_kind kind;
	pvm_vector vec;        /* CLI_VECTOR08: synthesised from the state before the first run */
	pvm_vector08 vec08;    /* CLI_VECTOR08 only */
	pvm_program prog;
	pvm_state init;        /* its reading: the --reading switch, else the input's default */
	pvm_trace trace;       /* CLI_TRACE only */
	uint8_t *file; size_t file_len; /* CLI_CONTAINER / CLI_TRACE: the blob as given (metadata included) */
	size_t meta_len;       /* the metadata prefix's bytes (length varint included), 0 without one */
	uint8_t *args; size_t args_len; /* CLI_CONTAINER / CLI_TRACE: the argument bytes */
} cli_input;
/* Options every command that reads a program takes (README § GP 0.7.2 readings, § On-chain
 * blobs): --reading VALUE (pvm_reading_parse; overrides each input's default: a trace the peers',
 * everything else w3f), --metadata / --no-metadata (how an on-chain blob is read). Returns -1 if
 * argv[*i] is none of them, 0 (advanced past its value) if it was, 2 after a usage line. */
int cli_common_option(const char *cmd, int argc, char **argv, int *i);
#define CLI_COMMON_HELP \
	"  --reading R    GP 0.7.2 readings: peers (gas per instruction, sbrk moves a break: typeberry,\n" \
	"                 anan-as; default for traces), w3f (gas per region, sbrk finds unmapped space:\n" \
	"                 PolkaVM, the w3f vectors; default otherwise), or gas:instruction|region,\n" \
	"                 sbrk:break|unmapped on top of the default\n" \
	"  --metadata, --no-metadata  an on-chain blob has / has no metadata prefix (default: decided\n" \
	"                 by which reading adds up; both is an error)\n"
/* The --reading value given (-1: none) and the metadata mode (pvm_meta_split's). */
extern int cli_reading;
extern uint8_t cli_reading_mask;     /* the reading bits --reading fixes */
extern int cli_meta_mode;
/* An input's reading: def (its default) with the bits --reading fixes replaced. */
uint8_t cli_reading_apply(uint8_t def);
/* Loads FILE: *.json = w3f vector, *.pvmasm = assembly, anything else a §2 blob or a standard
 * container (auto: a blob if it decodes strictly, else a container; or forced by fmt). args are
 * the container's argument bytes (error for other kinds). gas < 0 keeps the file's gas (blob
 * and container: CLI_DEFAULT_GAS). On error prints one "FILE:POS: reason" line to stderr and
 * returns 2 (*in is then empty); 0 on success. */
enum { CLI_DEFAULT_GAS = 1000000000 };
/* The ISA (isa = the --isa value, or -1 if not given): a .json file's format decides (a w3f vector
 * is GP 0.7.2, a step vector GP 0.8.0) and a contradicting --isa is an error; every other file is
 * read as isa, default GP 0.8.0. A GP 0.8 step vector's initial state is what its steps set up
 * before the first run. decode_flags: pvm_program_decode_isa's (PVM_DECODE_POLKAVM_END, the
 * --polkavm-end switch). */
int cli_load(const char *path, cli_format fmt, const uint8_t *args, size_t args_len, int64_t gas,
             int isa, unsigned decode_flags, cli_input *in);
/* The --polkavm-end switch, the one name for PVM_DECODE_POLKAVM_END (PolkaVM's end-of-code rule
 * for GP 0.8.0 prevalidation, ISA-NOTES-0.8 §10.1) on every command that reads a program: true
 * (and the flag set in *decode_flags) if arg is it. CLI_POLKAVM_END_HELP: its usage lines. */
bool cli_decode_option(const char *arg, unsigned *decode_flags);
#define CLI_POLKAVM_END_HELP \
	"  --polkavm-end  GP 0.8.0 prevalidation also rejects a blob whose last instruction can fall\n" \
	"                 through, as PolkaVM HEAD does (the GP text accepts it; ISA-NOTES-0.8 §10.1)\n"
/* Resume after host call x of a run of in (the k-th, 0-based, counted in *k): a trace answers
 * it (checked first: false with *why on a difference, or when the trace has no more calls);
 * every other input resumes with the state unchanged. */
bool cli_resume(const cli_input *in, size_t *k, pvm_state *s, const pvm_exit *x, char *why, size_t n);
/* Parses an --isa value; on error prints the usage line and returns 2 (else 0). */
int cli_parse_isa(const char *cmd, const char *value, int *isa);
void cli_input_fini(cli_input *in);
/* cli_load (no args, the file's gas, decode_flags as cli_load's) and prepare the program on two engines, as replay and
 * lockstep compare them. On error prints "FILE: reason" and returns 2 with nothing left open. */
int cli_load_pair(const char *path, int isa, unsigned decode_flags, const pvm_engine *ea,
                  const pvm_engine *eb, cli_input *in, void **pa, void **pb);
/* Path ends with suffix. */
bool cli_has_suffix(const char *path, const char *suffix);
/* ---- engine code coverage (cli/sancov.c; built with -DJITPROOF_SANCOV=ON, else empty) ---- */
bool cli_sancov_available(void);
size_t cli_sancov_guards(void);
uint32_t cli_sancov_hits(size_t i);
void cli_sancov_reset(void);
/* ---- replay --lockstep (cli/lockstep.c) ---- */
/* Replays path on ea and eb one gas region at a time, comparing the whole state after each;
 * on the first difference prints the region's pc and the difference, writes the entry state
 * to cex_dir and proves the region there. isa and decode_flags as cli_load's. 0 agree, 1 diverge, 2 error. */
int cli_lockstep(const char *path, const pvm_engine *ea, const pvm_engine *eb, const char *cex_dir, int isa,
                 unsigned decode_flags);
/* ---- corpora (cli/cmd_showmap.c) ---- */
/* Adds path to *list (a file), or every file below a folder (recursively, sorted; names
 * starting with '.' and *.md / *.txt notes skipped). Paths are malloc'ed. False (message printed) on error. */
bool cli_corpus_add(char ***list, size_t *n, const char *path);
/* A stable 64-bit hash of bytes (FNV-1a). */
uint64_t cli_hash64(const uint8_t *b, size_t n);
#endif
