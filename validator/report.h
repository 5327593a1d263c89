/* validator/report.h: verdicts of template instances and the reports written from them
 * (summary line, JSON, JUnit XML, self-contained HTML), the JSON report read back and shard
 * reports merged into one. Pure data + I/O: no Z3 here. */
#ifndef JITPROOF_TV_REPORT_H
#define JITPROOF_TV_REPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "pvm/pvm.h"

typedef enum tv_verdict {
	TV_PROVED,          /* Z3 returned unsat for the negated equivalence */
	TV_CEX,             /* a counterexample: symbolic (Z3 sat) or concrete (fallback divergence) */
	TV_UNKNOWN,         /* the solver could not decide (reason says why) */
	TV_FALLBACK_AGREE,  /* not proved; both engines agreed on every concrete state */
	TV_BUG,             /* Z3 gave a model but its vector does not diverge on replay: a validator bug */
	TV_NUM_VERDICTS
} tv_verdict;

/* "PROVED", "COUNTEREXAMPLE", "UNKNOWN", "FALLBACK-AGREE", "VALIDATOR-BUG" */
const char *tv_verdict_name(tv_verdict v);

/* Register classes: the aliasing pattern of an assignment, the HTML matrix's columns. */
enum tv_regclass { TV_RC_NONE, TV_RC_DISTINCT, TV_RC_D_EQ_A, TV_RC_D_EQ_B, TV_RC_A_EQ_B, TV_RC_ALL_EQ,
                   TV_RC_COUNT };
const char *tv_regclass_name(int rc);

/* The CPU-feature variants the emitter distinguishes: each is its own set of templates. */
typedef enum tv_variant {
	TV_VAR_CPUID,              /* the extensions cpuid reports (engine `jit`) */
	TV_VAR_PORTABLE,           /* none: the portable sequences (engine `jit-portable`) */
	TV_NUM_VARIANTS
} tv_variant;
const char *tv_variant_name(int v);        /* "cpuid", "portable" */
int tv_variant_by_name(const char *name);  /* or -1 */
int tv_regclass_of(int nregs, int r0, int r1, int r2);

/* One checked item: a template instance, a fault/gas path checked concretely, or a block. */
typedef struct tv_result {
	uint8_t op;
	uint8_t nregs, regs[3];    /* register operands in form order (ra/rb/rd as opcodes.def names) */
	uint8_t regclass;          /* enum tv_regclass */
	uint8_t variant;           /* the CPU-feature variant (tv_variant) its code was emitted for */
	uint8_t isa;               /* the revision (pvm_isa) of its spec and program */
	uint8_t reading;           /* the GP 0.7.2 readings (PVM_READING_*) it was checked under */
	char what[48];             /* immediate class or path: "imm:any", "fault-path", "gas-path", "block@12" */
	tv_verdict verdict;
	bool symbolic;             /* TV_CEX: found by Z3 (true) or by the concrete fallback (false) */
	double ms;                 /* proof (or fallback) wall time */
	char detail[256];          /* model summary, unknown reason, divergence line */
	char cex_file[256];        /* written counterexample vector, if any */
	uint32_t index;            /* validate: the item's place in the whole (unsharded) enumeration */
} tv_result;

/* The kinds of query a proof builds (the second solver's counts are per kind). */
enum { TV_QK_TEMPLATE, TV_QK_REGION, TV_QK_PIECE, TV_QK_DISPATCH, TV_QK_LINK, TV_NUM_QKINDS };
const char *tv_qkind_name(int k); /* "template", "region", "piece", "dispatch", "link" */
/* What the second solver (--recheck) said to a query Z3 answered unsat. */
typedef enum tv_recheck_answer {
	TV_RECHECK_UNSAT,   /* agrees */
	TV_RECHECK_SAT,     /* disagrees: the item is VALIDATOR-BUG, never PROVED */
	TV_RECHECK_UNKNOWN, /* gave up within its time limit: no second opinion (the item stays PROVED) */
	TV_RECHECK_ERROR,   /* rejected the query or failed: a disagreement too */
	TV_RECHECK_ANSWERS
} tv_recheck_answer;
const char *tv_recheck_answer_name(int a); /* "unsat", "sat", "unknown", "error" */

/* Where the provers' time goes (summed over workers, each worker counting its own). */
enum { TV_PHASE_LIFT, TV_PHASE_SPEC, TV_PHASE_SOLVE, TV_PHASE_REWRITE, TV_NUM_PHASES };
const char *tv_phase_name(int phase); /* "lift", "spec", "solve", "setup+rewrite" */

/* How a validate run was made: what a merge of shard reports checks is the same in every shard
 * (everything but jobs), and how the shards split the enumeration. */
typedef struct tv_run_info {
	unsigned shard_i, shard_n;  /* this report holds the items with index % shard_n == shard_i */
	size_t enumerated;          /* items of the whole enumeration (every shard's) */
	size_t items;               /* items of this shard (fewer results only after --fail-fast) */
	unsigned merged;            /* a merge: how many shard reports it was made of (0: one run) */
	unsigned jobs;
	unsigned readings;          /* tv_opts.readings */
	bool all_ops;               /* no --opcode: every opcode; else those marked in op[] */
	bool op[PVM_NUM_OPS];
	unsigned fallback_states, timeout_ms, rlimit;
	uint64_t seed;
	bool memo, fail_fast;
	char mutant[48];            /* --mutant NAME, or empty */
	char features[48];          /* the cpuid variant's extensions: "bmi1,bmi2,lzcnt,popcnt" (or "none") */
} tv_run_info;

typedef struct tv_report {
	tv_result *r;
	size_t n, cap;
	double seconds;            /* total wall time */
	double phase_ms[TV_NUM_PHASES]; /* worker time per phase, all workers */
	size_t templates;          /* template instances enumerated (every variant) */
	unsigned variants;         /* bit per variant the report covers */
	unsigned isas;             /* validate: bit per revision (pvm_isa) the report covers */
	size_t queries;            /* queries given to a solver, all workers */
	bool store;                /* the proof store was used; then its counts: */
	size_t store_reused;       /*   PROVED verdicts taken from it (no solver call) */
	size_t store_stored;       /*   PROVED verdicts written to it */
	size_t store_ignored;      /*   entries that did not check (proved again) */
	size_t store_agreed_reused, store_agreed_stored; /* FALLBACK-AGREE verdicts taken from it, written to it */
	const char *recheck;       /* --recheck SOLVER (NULL: none); then its answers per query kind: */
	size_t rechecked[TV_NUM_QKINDS][TV_RECHECK_ANSWERS];
	double recheck_ms;         /*   the second solver's wall time, all workers */
	size_t recheck_alpha[TV_NUM_QKINDS];   /* not run: alpha-equivalent as built to one it proved */
	size_t recheck_skipped[TV_NUM_QKINDS]; /* not run: the memo key of one it gave up on */
	tv_run_info run;           /* validate: how it was made (the JSON report's "run") */
} tv_report;

tv_result *tv_report_add(tv_report *rep);
void tv_report_free(tv_report *rep);
void tv_report_counts(const tv_report *rep, size_t counts[TV_NUM_VERDICTS]);
/* "validate: N proved, N counterexamples, N unknown, N fallback-agree, N templates in S s", then,
 * when the report covers more than one variant, one such line per variant ("  cpuid: ..."). */
void tv_report_summary(const tv_report *rep, FILE *out);
/* "store: N reused, M stored, K ignored entries; Q solver queries" when the report used the store. */
void tv_report_store_summary(const tv_report *rep, FILE *out);
/* With --recheck: "recheck cvc5: N queries (template T, region R, piece P, dispatch D, link L):
 * cvc5 ran on C: U unsat, K unknown, S sat, E errors; A alpha-equivalent as built to one it proved,
 * G to one it gave up on; M s in cvc5" (N = C + A + G). */
void tv_report_recheck_summary(const tv_report *rep, FILE *out);
/* Proof times of the results: median, 99th percentile, max (ms; nearest rank). */
void tv_report_times(const tv_report *rep, double *median, double *p99, double *max);
/* prove's reports, one entry per block (r->what "block@PC", r->op its first instruction):
 * "prove: N blocks: N proved, N counterexamples, N unknown, N fallback-agree, N validator bugs;
 *  block ms: median M, p99 P, max X; S s wall, J workers" */
void tv_report_block_summary(const tv_report *rep, unsigned jobs, FILE *out);
bool tv_report_block_json(const tv_report *rep, const char *program, const char *path);
bool tv_report_block_junit(const tv_report *rep, const char *program, const char *path);
bool tv_report_block_html(const tv_report *rep, const char *program, const char *path);
/* Writers: return false (errno set) if the file cannot be written. The JSON report's "version":
 * 2 added "run" and each result's "index" (what tv_report_read needs). */
enum { TV_REPORT_VERSION = 2 };
bool tv_report_json(const tv_report *rep, const char *path);
bool tv_report_junit(const tv_report *rep, const char *path);

/* A counterexample as an opened cell of the HTML report shows it: the vector's input state and
 * both engines' results, the differing bytes of memory, and how to replay it. */
enum { TV_VIEW_MEM = 16, TV_VIEW_CHUNKS = 4 };
typedef struct tv_view_state {
	char status[48];           /* "halt", "page-fault at 0x21000", "host-call 3" */
	uint32_t pc;
	int64_t gas;
	uint64_t regs[PVM_NUM_REGS];
} tv_view_state;
typedef struct tv_cex_view {
	char why[256];             /* non-empty: the vector could not be run here (the rest is empty) */
	char engine[2][16];        /* "interp", and the variant's JIT ("jit", "jit-portable") */
	tv_view_state in, out[2];
	char pages[200];           /* the input's page map, e.g. "0x20000 rw, 0x21000 ro" */
	struct { uint32_t addr, len; uint8_t b[32]; } chunk[TV_VIEW_CHUNKS]; /* initial memory (first bytes) */
	size_t n_chunks;
	struct { uint32_t addr; uint8_t in, out[2]; } mem[TV_VIEW_MEM];      /* bytes that end differently */
	size_t n_mem;
	char diff[256];            /* the first difference, as replay prints it */
	char replay[600];          /* the command that reproduces it */
} tv_cex_view;

/* What an opened cell shows beyond the results, supplied by the caller (cli/report_views.c
 * emits and disassembles templates, reads the spec file and runs vectors). Any may be NULL. */
typedef struct tv_html_views {
	char *(*code)(void *ctx, const tv_result *r);  /* r's template: offset, bytes, assembly (malloc'ed) */
	char *(*spec)(void *ctx, const tv_result *r);  /* r's spec entry as written, "FILE:LINE" first */
	bool (*cex)(void *ctx, const tv_result *r, tv_cex_view *out); /* false: r has no vector to show */
	void *ctx;
} tv_html_views;

/* One self-contained page (validator/html.c): per revision and variant an opcode x register-class
 * matrix coloured by what each cell needs from a person, a legend, and a panel that an opened
 * cell fills (views may be NULL). The page opens the cell named by a fragment #open=ID or
 * #open=OPCODE (README § validate). */
bool tv_report_html(const tv_report *rep, const char *path, const tv_html_views *views);

/* Reads a JSON report tv_report_json wrote (validator/merge.c) into *rep. Returns PVM_OK, or
 * PVM_EINVAL with "FILE:LINE:COL: reason" (or "FILE: reason") in *e. */
pvm_err tv_report_read(const char *path, tv_report *rep, pvm_errbuf *e);
/* Merges n shard reports (names[i] read into in[i]) into *out as if one run had made them: every
 * shard 0..N-1 of the same N exactly once, the same run options, the items adding up to the
 * enumeration; results in enumeration order, times added. On a mismatch returns PVM_EINVAL with
 * "FILE: reason" in *e. in[] is left empty (its results moved). */
pvm_err tv_report_merge(tv_report *in, const char *const *names, size_t n, tv_report *out, pvm_errbuf *e);
#endif
