/* cli/cmd_seeds.c: `jitproof seeds DIR`: for every opcode and every path of its spec
 * (semantics/paths.c), asks Z3 (sem_z3_build + sem_z3_path) for a pre-state that takes the path,
 * builds it as a one-instruction program, runs it on the interpreter (expected-*), the spec
 * engine and both JITs (all must agree, and the traced spec evaluator must report the path),
 * and writes it as a w3f vector (GP 0.7.2) or a step vector (GP 0.8.0, --isa 0.8.0). Values Z3
 * is free to choose are pinned to pseudo-random ones (an assumption dropped when it conflicts), so
 * seeds are not all zeros. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "interp/interp.h"
#include "jit/jit.h"
#include "pvm/asm_enc.h"
#include "semantics/sem.h"

static const char usage_text[] =
	"usage: jitproof seeds DIR [--list FILE] [--draws N] [--seed N] [--timeout-ms MS] [--opcode NAME]\n"
	"                          [--isa 0.7.2|0.8.0]\n"
	"For every opcode and every path of its spec (each condition both ways, division by zero and\n"
	"overflow, shift amounts, memory ok / panic / page fault, branch taken / not / to a non-block,\n"
	"every djump case, sbrk, out-of-gas), asks Z3 for a state that takes that path and writes it\n"
	"to DIR as a w3f vector (expected-* from the interpreter, cross-checked on the spec engine and\n"
	"the JITs), or with --isa 0.8.0 as a GP 0.8.0 step vector (the revision's opcode bytes, a\n"
	"valid blob, the block's cost charged; its spec adds `unlikely`). Prints every unreachable\n"
	"path with the reason, then\n"
	"'seeds: N paths, N found, N unreachable, N unknown, N vectors written'.\n"
	"  --list FILE      write the reachable paths as showmap ids (spec_<opcode>_<path>), one a line\n"
	"  --draws N        vectors per path (default 2); the exec path also gets one vector per\n"
	"                   register operand placed in the guest registers living in rcx and rdx,\n"
	"                   and one per register field encoded as 13, 14 or 15 (r12), and, for an\n"
	"                   opcode the JIT emits in more than one immediate class, one per value\n"
	"                   on each side of each class's edges (X = -129, -128, 127, 128 for s8)\n"
	"  --seed N         pseudo-random seed for the free values (default 1)\n"
	"  --timeout-ms MS  per Z3 query (default 10000); a timeout is 'unknown'\n"
	"  --opcode NAME    only this opcode\n"
	"  --isa REV        the revision (default 0.7.2: w3f vectors)\n"
	"Exit status: 0 ok, 1 an engine disagreed or a model did not take its path, 2 bad usage.\n";

enum { N_JT = 8, BASE_RA = 7, BASE_RB = 8, BASE_RD = 9 };

typedef struct opts {
	const char *dir, *list;
	unsigned draws, timeout_ms;
	uint64_t seed;
	int opcode;
	pvm_isa isa;
} opts;

typedef struct stats { size_t paths, found, unreachable, unknown, vectors, bad; } stats;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A free value: half uniformly random, a quarter a random sign-extended 32-bit value, a quarter
 * an edge value (0, 1, -1, the 32- and 64-bit sign boundaries, ...). */
static uint64_t draw(uint64_t *st)
{
	static const uint64_t edges[] = { 0, 1, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff80000000ull, 0xffffffff,
	                                  0x8000000000000000ull, 0x7fffffffffffffffull, 2, 0x100000000ull, 31, 32, 63, 64 };
	uint64_t r = mix(*st += 0x632be59bd9b4e019ull), k = r & 3;
	uint64_t v = mix(r);
	if (k < 2) return v;
	if (k == 2) return (uint64_t)(int64_t)(int32_t)v;
	return edges[v % (sizeof edges / sizeof edges[0])];
}

static Z3_ast num(Z3_context c, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(c, v, Z3_mk_bv_sort(c, w)); }

static uint64_t eval_u64(Z3_context c, Z3_model m, Z3_ast t)
{
	Z3_ast r;
	uint64_t v = 0;
	if (t && Z3_model_eval(c, m, t, true, &r)) Z3_get_numeral_uint64(c, r, &v);
	return v;
}

static bool eval_bool(Z3_context c, Z3_model m, Z3_ast t)
{
	Z3_ast r;
	return t && Z3_model_eval(c, m, t, true, &r) && Z3_get_bool_value(c, r) == Z3_L_TRUE;
}

/* ---- the seed program ----------------------------------------------------------------------- */

/* Layout: the instruction at 0 (L bytes, immediates 4 bytes wide), then traps: L (fall-through),
 * L+1 (the branch target that is a block), L+2+i (jump-table entry i); then `load_imm r0` at
 * M - 2 and a trap at M, inside that block. Targets that are not blocks (by the draw, nonblock):
 * M (an instruction inside a block), pc 1 (inside the instruction) or past the code. */
static unsigned encode(pvm_asm_inst *a, pvm_isa isa, uint8_t out[PVM_ASM_MAXLEN])
{
	const char *why;
	a->wx = 4;
	a->wy = 4;
	a->wt = 1;
	return pvm_asm_encode(a, isa, 0, out, &why);
}

enum { TAIL = 3 }; /* load_imm r0 (2 bytes), trap: the instruction inside a block */
static uint32_t mid_block(unsigned len) { return len + 2 + N_JT + 2; }
static uint32_t code_size(unsigned len) { return len + 2 + N_JT + TAIL; }

/* v's program: the blob (§2) of code c (n < 128 bytes: one-byte lengths) with the instruction
 * starts starts[0 .. n) (1 or 0: the bitmask) and jump table jt[0 .. n_jt) of one-byte entries. */
static void set_blob(pvm_vector *v, const uint8_t *c, uint32_t n, const uint8_t *starts, const uint32_t *jt,
                     unsigned n_jt)
{
	size_t blob_len = 3 + n_jt + n + (n + 7) / 8;
	uint8_t *b = pvm_xcalloc(1, blob_len);
	size_t k = 0;
	b[k++] = (uint8_t)n_jt;
	b[k++] = 1;
	b[k++] = (uint8_t)n;
	for (unsigned i = 0; i < n_jt; i++) b[k++] = (uint8_t)jt[i];
	memcpy(b + k, c, n);
	k += n;
	for (uint32_t i = 0; i < n; i++) b[k + i / 8] |= (uint8_t)((starts[i] & 1u) << (i % 8));
	v->program = b;
	v->program_len = blob_len;
}

static void build_blob(pvm_isa isa, const uint8_t *ins, unsigned len, const uint32_t *jt, unsigned n_jt,
                       pvm_vector *v)
{
	_Static_assert(PVM_ASM_MAXLEN + 2 + N_JT + TAIL <= 64, "a seed program fits build_blob's arrays");
	uint8_t c[64], starts[64];
	uint32_t code_len = code_size(len);
	memcpy(c, ins, len);
	memset(c + len, pvm_byte(isa, PVM_OP_trap), code_len - len);
	c[mid_block(len) - 2] = pvm_byte(isa, PVM_OP_load_imm); /* its register byte: r0 */
	c[mid_block(len) - 1] = 0;
	for (uint32_t i = 0; i < code_len; i++) starts[i] = i == 0 || (i >= len && i != mid_block(len) - 1);
	set_blob(v, c, code_len, starts, jt, n_jt);
}

/* ---- one query ------------------------------------------------------------------------------ */

typedef struct job {
	const sem_spec *sp;
	const sem_insn *si;
	unsigned path;       /* index in si->paths */
	uint8_t ra, rb, rd;  /* the registers of the spec's pre-state */
	uint8_t fa, fb, fd;  /* the register fields as encoded: ra rb rd, or 13..15 (meaning r12) */
	unsigned draw;       /* which draw: picks the kind of target that is not a block (nonblock) */
	bool pin_x;          /* X is x (an immediate class's edge), not free */
	uint64_t x;
	uint64_t rng;
	char name[96];
} job;

/* A taken branch's target that is not a basic-block start: draw 0 an instruction inside a block;
 * later draws a byte inside the instruction or past the code (by the opcode's parity). */
static uint32_t nonblock(const job *j, unsigned len)
{
	if (j->draw == 0) return mid_block(len);
	return (j->si->opcode + j->draw) % 2 ? 1 : code_size(len) + 7;
}

/* The traced spec run's check: the instruction at 0 took path `want`. */
typedef struct took { unsigned op; uint64_t want; bool hit; } took;

static void on_inst(void *ctx, uint32_t pc, unsigned op, uint64_t paths)
{
	took *t = ctx;
	if (pc == 0 && op == t->op && (paths & t->want)) t->hit = true;
}

/* Writes v to DIR/NAME.json with (fin, x) as its outcome: GP 0.7.2 a w3f vector with expected-*,
 * GP 0.8.0 a step vector (its initial state, one run, the assert of (fin, x), the block costs of
 * p). 0 written, 2 an I/O error (*why). */
static int write_vec(const opts *o, pvm_vector *v, const pvm_program *p, const pvm_state *fin, pvm_exit x,
                     char *why, size_t n)
{
	char *path = pvm_xmalloc(strlen(o->dir) + strlen(v->name) + 8);
	sprintf(path, "%s/%s.json", o->dir, v->name);
	FILE *f = fopen(path, "w");
	int rc = 0;
	pvm_err err = PVM_OK;
	if (f && v->isa == PVM_ISA_080) {
		pvm_vector08 v8;
		pvm_state init;
		pvm_vector_initial_state(v, &init);
		pvm_vector08_from_run(&v8, v->name, v->program, v->program_len, p, &init, fin, x);
		err = pvm_vector08_write(&v8, f);
		pvm_vector08_fini(&v8);
		pvm_state_fini(&init);
	} else if (f) {
		pvm_vector_set_expected(v, fin, x);
		err = pvm_vector_write(v, f);
	}
	if (!f || err) {
		snprintf(why, n, "%s: cannot write", path);
		rc = 2;
	}
	if (f && fclose(f)) rc = 2;
	free(path);
	return rc;
}

/* Runs v's program (decoded in v's revision) on the interpreter, both JITs and the spec engine
 * (traced: t, if any, must see its path taken) from v's initial state and, if all agree, writes
 * v with the interpreter's outcome (write_vec). 0 written, 1 a disagreement or a path not taken
 * (*why), 2 an I/O error. */
static int check_and_write(const opts *o, const sem_spec *sp, pvm_vector *v, took *t, const char *path_name,
                           char *why, size_t n)
{
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode_isa(&p, v->isa, v->program, v->program_len, v->name, &e)) {
		snprintf(why, n, "%s", e.msg);
		return 1;
	}
	const pvm_engine *engs[] = { &interp_engine, &jit_engine, &jit_portable_engine };
	pvm_state ref;
	pvm_exit xref = { 0 };
	bool ok = true, have_ref = false;
	for (size_t k = 0; k < 4 && ok; k++) {
		pvm_state s;
		pvm_vector_initial_state(v, &s);
		pvm_exit x;
		if (k < 3) {
			void *prep = engs[k]->load(&p, &e);
			if (!prep) {
				snprintf(why, n, "%s: %.400s", engs[k]->name, e.msg);
				pvm_state_fini(&s);
				ok = false;
				break;
			}
			x = engs[k]->run(prep, &s);
			engs[k]->free(prep);
		} else {
			x = sem_run_trace(sp, &p, &s, t ? on_inst : NULL, t);
		}
		if (k == 0) {
			ref = s;
			xref = x;
			have_ref = true;
			continue;
		}
		ok = pvm_state_compare("interp", &ref, xref, k < 3 ? engs[k]->name : "spec", &s, x, why, n);
		pvm_state_fini(&s);
	}
	if (ok && t && !t->hit) {
		snprintf(why, n, "the spec evaluator did not take path %s", path_name);
		ok = false;
	}
	int rc = ok ? write_vec(o, v, &p, &ref, xref, why, n) : 1;
	if (have_ref) pvm_state_fini(&ref);
	pvm_program_fini(&p);
	return rc;
}

/* Realizes the model as a vector and checks it; 0 written, 1 disagreement, 2 I/O error. */
static int realize(const opts *o, const job *j, Z3_context c, Z3_model m, const sem_z3_pre *pre,
                   const sem_z3_post *post, unsigned len, bool oog, char *why, size_t n)
{
	const sem_insn *si = j->si;
	pvm_state s;
	pvm_state_init(&s);
	for (int i = 0; i < PVM_NUM_REGS; i++) s.regs[i] = eval_u64(c, m, pre->regs[i]);
	s.gas = oog ? 0 : 1000;
	pvm_asm_inst a = { .op = (uint8_t)si->opcode, .ra = j->fa, .rb = j->fb, .rd = j->fd };
	a.x = pre->imm ? eval_u64(c, m, pre->imm) : 0;
	a.y = pre->imm2 ? eval_u64(c, m, pre->imm2) : 0;
	a.target = eval_bool(c, m, Z3_mk_select(c, post->is_block, pre->target)) ? len + 1 : nonblock(j, len);
	uint32_t jt[N_JT];
	unsigned n_jt = (unsigned)eval_u64(c, m, post->jt_len);
	if (n_jt > N_JT) n_jt = N_JT;
	for (unsigned i = 0; i < n_jt; i++) jt[i] = len + 2 + i;
	if (post->djump_addr) {
		uint32_t ad = (uint32_t)eval_u64(c, m, post->djump_addr);
		if (ad && !(ad & 1) && ad / 2 - 1 < n_jt) {
			Z3_ast idx = num(c, ad / 2 - 1, 32);
			if (!eval_bool(c, m, Z3_mk_select(c, post->is_block, Z3_mk_select(c, post->jump_table, idx))))
				jt[ad / 2 - 1] = 1;
		}
	}
	for (unsigned k = 0; k < post->n_access; k++) {
		uint32_t ad = (uint32_t)eval_u64(c, m, post->access[k].addr);
		for (unsigned b = 0; b < post->access[k].bytes; b++) {
			uint32_t at = ad + b, pg = at >> PVM_PAGE_SHIFT;
			if (at < PVM_LOW_LIMIT) continue;
			Z3_ast pn = num(c, pg, 20);
			bool w = eval_bool(c, m, Z3_mk_select(c, post->writable, pn));
			bool r = w || eval_bool(c, m, Z3_mk_select(c, post->readable, pn));
			if (r && pvm_mem_perm(s.mem, pg) == PVM_NONE)
				pvm_mem_map(s.mem, pg << PVM_PAGE_SHIFT, PVM_PAGE, w ? PVM_WRITE : PVM_READ);
			if (r && !post->access[k].write) {
				uint8_t byte = (uint8_t)eval_u64(c, m, Z3_mk_select(c, pre->mem, num(c, at, 32)));
				pvm_mem_poke(s.mem, at, &byte, 1);
			}
		}
	}
	uint8_t ins[PVM_ASM_MAXLEN];
	int rc = 0;
	if (encode(&a, o->isa, ins) != len) {
		snprintf(why, n, "the model's operands do not encode in %u bytes", len);
		rc = 1;
	} else {
		pvm_vector v;
		memset(&v, 0, sizeof v);
		pvm_vector_set_initial(&v, j->name, &s);
		v.isa = o->isa;
		build_blob(o->isa, ins, len, jt, n_jt, &v);
		took t = { .op = si->opcode, .want = 1ull << j->path };
		rc = check_and_write(o, j->sp, &v, &t, si->paths[j->path].name, why, n);
		pvm_vector_fini(&v);
	}
	pvm_state_fini(&s);
	return rc;
}

/* Solves one (path, draw, register assignment). Returns 0 written, 1 failed check, 2 I/O,
 * 3 unreachable (*why the reason), 4 unknown. */
static int solve(const opts *o, job *j, char *why, size_t n)
{
	const sem_insn *si = j->si;
	const sem_path *pa = &si->paths[j->path];
	pvm_asm_inst a0 = { .op = (uint8_t)si->opcode, .ra = j->fa, .rb = j->fb, .rd = j->fd, .target = 1 };
	uint8_t ins[PVM_ASM_MAXLEN];
	unsigned len = encode(&a0, o->isa, ins);
	if (!len) {
		snprintf(why, n, "cannot encode %s", si->name);
		return 1;
	}
	Z3_config cfg = Z3_mk_config();
	Z3_context c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(c, NULL);
	Z3_sort b64 = Z3_mk_bv_sort(c, 64), b32 = Z3_mk_bv_sort(c, 32);
	sem_z3_pre pre = { .ra = j->ra, .rb = j->rb, .rd = j->rd };
	uint64_t rng = j->rng;
	uint64_t fixed[PVM_NUM_REGS];
	for (int i = 0; i < PVM_NUM_REGS; i++) fixed[i] = draw(&rng);
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		bool operand = ((si->uses >> SEM_RA) & 1 && i == j->ra) || ((si->uses >> SEM_RB) & 1 && i == j->rb) ||
		               ((si->uses >> SEM_RD) & 1 && i == j->rd);
		char nm[8];
		snprintf(nm, sizeof nm, "r%d", i);
		pre.regs[i] = operand ? Z3_mk_const(c, Z3_mk_string_symbol(c, nm), b64) : num(c, fixed[i], 64);
	}
	unsigned form = si->form;
	bool wide = pvm_forms[form].f1_len == PVM_FR_EIGHT;
	pre.imm = Z3_mk_const(c, Z3_mk_string_symbol(c, "imm"), b64);
	pre.imm2 = Z3_mk_const(c, Z3_mk_string_symbol(c, "imm2"), b64);
	pre.target = Z3_mk_const(c, Z3_mk_string_symbol(c, "target"), b32);
	pre.pc = num(c, 0, 32);
	pre.next = num(c, len, 32);
	pre.gas = num(c, 1000, 64);
	pre.mem = Z3_mk_const(c, Z3_mk_string_symbol(c, "mem"), Z3_mk_array_sort(c, b32, Z3_mk_bv_sort(c, 8)));
	sem_z3_post post;
	pvm_errbuf e;
	int rc = 4;
	if (sem_z3_build(c, j->sp, si->opcode, &pre, &post, &e) != SEM_OK) {
		snprintf(why, n, "%s", e.msg);
		Z3_del_context(c);
		return 1;
	}
	Z3_ast cond = sem_z3_path(c, j->sp, si->opcode, &pre, &post, pa);
	Z3_solver s = Z3_mk_solver(c);
	Z3_solver_inc_ref(c, s);
	Z3_params p = Z3_mk_params(c);
	Z3_params_inc_ref(c, p);
	Z3_params_set_uint(c, p, Z3_mk_string_symbol(c, "timeout"), o->timeout_ms);
	Z3_solver_set_params(c, s, p);
	Z3_solver_assert(c, s, cond);
	/* what the seed program can realize: immediates of 4 bytes (sign-extended), a small jump
	 * table, nothing mapped below 0x10000, writable pages readable */
	if (!wide) Z3_solver_assert(c, s, Z3_mk_eq(c, pre.imm, Z3_mk_sign_ext(c, 32, Z3_mk_extract(c, 31, 0, pre.imm))));
	if (j->pin_x) Z3_solver_assert(c, s, Z3_mk_eq(c, pre.imm, num(c, j->x, 64)));
	Z3_solver_assert(c, s, Z3_mk_eq(c, pre.imm2, Z3_mk_sign_ext(c, 32, Z3_mk_extract(c, 31, 0, pre.imm2))));
	Z3_solver_assert(c, s, Z3_mk_bvule(c, post.jt_len, num(c, N_JT, 32)));
	for (unsigned k = 0; k < post.n_access; k++)
		for (unsigned b = 0; b < post.access[k].bytes; b++) {
			Z3_ast at = b ? Z3_mk_bvadd(c, post.access[k].addr, num(c, b, 32)) : post.access[k].addr;
			Z3_ast pg = Z3_mk_extract(c, 31, 12, at);
			Z3_ast r = Z3_mk_select(c, post.readable, pg), w = Z3_mk_select(c, post.writable, pg);
			Z3_ast low = Z3_mk_bvult(c, at, num(c, PVM_LOW_LIMIT, 32));
			Z3_solver_assert(c, s, Z3_mk_implies(c, low, Z3_mk_and(c, 2, (Z3_ast[]){ Z3_mk_not(c, r), Z3_mk_not(c, w) })));
			Z3_solver_assert(c, s, Z3_mk_implies(c, w, r));
		}
	/* pseudo-random values for everything the path leaves free, as droppable assumptions */
	enum { MAX_ASSUME = 32 };
	Z3_ast lits[MAX_ASSUME];
	unsigned n_lits = 0;
	Z3_ast vars[MAX_ASSUME];
	unsigned n_vars = 0;
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if (!Z3_is_numeral_ast(c, pre.regs[i])) vars[n_vars++] = pre.regs[i];
	vars[n_vars++] = pre.imm;
	vars[n_vars++] = pre.imm2;
	for (unsigned k = 0; k < post.n_access && n_vars + 8 < MAX_ASSUME; k++)
		if (!post.access[k].write)
			for (unsigned b = 0; b < post.access[k].bytes; b++)
				vars[n_vars++] = Z3_mk_select(c, pre.mem, b ? Z3_mk_bvadd(c, post.access[k].addr, num(c, b, 32))
				                                             : post.access[k].addr);
	for (unsigned i = 0; i < n_vars; i++) {
		unsigned w = Z3_get_bv_sort_size(c, Z3_get_sort(c, vars[i]));
		uint64_t v = draw(&rng);
		if (vars[i] == pre.imm && !wide) v = (uint64_t)(int64_t)(int32_t)v;
		if (vars[i] == pre.imm2) v = (uint64_t)(int64_t)(int32_t)v;
		/* an sbrk size of whole pages ends the allocation on a page boundary, where a sandbox's
		 * page rounding goes wrong (the heap starts page-aligned) */
		if (si->opcode == PVM_OP_sbrk && vars[i] == pre.regs[j->ra]) v = PVM_PAGE * (1 + v % 3);
		char nm[16];
		snprintf(nm, sizeof nm, "pin%u", i);
		Z3_ast lit = Z3_mk_const(c, Z3_mk_string_symbol(c, nm), Z3_mk_bool_sort(c));
		Z3_solver_assert(c, s, Z3_mk_implies(c, lit, Z3_mk_eq(c, vars[i], num(c, w < 64 ? v & ((1ull << w) - 1) : v, w))));
		lits[n_lits++] = lit;
	}
	Z3_lbool r = Z3_L_UNDEF;
	for (int round = 0; round < 8; round++) {
		r = Z3_solver_check_assumptions(c, s, n_lits, lits);
		if (r != Z3_L_FALSE || !n_lits) break;
		Z3_ast_vector core = Z3_solver_get_unsat_core(c, s);
		Z3_ast_vector_inc_ref(c, core);
		unsigned k = 0;
		for (unsigned i = 0; i < n_lits; i++) {
			bool in_core = false;
			for (unsigned q = 0; q < Z3_ast_vector_size(c, core) && !in_core; q++)
				in_core = Z3_is_eq_ast(c, Z3_ast_vector_get(c, core, q), lits[i]);
			if (!in_core) lits[k++] = lits[i];
		}
		if (k == n_lits) k = 0; /* an empty core: drop them all */
		n_lits = k;
		Z3_ast_vector_dec_ref(c, core);
	}
	if (r == Z3_L_FALSE) {
		Z3_ast simp = Z3_simplify(c, cond);
		snprintf(why, n, "%s", Z3_is_eq_ast(c, simp, Z3_mk_false(c))
		         ? "the spec rules it out: its condition simplifies to false"
		         : "Z3 unsat: no pre-state takes it (the spec's own guards exclude it)");
		rc = 3;
	} else if (r == Z3_L_UNDEF) {
		snprintf(why, n, "Z3 unknown: %s", Z3_solver_get_reason_unknown(c, s));
		rc = 4;
	} else {
		Z3_model m = Z3_solver_get_model(c, s);
		Z3_model_inc_ref(c, m);
		rc = realize(o, j, c, m, &pre, &post, len, pa->kind == SEM_P_OOG, why, n);
		Z3_model_dec_ref(c, m);
	}
	Z3_params_dec_ref(c, p);
	Z3_solver_dec_ref(c, s);
	Z3_del_context(c);
	return rc;
}

/* ---- fusions ------------------------------------------------------------------------------ */

/* The JIT's fusion patterns (jit.h § fusions) on both sides of their edges: shlo_l_imm_64 r3, rA, X
 * then add_64 r3 with rB in both orders and with rB = r3 (not fused), X & 63 = 0..4 and 65 (only
 * 1..3 fuse), rA = r1 or r3. A seed program of one instruction has no pair: a wrong fusion shows
 * only here. Expected from the interpreter, cross-checked on the spec engine and both JITs. */
static void fusion_seeds(const opts *o, const sem_spec *sp, stats *st)
{
	static const unsigned xs[] = { 0, 1, 2, 3, 4, 65 };
	static const char *const adds[] = { "r3, r3, r2", "r3, r2, r3", "r3, r3, r3" };
	static const char *const tags[] = { "rX_rB", "rB_rX", "rX_rX" };
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
		for (size_t k = 0; k < 3; k++)
			for (int a = 1; a <= 3; a += 2) {
				char text[512], name[96], why[512];
				snprintf(name, sizeof name, "fusion_shlo_l_imm_64_add_64_x%u_%s_rA_r%d", xs[i], tags[k], a);
				snprintf(text, sizeof text,
				         ".reg r1 0x%016llx\n.reg r2 0x%016llx\n.reg r3 0x%016llx\n"
				         "\tshlo_l_imm_64 r3, r%d, %u\n\tadd_64 %s\n\ttrap\n",
				         (unsigned long long)(mix(o->seed ^ (i * 6 + k)) | 1), (unsigned long long)mix(o->seed + 7 * i + k),
				         (unsigned long long)mix(o->seed * 3 + i), a, xs[i], adds[k]);
				pvm_vector v;
				pvm_errbuf e;
				if (pvm_asm_isa(text, strlen(text), o->isa, name, &v, &e) != PVM_OK) {
					printf("seeds: %s: %s\n", name, e.msg);
					st->bad++;
					continue;
				}
				free(v.name);
				v.name = pvm_xstrdup(name);
				v.initial_gas = 1000;
				if (check_and_write(o, sp, &v, NULL, NULL, why, sizeof why) == 0) st->vectors++;
				else printf("seeds: %s: %s\n", name, why), st->bad++;
				pvm_vector_fini(&v);
			}
}

/* ---- prevalidation (GP 0.8.0) ------------------------------------------------------------- */

/* The edges of GP 0.8.0's blob prevalidation (ISA-NOTES-0.8 §3), each a program of code c (n
 * bytes) with bitmask bits at starts[0 .. ns): `load_imm r1, 7` whose skip is 24 (valid: r1 = 7,
 * then a trap at 25, the block's gas charged) and 25 (invalid: a panic at 0 with nothing charged
 * or changed), bit 0 unset, and an undefined opcode byte at a start. A wrong prevalidation runs the
 * invalid ones (or refuses the valid one): the outcomes differ. Expected from the interpreter,
 * cross-checked like every seed. */
static void prevalidation_seeds(const opts *o, const sem_spec *sp, stats *st)
{
	int undefined = -1;
	for (unsigned b = 255; undefined < 0 && b > 0; b--)
		if (pvm_op_decode(o->isa, b) < 0) undefined = (int)b;
	static const struct { const char *name; unsigned gap, bit0, undef; } rows[] = {
		{ "prevalidation_skip_24", 24, 1, 0 }, { "prevalidation_skip_25", 25, 1, 0 },
		{ "prevalidation_bit0_unset", 2, 0, 0 }, { "prevalidation_undefined_opcode", 2, 1, 1 },
	};
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		uint8_t code[32] = { pvm_byte(o->isa, PVM_OP_load_imm), 1, 7 }, starts[32] = { (uint8_t)rows[r].bit0 };
		uint32_t last = rows[r].gap + 1; /* load_imm r1, 7, then a trap (or the undefined byte) at last */
		code[last] = rows[r].undef && undefined >= 0 ? (uint8_t)undefined : pvm_byte(o->isa, PVM_OP_trap);
		starts[last] = 1;
		pvm_vector v;
		memset(&v, 0, sizeof v);
		pvm_state s;
		pvm_state_init(&s);
		s.gas = 1000;
		pvm_vector_set_initial(&v, rows[r].name, &s);
		pvm_state_fini(&s);
		v.isa = o->isa;
		set_blob(&v, code, last + 1, starts, NULL, 0);
		char why[512];
		if (check_and_write(o, sp, &v, NULL, NULL, why, sizeof why) == 0) st->vectors++;
		else printf("seeds: %s: %s\n", rows[r].name, why), st->bad++;
		pvm_vector_fini(&v);
	}
}

/* ---- the command ---------------------------------------------------------------------------- */

static void set_name(job *j, const char *variant)
{
	snprintf(j->name, sizeof j->name, "%s_%s%s", j->si->name, j->si->paths[j->path].name, variant);
}

/* One path: its draws (and for exec the register variants). Returns 0 found, 3 unreachable,
 * 4 unknown; counts vectors and failures into st. */
static int one_path(const opts *o, const sem_spec *sp, const sem_insn *si, unsigned path, stats *st, FILE *list)
{
	unsigned regs = pvm_form_regs(si->form);
	enum { MAXV = 32 };
	struct { uint8_t ra, rb, rd, fa, fb, fd; unsigned draw; bool pin_x; uint64_t x; char tag[24]; } var[MAXV];
	memset(var, 0, sizeof var);
	unsigned nv = 0;
	for (unsigned d = 0; d < o->draws && nv < 16; d++) {
		var[nv].ra = var[nv].fa = BASE_RA, var[nv].rb = var[nv].fb = BASE_RB, var[nv].rd = var[nv].fd = BASE_RD;
		var[nv].draw = d;
		snprintf(var[nv++].tag, sizeof var[0].tag, "_%u", d);
	}
	if (si->paths[path].kind == SEM_P_EXEC) {
		/* each register operand in the guest registers the JIT keeps in rcx and rdx */
		static const uint8_t special[2] = { 12, 11 };
		static const char *const field[3] = { "ra", "rb", "rd" };
		for (unsigned f = 0; f < 3; f++)
			for (unsigned k = 0; k < 2 && nv < 16; k++)
				if (regs >> f & 1) {
					var[nv].ra = var[nv].fa = f == 0 ? special[k] : BASE_RA;
					var[nv].rb = var[nv].fb = f == 1 ? special[k] : BASE_RB;
					var[nv].rd = var[nv].fd = f == 2 ? special[k] : BASE_RD;
					var[nv].draw = 0;
					snprintf(var[nv++].tag, sizeof var[0].tag, "_%s_r%u", field[f], special[k]);
				}
		/* and each register field encoded as 13, 14 or 15, which means r12 (ISA-NOTES §4) */
		for (unsigned f = 0; f < 3 && nv < 16; f++)
			if (regs >> f & 1) {
				uint8_t v = (uint8_t)(13 + f);
				var[nv].ra = f == 0 ? 12 : BASE_RA, var[nv].fa = f == 0 ? v : BASE_RA;
				var[nv].rb = f == 1 ? 12 : BASE_RB, var[nv].fb = f == 1 ? v : BASE_RB;
				var[nv].rd = f == 2 ? 12 : BASE_RD, var[nv].fd = f == 2 ? v : BASE_RD;
				var[nv].draw = 0;
				snprintf(var[nv++].tag, sizeof var[0].tag, "_%s_f%u", field[f], v);
			}
		/* and X on both sides of each edge of each immediate class the JIT distinguishes (the
		 * emitter picks a class by the value: a value put in the wrong class shows here) */
		jit_imm_class cls[JIT_CLASS_COUNT];
		size_t ncls = jit_op_classes(si->opcode, cls, JIT_CLASS_COUNT);
		for (size_t c = 0; c < ncls; c++) {
			uint64_t edge[8];
			size_t ne = jit_class_edges(cls[c], edge, 8);
			for (size_t k = 0; k < ne && nv < MAXV; k++) {
				var[nv].ra = var[nv].fa = BASE_RA, var[nv].rb = var[nv].fb = BASE_RB, var[nv].rd = var[nv].fd = BASE_RD;
				var[nv].draw = 0;
				var[nv].pin_x = true;
				var[nv].x = edge[k];
				snprintf(var[nv++].tag, sizeof var[0].tag, "_x%" PRId64, (int64_t)edge[k]);
			}
		}
	}
	int verdict = 3;
	char reason[512] = "";
	for (unsigned i = 0; i < nv; i++) {
		job j = { .sp = sp, .si = si, .path = path, .ra = var[i].ra, .rb = var[i].rb, .rd = var[i].rd,
		          .fa = var[i].fa, .fb = var[i].fb, .fd = var[i].fd, .draw = var[i].draw,
		          .pin_x = var[i].pin_x, .x = var[i].x };
		j.rng = mix(o->seed * 0x100000001b3ull ^ si->opcode << 16 ^ path << 8 ^ i);
		set_name(&j, var[i].tag);
		char why[512];
		int r = solve(o, &j, why, sizeof why);
		if (r == 0) {
			st->vectors++;
			verdict = 0;
		} else if (r == 1 || r == 2) {
			printf("seeds: %s: %s\n", j.name, why);
			st->bad++;
		} else if (verdict != 0) {
			if (r == 4 || verdict == 3) snprintf(reason, sizeof reason, "%s", why);
			if (r == 4) verdict = 4;
		}
	}
	if (verdict == 0 && list) fprintf(list, "spec_%s_%s\n", si->name, si->paths[path].name);
	if (verdict == 3) printf("unreachable spec_%s_%s: %s\n", si->name, si->paths[path].name, reason);
	if (verdict == 4) printf("unknown spec_%s_%s: %s\n", si->name, si->paths[path].name, reason);
	return verdict;
}

int cmd_seeds(int argc, char **argv)
{
	opts o = { .draws = 2, .timeout_ms = 10000, .seed = 1, .opcode = -1, .isa = PVM_ISA_072 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t v;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--list")) {
			if (!val) return cli_usage("seeds", "--list needs a file");
			o.list = argv[++i];
		} else if (!strcmp(a, "--draws") || !strcmp(a, "--seed") || !strcmp(a, "--timeout-ms")) {
			if (!cli_parse_u64(val, &v)) return cli_usage("seeds", "%s needs a number", a);
			if (!strcmp(a, "--draws")) {
				if (v < 1 || v > 8) return cli_usage("seeds", "--draws: 1..8");
				o.draws = (unsigned)v;
			} else if (!strcmp(a, "--seed")) {
				o.seed = v;
			} else {
				if (!v || v > 3600000) return cli_usage("seeds", "--timeout-ms: 1..3600000");
				o.timeout_ms = (unsigned)v;
			}
			i++;
		} else if (!strcmp(a, "--isa")) {
			int isa = -1;
			if (!val) return cli_usage("seeds", "--isa needs 0.7.2 or 0.8.0");
			int r = cli_parse_isa("seeds", val, &isa);
			if (r) return r;
			o.isa = (pvm_isa)isa;
			i++;
		} else if (!strcmp(a, "--opcode")) {
			if (!val || (o.opcode = pvm_op_by_name(val)) < 0)
				return cli_usage("seeds", "--opcode: unknown opcode '%s'", val ? val : "");
			i++;
		} else if (a[0] == '-' || o.dir) {
			return cli_usage("seeds", "unexpected argument '%s' (try --help)", a);
		} else {
			o.dir = a;
		}
	}
	if (!o.dir) return cli_usage("seeds", "needs DIR (try --help)");
	if (mkdir(o.dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create folder: %s\n", o.dir, strerror(errno));
		return 2;
	}
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load_isa(sem_spec_default_path(), o.isa, &e);
	if (!sp || sem_spec_check_table(sp, o.isa, &e) != SEM_OK) {
		fprintf(stderr, "%s\n", e.msg);
		sem_spec_free(sp);
		return 2;
	}
	FILE *list = NULL;
	if (o.list && !(list = fopen(o.list, "w"))) {
		fprintf(stderr, "%s: cannot write: %s\n", o.list, strerror(errno));
		sem_spec_free(sp);
		return 2;
	}
	stats st = { 0 };
	for (size_t k = 0; k < PVM_NUM_OPCODES; k++) {
		const sem_insn *si = sem_spec_get(sp, pvm_isa_ops(o.isa)[k]);
		if (!si || (o.opcode >= 0 && (unsigned)o.opcode != si->opcode)) continue;
		for (unsigned p = 0; p < si->n_paths; p++) {
			st.paths++;
			int v = one_path(&o, sp, si, p, &st, list);
			if (v == 0) st.found++;
			else if (v == 3) st.unreachable++;
			else st.unknown++;
		}
	}
	if (o.opcode < 0 || o.opcode == PVM_OP_shlo_l_imm_64 || o.opcode == PVM_OP_add_64) fusion_seeds(&o, sp, &st);
	if (o.opcode < 0 && o.isa == PVM_ISA_080) prevalidation_seeds(&o, sp, &st);
	int rc = 0;
	if (list && fclose(list)) {
		fprintf(stderr, "%s: cannot write\n", o.list);
		rc = 2;
	}
	printf("seeds: %zu paths, %zu found, %zu unreachable, %zu unknown, %zu vectors written", st.paths, st.found,
	       st.unreachable, st.unknown, st.vectors);
	if (st.bad) printf(", %zu failed", st.bad);
	printf("\n");
	sem_spec_free(sp);
	return rc ? rc : st.bad ? 1 : 0;
}
