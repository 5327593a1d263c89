/* validator/validate.c: `jitproof validate`: enumerates the items, runs them on worker threads,
 * and collects one tv_result per item, in enumeration order (so reports are deterministic).
 * Items, for each revision (GP 0.7.2, GP 0.8.0) and CPU-feature variant asked for: every template
 * instance (the revision's 139 opcodes × 13^k register assignments × immediate classes), one
 * whole-region proof per opcode (gas prologue charging the revision's cost + template +
 * terminator), a proof of the jump-table dispatcher of each dynamic jump, and the concrete
 * fallback checks for what the proofs assume away: the fault paths of every memory opcode and the
 * out-of-gas path of every opcode, each run on a test program of that revision. An UNKNOWN proof
 * gets its own fallback at once. With ecalli, the host-call boundary: the trampolines proved
 * (validator/prove_tramp.c) and the resume after a host call checked concretely, every call
 * answered by the perturbing host on both engines (item host-resume). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "interp/interp.h"
#include "validator/code.h"
#include "validator/prove.h"
#include "validator/prove_tramp.h"
#include "validator/store.h"

typedef enum { IT_TEMPLATE, IT_REGION, IT_FAULT, IT_DJUMP, IT_GAS, IT_TRAMP, IT_HOST, IT_FUSION } item_kind;
static const char *const item_names[] = { "template", "region", "fault-path", "dispatch-path", "gas-path", "trampoline",
                                          "host-resume", "fusion" };

typedef struct item {
	pvm_inst in;
	uint8_t kind;      /* item_kind */
	uint8_t cls;       /* jit_imm_class */
	uint8_t variant;   /* tv_variant: the CPU features the code is emitted for */
	uint8_t isa;       /* pvm_isa: the revision of its spec and test program */
	uint8_t reading;   /* GP 0.7.2: the readings (PVM_READING_*) it is checked under */
	uint8_t part;      /* IT_TRAMP: which trampoline statement (tv_tramp_part); IT_FUSION: the add's
	                    * operand order (0: add_64 rX, rX, rB; 1: add_64 rX, rB, rX) */
	uint8_t fuse_b;    /* IT_FUSION: rB (in: the head, shlo_l_imm_64 rX, rA, s) */
	size_t twin;       /* a portable template: the same instance's cpuid item, or SIZE_MAX */
	size_t isa_twin;   /* a GP 0.8.0 template: the same instance's GP 0.7.2 item, or SIZE_MAX */
} item;

/* Items of one opcode, every revision and variant: [start, end). A worker takes a whole group, so the unsat
 * memo of its Z3 context sees every register assignment of that opcode, and a variant whose code
 * is the same (most templates do not use the extensions) costs nothing more. */
typedef struct group { size_t start, end; } group;

typedef struct run {
	const tv_opts *o;
	tv_opts isa_o[PVM_ISA_COUNT]; /* o with the spec of each revision */
	item *items;
	size_t n;
	group *groups;     /* largest first */
	size_t n_groups;
	tv_result *res;
	atomic_size_t next, done, cex;
	atomic_size_t verdicts[TV_NUM_VERDICTS]; /* of the items done (progress lines) */
	atomic_uint cex_by_op[PVM_NUM_OPS];      /* counterexamples minimized and replayed, per opcode */
	atomic_bool stop;
	pvm_errbuf err;
	atomic_bool failed;
	pthread_mutex_t lock;  /* guards phase_ms and queries */
	double phase_ms[TV_NUM_PHASES];
	size_t queries;
	tv_store *store;       /* the proof store (NULL: none) */
	tv_report *rep;        /* the second solver's counts go here (guarded by lock) */
} run;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- enumeration ---------------------------------------------------------------------------- */

static void push(item **v, size_t *n, size_t *cap, item it)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		*v = pvm_xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = it;
}

static void push_sharded(const tv_opts *o, item **v, size_t *n, size_t *cap, size_t *index, item it)
{
	if ((*index)++ % o->shard_n == o->shard_i) push(v, n, cap, it);
}

/* Register assignment number c (0 .. 13^k - 1) of in's k register operands, in form order. */
static void assign_regs(pvm_inst *in, size_t c)
{
	uint8_t *r[3];
	int k = tv_reg_operands(in, r);
	for (int j = 0; j < k; j++, c /= PVM_NUM_REGS) *r[j] = (uint8_t)(c % PVM_NUM_REGS);
}

/* Row by row of the instruction table, then revision, then variant, so one opcode's items are
 * contiguous (one group). *total: the items of the whole enumeration, every shard's. */
static size_t enumerate(const tv_opts *o, item **out, size_t *total)
{
	item *v = NULL;
	size_t n = 0, cap = 0, index = 0;
	for (unsigned op = 0; op < PVM_NUM_OPS; op++) {
		if (o->only_ops && !o->op[op]) continue;
		/* where this opcode's templates start in v, per revision and variant (SIZE_MAX: none) */
		size_t first[PVM_ISA_COUNT][TV_NUM_VARIANTS];
		memset(first, 0xff, sizeof first);
		for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
			if (!(o->isas >> isa & 1) || !pvm_op_in((pvm_isa)isa, op)) continue;
			for (int var = 0; var < TV_NUM_VARIANTS; var++) {
				if (!(o->variants >> var & 1)) continue;
				item base = { .in = { .op = (uint8_t)op }, .variant = (uint8_t)var, .isa = (uint8_t)isa,
				              .twin = SIZE_MAX, .isa_twin = SIZE_MAX };
				/* GP 0.7.2 under the peers' readings only (--reading peers): what reads the same
				 * stays (the same queries), what reads otherwise is checked below, not here */
				bool differs = isa == PVM_ISA_072 && o->specs[isa] && sem_spec_reading_differs(o->specs[isa], op, PVM_READING_PEERS);
				bool w3f = isa != PVM_ISA_072 || (o->readings & 1);
				bool host = pvm_ops[op].ctl == PVM_CTL_HOST; /* ecalli: the host-call boundary too */
				for (int part = 0; host && w3f && part < TV_TRAMP_PARTS; part++) {
					item tr = base;
					tr.kind = IT_TRAMP;
					tr.part = (uint8_t)part;
					push_sharded(o, &v, &n, &cap, &index, tr);
				}
				first[isa][var] = n;
				size_t k_tpl = 0; /* the template's index within this revision's and variant's enumeration */
				uint8_t *r[3];
				int k = tv_reg_operands(&base.in, r);
				size_t combos = 1;
				for (int j = 0; j < k; j++) combos *= PVM_NUM_REGS;
				jit_imm_class cls[JIT_CLASS_COUNT];
				size_t ncls = jit_op_classes(op, cls, JIT_CLASS_COUNT);
				for (size_t c = 0; c < combos && (w3f || !differs); c++) {
					item it = base;
					assign_regs(&it.in, c);
					for (size_t ci = 0; ci < ncls; ci++, k_tpl++) {
						it.kind = IT_TEMPLATE;
						it.cls = (uint8_t)cls[ci];
						/* the twins, when sharding kept them: same registers and class, enumerated
						 * alike (the cpuid one of this revision; the GP 0.7.2 one of this variant) */
						it.twin = it.isa_twin = SIZE_MAX;
						if (o->shard_n == 1 && var == TV_VAR_PORTABLE && first[isa][TV_VAR_CPUID] != SIZE_MAX)
							it.twin = first[isa][TV_VAR_CPUID] + k_tpl;
						if (o->shard_n == 1 && isa == PVM_ISA_080 && first[PVM_ISA_072][var] != SIZE_MAX)
							it.isa_twin = first[PVM_ISA_072][var] + k_tpl;
						push_sharded(o, &v, &n, &cap, &index, it);
					}
				}
				/* registers 1, 2, 3 in form order for the per-opcode items */
				item one = base;
				tv_reg_operands(&one.in, r);
				for (int j = 0; j < k; j++) *r[j] = (uint8_t)(j + 1);
				one.kind = IT_REGION;
				if (w3f || !differs) push_sharded(o, &v, &n, &cap, &index, one);
				if (pvm_ops[op].acc != PVM_ACC_NOMEM && w3f) {
					one.kind = IT_FAULT;
					push_sharded(o, &v, &n, &cap, &index, one);
				}
				if (pvm_ops[op].ctl == PVM_CTL_DJUMP) {
					one.kind = IT_DJUMP;
					push_sharded(o, &v, &n, &cap, &index, one);
				}
				one.kind = IT_GAS;
				if (w3f) push_sharded(o, &v, &n, &cap, &index, one);
				one.kind = IT_HOST;
				if (w3f && host) push_sharded(o, &v, &n, &cap, &index, one);
				/* GP 0.7.2 under the peers' readings: an entry that reads otherwise (sbrk: its
				 * break) gets its templates and region proved again against that entry; every
				 * other template and region query is built from the same code, layout and entry
				 * (sem_spec_get_reading returns the same one), so it is the same query. The gas and
				 * fault paths differ in the runtime (gas per instruction), so they run again. */
				if (isa != PVM_ISA_072 || !(o->readings >> 1 & 1)) continue;
				item peer = base;
				peer.reading = PVM_READING_PEERS;
				for (size_t c = 0; differs && c < combos; c++) {
					item it = peer;
					assign_regs(&it.in, c);
					for (size_t ci = 0; ci < ncls; ci++) {
						it.kind = IT_TEMPLATE;
						it.cls = (uint8_t)cls[ci];
						push_sharded(o, &v, &n, &cap, &index, it);
					}
				}
				one.reading = PVM_READING_PEERS;
				if (differs) {
					one.kind = IT_REGION;
					push_sharded(o, &v, &n, &cap, &index, one);
				}
				if (pvm_ops[op].acc != PVM_ACC_NOMEM) {
					one.kind = IT_FAULT;
					push_sharded(o, &v, &n, &cap, &index, one);
				}
				one.kind = IT_GAS;
				push_sharded(o, &v, &n, &cap, &index, one);
				one.kind = IT_HOST;
				if (host) push_sharded(o, &v, &n, &cap, &index, one);
			}
		}
	}
	/* The fusion patterns (README § Fusions), after every opcode's items (groups of their own):
	 * shlo_l_imm_64 rX, rA, s then add_64 in either operand order, every rX, rA and rB != rX, s =
	 * 1, 2, 3 (each the class of every X with X & 63 = s), each revision and variant. One group per
	 * (s, order): the revisions and variants of an instance in it in the order of their twins (the
	 * cpuid item before its portable one, GP 0.7.2's before GP 0.8.0's), as for templates. */
	enum { FUSE_REGS = PVM_NUM_REGS * PVM_NUM_REGS * PVM_NUM_REGS };
	for (unsigned sh = 1; sh <= 3 && (!o->only_ops || o->op[PVM_OP_shlo_l_imm_64]); sh++)
		for (uint8_t part = 0; part < 2; part++) {
			size_t first[PVM_ISA_COUNT][TV_NUM_VARIANTS][2]; /* where each (revision, variant, reading) starts */
			memset(first, 0xff, sizeof first);
			for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
				if (!(o->isas >> isa & 1) || !pvm_op_in((pvm_isa)isa, PVM_OP_shlo_l_imm_64) ||
				    !pvm_op_in((pvm_isa)isa, PVM_OP_add_64))
					continue;
				bool w3f = isa != PVM_ISA_072 || (o->readings & 1);
				bool differs = isa == PVM_ISA_072 && o->specs[isa] && (o->readings >> 1 & 1) &&
				               (sem_spec_reading_differs(o->specs[isa], PVM_OP_shlo_l_imm_64, PVM_READING_PEERS) ||
				                sem_spec_reading_differs(o->specs[isa], PVM_OP_add_64, PVM_READING_PEERS));
				for (int rd = 0; rd < 2; rd++)
					for (int var = 0; var < TV_NUM_VARIANTS; var++) {
						if (!(o->variants >> var & 1) || !(rd ? differs : w3f)) continue;
						first[isa][var][rd] = n;
						size_t k = 0; /* the instance's index within this (revision, variant, reading) */
						for (size_t c = 0; c < FUSE_REGS; c++) {
							uint8_t x = (uint8_t)(c % PVM_NUM_REGS), a = (uint8_t)(c / PVM_NUM_REGS % PVM_NUM_REGS),
							        b = (uint8_t)(c / PVM_NUM_REGS / PVM_NUM_REGS);
							if (b == x) continue;
							item it = { .in = { .op = PVM_OP_shlo_l_imm_64, .ra = x, .rb = a, .imm = sh },
							            .kind = IT_FUSION, .variant = (uint8_t)var, .isa = (uint8_t)isa,
							            .reading = rd ? PVM_READING_PEERS : 0, .part = part, .fuse_b = b,
							            .twin = SIZE_MAX, .isa_twin = SIZE_MAX };
							if (o->shard_n == 1 && var == TV_VAR_PORTABLE && first[isa][TV_VAR_CPUID][rd] != SIZE_MAX)
								it.twin = first[isa][TV_VAR_CPUID][rd] + k;
							if (o->shard_n == 1 && isa == PVM_ISA_080 && first[PVM_ISA_072][var][0] != SIZE_MAX)
								it.isa_twin = first[PVM_ISA_072][var][0] + k;
							push_sharded(o, &v, &n, &cap, &index, it);
							k++;
						}
					}
			}
		}
	*out = v;
	*total = index;
	return n;
}

/* The add_64 of fusion item it (its head is it->in). */
static pvm_inst fused_second(const item *it)
{
	uint8_t x = it->in.ra;
	return (pvm_inst){ .op = PVM_OP_add_64, .rd = x, .ra = it->part ? it->fuse_b : x, .rb = it->part ? x : it->fuse_b };
}

/* Items of the same group: one opcode's, or one (s, order) of the fusions'. */
static bool same_group(const item *a, const item *b)
{
	if (a->in.op != b->in.op || (a->kind == IT_FUSION) != (b->kind == IT_FUSION)) return false;
	return a->kind != IT_FUSION || (a->in.imm == b->in.imm && a->part == b->part);
}

/* A fusion item whose twin (the cpuid item of the same instance, or its GP 0.7.2 item) PROVED,
 * where the query is the same term: the portable item's fused code byte for byte the cpuid one's
 * (the query is built from those bytes, the layout and the spec entries: tv_prove_fused), or the
 * GP 0.8.0 item's spec entries of both instructions node for node GP 0.7.2's (the code and layout
 * do not depend on the revision). The twin is in the same group, so this worker finished it. */
static const char *fusion_memo(const run *R, const item *it)
{
	if (!R->o->memo) return NULL;
	const item *tw = it->twin != SIZE_MAX && it->twin < R->n ? &R->items[it->twin] : NULL;
	if (tw && R->res[it->twin].verdict == TV_PROVED && R->res[it->twin].what[0] && tw->kind == IT_FUSION &&
	    tw->variant == TV_VAR_CPUID && tw->isa == it->isa && tw->reading == it->reading &&
	    !memcmp(&tw->in, &it->in, sizeof it->in) && tw->part == it->part && tw->fuse_b == it->fuse_b) {
		pvm_inst a = it->in, b = fused_second(it);
		static _Thread_local jit_tpl x, y;
		if (jit_emit_fused(&a, &b, tv_variant_features(TV_VAR_CPUID), &x) == JIT_OK &&
		    jit_emit_fused(&a, &b, tv_variant_features(TV_VAR_PORTABLE), &y) == JIT_OK && x.len == y.len &&
		    !memcmp(x.bytes, y.bytes, x.len) && x.n_exits == 0 && y.n_exits == 0 && x.n_imms == 0 && y.n_imms == 0)
			return "unsat (memo: the same code as the cpuid variant's, proved)";
	}
	tw = it->isa_twin != SIZE_MAX && it->isa_twin < R->n ? &R->items[it->isa_twin] : NULL;
	if (tw && R->res[it->isa_twin].verdict == TV_PROVED && R->res[it->isa_twin].what[0] && tw->kind == IT_FUSION &&
	    tw->isa == PVM_ISA_072 && it->isa == PVM_ISA_080 && tw->variant == it->variant && tw->reading == 0 &&
	    it->reading == 0 && !memcmp(&tw->in, &it->in, sizeof it->in) && tw->part == it->part && tw->fuse_b == it->fuse_b) {
		const sem_spec *s72 = R->isa_o[PVM_ISA_072].spec, *s80 = R->isa_o[PVM_ISA_080].spec;
		const sem_insn *a72 = sem_spec_get(s72, PVM_OP_shlo_l_imm_64), *a80 = sem_spec_get(s80, PVM_OP_shlo_l_imm_64),
		               *b72 = sem_spec_get(s72, PVM_OP_add_64), *b80 = sem_spec_get(s80, PVM_OP_add_64);
		if (a72 && a80 && b72 && b80 && sem_insn_same(a72, a80) && sem_insn_same(b72, b80))
			return "unsat (memo: the same code and spec entries as the GP 0.7.2 instance's, proved)";
	}
	return NULL;
}

/* ---- concrete fallback ------------------------------------------------------------------------ */

/* Addresses around the fallback's memory layout: RW page 0x20000, RO page 0x21000, nothing at
 * 0x22000; the low 64 KiB; the top of the address space. */
static const uint32_t edge_addrs[] = {
	0x20000, 0x20ffc, 0x20fff, 0x21000, 0x21ffc, 0x21fff, 0x22000, 0x1fffe, 0x0, 0xfff8, 0xffff,
	0xfffffffc, 0xffffffff, 0xfffff000,
};

static uint64_t pick_imm(uint64_t *s, unsigned op)
{
	uint64_t v = tv_pick_value(s);
	return op == PVM_OP_load_imm_64 ? v : pvm_sext(v, 4);
}

/* One concrete state of an item: registers, immediates, memory, gas. For fault items the
 * address operand is steered onto the edges of the layout. A gas item's gas is relative to the
 * cost of its test program's entry (known once the program is built): *gas_pick is -1, 0 or 1
 * (cost - 1, cost, cost + 1), or 2 with v->initial_gas already set (0 or negative). */
static void make_state(const item *it, uint64_t *s, pvm_inst *in, pvm_vector *v, int *gas_pick)
{
	*in = it->in;
	uint8_t *r[3];
	int k = tv_reg_operands(in, r);
	if (it->kind != IT_TEMPLATE) /* per-opcode items also vary the register assignment */
		for (int j = 0; j < k; j++) *r[j] = (uint8_t)(tv_rng_next(s) % PVM_NUM_REGS);
	do {
		in->imm = pick_imm(s, in->op);
		in->imm2 = pick_imm(s, in->op);
	} while (!jit_class_holds((jit_imm_class)it->cls, in->imm, in->imm2));
	for (int i = 0; i < PVM_NUM_REGS; i++) v->initial_regs[i] = tv_pick_value(s);
	if (in->op == PVM_OP_sbrk) /* sizes around pages, not 2^64 (each engine maps what it gets) */
		v->initial_regs[in->ra] = tv_rng_next(s) % 4 == 0 ? tv_pick_value(s) % 3 : tv_rng_next(s) % (3 * PVM_PAGE);
	if (it->kind == IT_FAULT) {
		/* steer the effective address: the base register (or the immediate) to an edge */
		uint32_t want = edge_addrs[tv_rng_next(s) % (sizeof edge_addrs / sizeof edge_addrs[0])]
		                + (uint32_t)(tv_rng_next(s) % 3) - 1;
		unsigned form = pvm_ops[in->op].form;
		if (form == PVM_FORM_REG2_IMM) v->initial_regs[in->rb] = (uint64_t)(uint32_t)(want - (uint32_t)in->imm);
		else if (form == PVM_FORM_REG_IMM2) v->initial_regs[in->ra] = (uint64_t)(uint32_t)(want - (uint32_t)in->imm);
		else in->imm = pvm_sext(want, 4);
		if (!jit_class_holds((jit_imm_class)it->cls, in->imm, in->imm2)) in->imm = it->in.imm;
	}
	if (it->kind == IT_DJUMP) {
		/* steer the jump address onto the dispatch edges: 0, every table entry 2k and just past
		 * the table (tv_program_for's table has 16 entries), odd addresses, the halt address */
		uint32_t r = (uint32_t)tv_rng_next(s);
		uint32_t want = r % 8 == 0 ? 0xffff0000u : 2 * (r / 8 % 20) + (r % 8 == 1);
		if (in->op == PVM_OP_jump_ind) v->initial_regs[in->ra] = (uint32_t)(want - (uint32_t)in->imm);
		else v->initial_regs[in->rb] = (uint32_t)(want - (uint32_t)in->imm2);
	}
	static const pvm_pagemap pages[] = { { 0x20000, PVM_PAGE, true }, { 0x21000, PVM_PAGE, false },
	                                     { 0xfffff000, PVM_PAGE, true } };
	v->page_map = pvm_xmalloc(sizeof pages);
	memcpy(v->page_map, pages, sizeof pages);
	v->n_page_map = 3;
	v->initial_mem = pvm_xcalloc(1, sizeof *v->initial_mem);
	v->initial_mem[0].address = 0x20ff0;
	v->initial_mem[0].len = 0x20;
	v->initial_mem[0].data = pvm_xmalloc(0x20);
	for (int i = 0; i < 0x20; i++) v->initial_mem[0].data[i] = (uint8_t)tv_rng_next(s);
	v->n_initial_mem = 1;
	v->initial_gas = 1000;
	v->reading = it->reading;
	if (in->op == PVM_OP_sbrk) { /* a heap as a container sets one up: the break at or after 0x22000
	                              * (above the RO page), the stack starting at 0x40000 */
		v->has_heap = true;
		v->heap_base = 0x20000;
		v->heap_top = 0x22000 + (tv_rng_next(s) % 2 ? 0 : (uint32_t)(tv_rng_next(s) % PVM_PAGE));
		v->heap_limit = 0x30000;
	}
	*gas_pick = 2;
	if (it->kind == IT_GAS) { /* around the entry's cost, or none at all */
		int g = (int)(tv_rng_next(s) % 4);
		if (g == 3) v->initial_gas = -(int64_t)(tv_rng_next(s) % 5);
		else *gas_pick = g - 1;
	}
}

/* The seed of an item's fallback states: --seed and the item itself (not its place in the
 * enumeration), so a shard, an --opcode run and a whole run draw the same states for it, and an
 * item added elsewhere changes no other item's states (nor its proof store key). */
static uint64_t fallback_seed(const tv_opts *o, const item *it)
{
	uint64_t f[] = { it->in.op, it->in.ra, it->in.rb, it->in.rd, it->in.imm, it->in.imm2, it->kind, it->cls,
	                 it->variant, it->isa, it->reading, it->part, it->fuse_b };
	uint64_t h = o->seed;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		h = (h ^ f[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	return h;
}

/* Runs both engines on n states of the item; returns TV_FALLBACK_AGREE or TV_CEX (with the
 * diverging vector written when a cex dir is set). */
static tv_verdict fallback(const tv_opts *o, const item *it, size_t idx, tv_result *res, const char *why)
{
	uint64_t seed = fallback_seed(o, it);
	double t0 = now_s();
	const pvm_engine *jit = tv_variant_engine(it->variant);
	tv_verdict verdict = TV_FALLBACK_AGREE;
	for (unsigned k = 0; k < o->fallback_states; k++) {
		pvm_inst in;
		pvm_vector v;
		memset(&v, 0, sizeof v);
		int gas_pick;
		make_state(it, &seed, &in, &v, &gas_pick);
		if (tv_program_for(&in, (pvm_isa)it->isa, &v) != PVM_OK) {
			pvm_vector_fini(&v);
			continue;
		}
		pvm_program p;
		pvm_errbuf e;
		if (pvm_program_decode_isa(&p, v.isa, v.program, v.program_len, "fallback", &e) != PVM_OK) {
			pvm_vector_fini(&v);
			continue;
		}
		/* the gas charged on entry as the spec engine charges it (GP 0.7.2: the region's
		 * instructions; GP 0.8.0: the cost model's cost of the block) */
		if (gas_pick != 2) v.initial_gas = (int64_t)tv_region_cost(o->spec, &p, 0) + gas_pick;
		void *pa = interp_engine.load(&p, &e), *pb = jit->load(&p, &e);
		pvm_state sa, sb;
		pvm_vector_initial_state(&v, &sa);
		pvm_vector_initial_state(&v, &sb);
		pvm_exit xa = interp_engine.run(pa, &sa), xb = jit->run(pb, &sb);
		char diff[256];
		bool same = pvm_perm_compare(&interp_engine, pa, &sa, jit, pb, &sb, true, diff, sizeof diff) &&
		            pvm_state_compare("interp", &sa, xa, jit->name, &sb, xb, diff, sizeof diff) &&
		            pvm_perm_compare(&interp_engine, pa, &sa, jit, pb, &sb, false, diff, sizeof diff);
		/* host-resume: the perturbing host answers on both sides (the states compared equal just
		 * now, so the answers are equal: every register, the gas and a memory word changed), both
		 * resume, and the next stop is compared */
		int calls = 0;
		while (same && it->kind == IT_HOST && xa.status == PVM_HOST && calls < 4) {
			bool ga = pvm_host_perturb(&sa, &xa), gb = pvm_host_perturb(&sb, &xb);
			if (!ga || !gb) break;
			calls++;
			xa = interp_engine.run(pa, &sa), xb = jit->run(pb, &sb);
			same = pvm_perm_compare(&interp_engine, pa, &sa, jit, pb, &sb, true, diff, sizeof diff) &&
			       pvm_state_compare("interp", &sa, xa, jit->name, &sb, xb, diff, sizeof diff) &&
			       pvm_perm_compare(&interp_engine, pa, &sa, jit, pb, &sb, false, diff, sizeof diff);
		}
		if (!same) {
			verdict = TV_CEX;
			snprintf(res->detail, sizeof res->detail, "%s: state %u%s: %.160s", item_names[it->kind], k,
			         calls ? " after a host call (--host perturb)" : "", diff);
			if (o->cex_dir) {
				snprintf(res->cex_file, sizeof res->cex_file, "%s/%s_%s%s_%zu.json", o->cex_dir,
				         pvm_ops[in.op].name, item_names[it->kind], v.isa == PVM_ISA_080 ? "_gp080" : "",
				         idx * o->shard_n + o->shard_i); /* the index in the whole enumeration */
				v.name = pvm_xstrdup(res->cex_file);
				pvm_vector_set_expected(&v, &sa, xa);
				if (tv_cex_save(&v, res->cex_file, &e) != PVM_OK) res->cex_file[0] = 0;
			}
		}
		pvm_state_fini(&sa);
		pvm_state_fini(&sb);
		if (pa) interp_engine.free(pa);
		if (pb) jit->free(pb);
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
		if (verdict == TV_CEX) break;
	}
	if (verdict == TV_FALLBACK_AGREE)
		snprintf(res->detail, sizeof res->detail, "%s%s%u states agree", why ? why : "", why ? "; fallback: " : "",
		         o->fallback_states);
	res->ms += (now_s() - t0) * 1e3;
	return verdict;
}

/* ---- one item -------------------------------------------------------------------------------- */

/* A portable template whose code is byte for byte its cpuid twin's (bytes, immediate fields,
 * exits), and the twin PROVED: the lifted query is the same term, so the same unsat holds (the
 * memo's identity one step earlier; off with --no-memo, checked by validate_memo_sound). The twin
 * is in the same group, so the same worker has already finished it. */
static bool same_code_as_twin(const run *R, const item *it)
{
	if (it->twin == SIZE_MAX || it->twin >= R->n || R->res[it->twin].verdict != TV_PROVED ||
	    !R->res[it->twin].what[0])
		return false;
	const item *tw = &R->items[it->twin];
	if (tw->kind != IT_TEMPLATE || tw->variant != TV_VAR_CPUID || tw->cls != it->cls ||
	    memcmp(&tw->in, &it->in, sizeof it->in))
		return false;
	static _Thread_local jit_tpl a, b;
	if (jit_emit_template_code(&it->in, (jit_imm_class)it->cls, tv_variant_features(TV_VAR_CPUID), &a) != JIT_OK ||
	    jit_emit_template_code(&it->in, (jit_imm_class)it->cls, tv_variant_features(TV_VAR_PORTABLE), &b) != JIT_OK)
		return false;
	return a.len == b.len && !memcmp(a.bytes, b.bytes, a.len) && a.n_imms == b.n_imms &&
	       !memcmp(a.imms, b.imms, a.n_imms * sizeof a.imms[0]) && a.n_exits == b.n_exits &&
	       !memcmp(a.exits, b.exits, a.n_exits * sizeof a.exits[0]);
}

/* A GP 0.8.0 template whose GP 0.7.2 twin (same registers, class and variant) PROVED, where the
 * two revisions' spec entries are the same (sem_insn_same): the query is built from the template's
 * bytes, immediate fields and exits (jit_emit_template has no revision: the same for both), the
 * single-instruction layout (the same in both: tv_program_for) and the spec entry, so it is the
 * same term and the same unsat holds. Off with --no-memo (validate_memo_sound compares). */
static bool same_query_as_isa_twin(const run *R, const item *it)
{
	if (it->isa_twin == SIZE_MAX || it->isa_twin >= R->n || R->res[it->isa_twin].verdict != TV_PROVED ||
	    !R->res[it->isa_twin].what[0])
		return false;
	const item *tw = &R->items[it->isa_twin];
	if (tw->kind != IT_TEMPLATE || tw->isa != PVM_ISA_072 || tw->variant != it->variant || tw->cls != it->cls ||
	    memcmp(&tw->in, &it->in, sizeof it->in))
		return false;
	const sem_insn *a = sem_spec_get(R->isa_o[PVM_ISA_072].spec, it->in.op),
	               *b = sem_spec_get(R->isa_o[PVM_ISA_080].spec, it->in.op);
	return a && b && sem_insn_same(a, b);
}

/* ---- the proof store (validator/store.h) ----------------------------------------------------- */

/* A template item: PROVED from the store when it holds the item's key, else proved (and stored
 * when PROVED). */
static tv_verdict template_item(run *R, tv_worker *w, const item *it, const pvm_inst *in, tv_result *res, tv_cex *cex)
{
	tv_key k;
	bool keyed = R->store && tv_store_key_template(R->store, w->o->spec, in, (jit_imm_class)it->cls, it->variant,
	                                               w->feat, it->reading, &k);
	if (keyed && tv_store_get(R->store, &k)) return tv_store_reused(res);
	tv_verdict v = tv_prove_template(w, in, (jit_imm_class)it->cls, res, cex);
	if (keyed && v == TV_PROVED) tv_store_put_result(R->store, &k, res);
	return v;
}

/* A region or dispatch item: its test program built into *prog (in laid out in it), then the same
 * with the program's key. */
static tv_verdict program_item(run *R, tv_worker *w, const item *it, pvm_inst *in, pvm_vector *prog, tv_result *res,
                               tv_cex *cex)
{
	pvm_program p;
	pvm_errbuf e;
	in->imm = in->imm2 = 0x7b;
	if (tv_program_for(in, (pvm_isa)it->isa, prog) != PVM_OK ||
	    pvm_program_decode_isa(&p, prog->isa, prog->program, prog->program_len, "region", &e) != PVM_OK)
		return TV_UNKNOWN;
	bool dispatch = it->kind == IT_DJUMP;
	tv_key k;
	bool keyed = R->store && tv_store_key_program(R->store, w->o->spec, &p, prog->program, prog->program_len, in,
	                                              dispatch, it->variant, w->feat, it->reading, &k);
	tv_verdict v;
	if (keyed && tv_store_get(R->store, &k)) {
		v = tv_store_reused(res);
	} else {
		v = dispatch ? tv_prove_dispatch(w, &p, in, res, cex) : tv_prove_region(w, &p, NULL, 0, res, cex, NULL);
		if (keyed && v == TV_PROVED) tv_store_put_result(R->store, &k, res);
	}
	pvm_program_fini(&p);
	return v;
}

/* A fusion item: PROVED from the store when it holds the item's key, else proved (tv_prove_fused);
 * a counterexample is written as the pair's two-instruction vector and replayed. */
static void fusion_item(run *R, tv_worker *w, const item *it, size_t i, tv_result *res)
{
	const tv_opts *o = w->o;
	pvm_inst a = it->in, b = fused_second(it);
	res->nregs = 3;
	res->regs[0] = a.ra, res->regs[1] = a.rb, res->regs[2] = it->fuse_b;
	res->regclass = (uint8_t)tv_regclass_of(3, res->regs[0], res->regs[1], res->regs[2]);
	snprintf(res->what, sizeof res->what, "fusion:s%u%s", (unsigned)a.imm, it->part ? ",add-rB-rX" : ",add-rX-rB");
	const char *memo = fusion_memo(R, it);
	if (memo) {
		snprintf(res->detail, sizeof res->detail, "%s", memo);
		res->verdict = TV_PROVED;
		return;
	}
	tv_key k;
	bool keyed = R->store && tv_store_key_fused(R->store, o->spec, &a, &b, it->variant, w->feat, it->reading, &k);
	if (keyed && tv_store_get(R->store, &k)) {
		res->verdict = tv_store_reused(res);
		return;
	}
	tv_cex cex;
	tv_verdict v = tv_prove_fused(w, &a, &b, res, &cex);
	if (keyed && v == TV_PROVED) tv_store_put_result(R->store, &k, res);
	if (v == TV_CEX && cex.valid) {
		char path[256];
		snprintf(path, sizeof path, "%s/fused_%s_%s_r%u_r%u_r%u_s%u_%zu%s%s.json", o->cex_dir ? o->cex_dir : ".",
		         pvm_ops[a.op].name, pvm_ops[b.op].name, a.ra, a.rb, it->fuse_b, (unsigned)a.imm, i,
		         it->variant == TV_VAR_PORTABLE ? "_portable" : "", it->isa == PVM_ISA_080 ? "_gp080" : "");
		pvm_vector cv;
		pvm_errbuf e;
		pvm_err err = tv_cex_vector_fused(&cex, &a, &b, (pvm_isa)it->isa, path, &cv, &e);
		if (!err) cv.reading = it->reading;
		v = tv_cex_confirm(o, res, err ? NULL : &cv, err ? e.msg : NULL, path);
		if (!err) pvm_vector_fini(&cv);
		if (v == TV_CEX && atomic_fetch_add(&R->cex_by_op[a.op], 1) == 0 && o->live) {
			fprintf(o->live, "validate: first counterexample: %s + %s r%u,r%u,r%u [%s, %s%s]: %s%s%s\n", pvm_ops[a.op].name,
			        pvm_ops[b.op].name, res->regs[0], res->regs[1], res->regs[2], res->what,
			        tv_variant_name(res->variant), res->isa == PVM_ISA_080 ? ", GP 0.8.0" : "", res->detail,
			        res->cex_file[0] ? " -> " : "", res->cex_file);
			fflush(o->live);
		}
	}
	res->verdict = v;
}

static void do_item(run *R, tv_worker *w, size_t i)
{
	const item *it = &R->items[i];
	tv_result *res = &R->res[i];
	const tv_opts *o = &R->isa_o[it->isa];
	w->o = o; /* the proofs read the spec of the item's revision through the worker */
	size_t recheck_bad = w->recheck_bad, recheck_unknown = w->recheck_unknown; /* the second solver's, before */
	res->op = it->in.op;
	res->variant = it->variant;
	res->isa = it->isa;
	res->reading = it->reading;
	w->reading = it->reading;
	w->feat = tv_variant_features(it->variant);
	if (it->kind == IT_FUSION) {
		fusion_item(R, w, it, i, res);
		if (res->verdict == TV_PROVED && w->recheck_bad != recheck_bad) { /* the second solver refuted a query */
			res->verdict = TV_BUG;
			snprintf(res->detail, sizeof res->detail, "%.255s", w->recheck_why);
		}
		(void)recheck_unknown;
		return;
	}
	pvm_inst in = it->in;
	uint8_t *r[3];
	res->nregs = (uint8_t)tv_reg_operands(&in, r);
	for (int j = 0; j < res->nregs; j++) res->regs[j] = *r[j];
	res->regclass = (uint8_t)tv_regclass_of(res->nregs, res->regs[0], res->regs[1], res->regs[2]);
	if (it->kind == IT_TEMPLATE) snprintf(res->what, sizeof res->what, "imm:%s", jit_class_name(it->cls));
	else snprintf(res->what, sizeof res->what, "%s", item_names[it->kind]);
	if (it->kind == IT_FAULT || it->kind == IT_GAS || it->kind == IT_HOST) {
		/* the same states through the same engines agree again: the store's AGREED entry (store.h) */
		tv_key k;
		bool keyed = R->store && tv_store_key_fallback(R->store, o->spec, item_names[it->kind], &it->in,
		                                               (jit_imm_class)it->cls, it->variant, w->feat, it->reading,
		                                               fallback_seed(o, it), o->fallback_states, &k);
		if (keyed && tv_store_get_agreed(R->store, &k)) {
			res->verdict = tv_store_reused_agreed(res, o->fallback_states);
			return;
		}
		res->verdict = fallback(o, it, i, res, NULL);
		if (keyed && res->verdict == TV_FALLBACK_AGREE) tv_store_put_agreed(R->store, &k, res);
		return;
	}
	if (it->kind == IT_TRAMP) {
		jit_tramp t;
		if (jit_tramp_emit(w->feat, &t) != JIT_OK) {
			snprintf(res->what, sizeof res->what, "%s", tv_tramp_names[it->part]);
			snprintf(res->detail, sizeof res->detail, "the trampolines do not fit their buffer");
			res->verdict = TV_UNKNOWN;
			return;
		}
		tv_prove_tramp(o, &t, (tv_tramp_part)it->part, res);
		if (res->verdict == TV_CEX && o->live && atomic_fetch_add(&R->cex_by_op[it->in.op], 1) == 0) {
			fprintf(o->live, "validate: first counterexample: %s [%s, %s%s]: %s%s%s\n", pvm_ops[it->in.op].name, res->what,
			        tv_variant_name(res->variant), res->isa == PVM_ISA_080 ? ", GP 0.8.0" : "", res->detail,
			        res->cex_file[0] ? " -> " : "", res->cex_file);
			fflush(o->live);
		}
		return;
	}
	tv_cex cex;
	tv_verdict v;
	pvm_vector prog;
	memset(&prog, 0, sizeof prog);
	if (it->kind == IT_TEMPLATE && o->memo && same_code_as_twin(R, it)) {
		/* identical bytes, immediate fields and exits give the identical query: its proof holds */
		snprintf(res->detail, sizeof res->detail, "unsat (memo: the same code as the cpuid variant's, proved)");
		res->verdict = TV_PROVED;
		return;
	} else if (it->kind == IT_TEMPLATE && o->memo && same_query_as_isa_twin(R, it)) {
		snprintf(res->detail, sizeof res->detail,
		         "unsat (memo: the same code and spec entry as the GP 0.7.2 instance's, proved)");
		res->verdict = TV_PROVED;
		return;
	} else if (it->kind == IT_TEMPLATE) {
		/* past --max-cex counterexamples of this opcode (its group is this worker's alone): a failing
		 * instance is counted as one, without the model's minimization, the vector and its replay */
		w->count_only = o->max_cex && atomic_load(&R->cex_by_op[it->in.op]) >= o->max_cex;
		if (w->count_only) {
			/* a few concrete states first: a bug that broke the opcode shows on any of them (a real
			 * divergence of the two engines, so a sound count), in a fraction of a query's time */
			tv_opts quick = *o;
			quick.cex_dir = NULL;
			quick.fallback_states = 4;
			v = fallback(&quick, it, i, res, NULL);
			if (v != TV_CEX) {
				res->detail[0] = 0;
				res->ms = 0;
				v = template_item(R, w, it, &in, res, &cex);
			}
			w->count_only = false;
			if (v == TV_CEX) {
				size_t l = strlen(res->detail);
				snprintf(res->detail + l, sizeof res->detail - l,
				         " (counted only: --max-cex %u counterexamples of %s already minimized and replayed)",
				         o->max_cex, pvm_ops[it->in.op].name);
				res->verdict = TV_CEX;
				return;
			}
		} else {
			v = template_item(R, w, it, &in, res, &cex);
		}
	} else {
		v = program_item(R, w, it, &in, &prog, res, &cex);
	}
	if (v == TV_CEX && cex.valid) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s_r%u_r%u_r%u_%s%s%s.json", o->cex_dir ? o->cex_dir : ".",
		         pvm_ops[in.op].name, res->regs[0], res->regs[1], res->regs[2],
		         it->kind == IT_TEMPLATE ? "template" : it->kind == IT_DJUMP ? "dispatch" : "region",
		         it->variant == TV_VAR_PORTABLE ? "_portable" : "", it->isa == PVM_ISA_080 ? "_gp080" : "");
		pvm_vector cv;
		pvm_errbuf e;
		pvm_err err;
		if (it->kind == IT_TEMPLATE || it->kind == IT_DJUMP) {
			err = tv_cex_vector_template(&cex, &in, (pvm_isa)it->isa, path, &cv, &e);
			if (!err) cv.reading = it->reading;
		} else {
			pvm_vector orig;
			memset(&orig, 0, sizeof orig);
			orig.program = prog.program;
			orig.program_len = prog.program_len;
			orig.isa = prog.isa;
			err = tv_cex_vector_block(&cex, &orig, 0, UINT64_MAX, path, &cv, &e);
			if (!err) cv.reading = it->reading;
		}
		v = tv_cex_confirm(o, res, err ? NULL : &cv, err ? e.msg : NULL, path);
		if (!err) pvm_vector_fini(&cv);
		if (v == TV_CEX && atomic_fetch_add(&R->cex_by_op[in.op], 1) == 0 && o->live) {
			/* the first of this opcode, announced at once: a broken template shows in seconds */
			fprintf(o->live, "validate: first counterexample: %s", pvm_ops[in.op].name);
			for (int j = 0; j < res->nregs; j++) fprintf(o->live, "%sr%u", j ? "," : " ", res->regs[j]);
			fprintf(o->live, " [%s, %s%s]: %s%s%s\n", res->what, tv_variant_name(res->variant),
			        res->isa == PVM_ISA_080 ? ", GP 0.8.0" : "", res->detail, res->cex_file[0] ? " -> " : "",
			        res->cex_file);
			fflush(o->live);
		}
	}
	pvm_vector_fini(&prog);
	if (v == TV_UNKNOWN) {
		char why[200];
		snprintf(why, sizeof why, "unknown (%.150s)", res->detail);
		v = fallback(o, it, i, res, why);
	}
	if (v == TV_PROVED && w->recheck_bad != recheck_bad) { /* a query of its proof the second solver refuted */
		v = TV_BUG;
		snprintf(res->detail, sizeof res->detail, "%.255s", w->recheck_why);
	} else if (v == TV_PROVED && w->recheck_unknown != recheck_unknown) {
		size_t l = strlen(res->detail);
		snprintf(res->detail + l, sizeof res->detail - l, "%s%s gave up on %zu of its queries", l ? "; " : "",
		         o->recheck, w->recheck_unknown - recheck_unknown);
	}
	res->verdict = v;
}

static int larger_first(const void *a, const void *b)
{
	const group *x = a, *y = b;
	size_t nx = x->end - x->start, ny = y->end - y->start;
	return nx != ny ? (nx < ny) - (nx > ny) : (x->start > y->start) - (x->start < y->start);
}

static void *worker_main(void *arg)
{
	run *R = arg;
	tv_worker w;
	tv_worker_init(&w, R->o);
	for (;;) {
		size_t g = atomic_fetch_add(&R->next, 1);
		if (g >= R->n_groups) break;
		for (size_t i = R->groups[g].start; i < R->groups[g].end && !atomic_load(&R->stop); i++) {
			do_item(R, &w, i);
			atomic_fetch_add(&R->verdicts[R->res[i].verdict], 1);
			if (R->res[i].verdict == TV_CEX) {
				atomic_fetch_add(&R->cex, 1);
				if (R->o->fail_fast) atomic_store(&R->stop, true);
			}
			atomic_fetch_add(&R->done, 1);
		}
		tv_worker_rest(&w);
	}
	pthread_mutex_lock(&R->lock);
	tv_worker_phases(&w, R->phase_ms);
	R->queries += tv_worker_queries(&w);
	tv_worker_rechecks(&w, R->rep);
	pthread_mutex_unlock(&R->lock);
	tv_worker_fini(&w);
	return NULL;
}

pvm_err tv_validate(const tv_opts *o, tv_report *rep, pvm_errbuf *e)
{
	double t0 = now_s();
	if (o->cex_dir && mkdir(o->cex_dir, 0777) != 0 && access(o->cex_dir, W_OK) != 0) {
		pvm_errf(e, "%s: cannot create the counterexample folder", o->cex_dir);
		return PVM_EIO;
	}
	run R;
	memset(&R, 0, sizeof R);
	R.o = o;
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
		R.isa_o[isa] = *o;
		R.isa_o[isa].spec = o->specs[isa];
		if ((o->isas >> isa & 1) && (!o->specs[isa] || sem_spec_isa(o->specs[isa]) != (pvm_isa)isa)) {
			pvm_errf(e, "validate: no spec of GP %s loaded", pvm_isa_name((pvm_isa)isa));
			return PVM_EINVAL;
		}
	}
	pthread_mutex_init(&R.lock, NULL);
	R.store = o->store;
	R.rep = rep;
	rep->recheck = o->recheck;
	size_t total;
	R.n = enumerate(o, &R.items, &total);
	R.res = pvm_xcalloc(R.n ? R.n : 1, sizeof *R.res);
	R.groups = pvm_xcalloc(R.n ? R.n : 1, sizeof *R.groups);
	for (size_t i = 0; i < R.n; i++) {
		if (!i || !same_group(&R.items[i], &R.items[i - 1])) R.groups[R.n_groups++].start = i;
		R.groups[R.n_groups - 1].end = i + 1;
	}
	qsort(R.groups, R.n_groups, sizeof *R.groups, larger_first);
	unsigned jobs = o->jobs ? o->jobs : 1;
	pthread_t th[64];
	if (jobs > 64) jobs = 64;
	for (unsigned j = 0; j < jobs; j++) pthread_create(&th[j], NULL, worker_main, &R);
	size_t last = (size_t)-1;
	double next_line = t0 + o->progress_every;
	while ((o->progress || (o->progress_every > 0 && o->live)) && atomic_load(&R.done) < R.n) {
		size_t d = atomic_load(&R.done);
		if (o->progress && d != last)
			fprintf(stderr, "\rvalidate: %zu/%zu items, %zu counterexamples, %.0f s ", d, R.n,
			        atomic_load(&R.cex), now_s() - t0);
		last = d;
		if (!o->progress && now_s() >= next_line) { /* no TTY (a CI log): one line now and then */
			double el = now_s() - t0;
			fprintf(o->live, "validate: progress: %zu/%zu items (%.1f%%), %zu proved, %zu counterexamples, %zu "
			        "unknown, %zu fallback-agree; %.0f s elapsed", d, R.n, R.n ? 100.0 * (double)d / (double)R.n : 0.0,
			        atomic_load(&R.verdicts[TV_PROVED]), atomic_load(&R.verdicts[TV_CEX]),
			        atomic_load(&R.verdicts[TV_UNKNOWN]), atomic_load(&R.verdicts[TV_FALLBACK_AGREE]), el);
			if (d) fprintf(o->live, ", about %.0f s left", el * (double)(R.n - d) / (double)d);
			fputc('\n', o->live);
			fflush(o->live);
			next_line += o->progress_every;
		}
		usleep(o->progress ? 200000 : 50000);
		if (atomic_load(&R.stop)) break;
	}
	for (unsigned j = 0; j < jobs; j++) pthread_join(th[j], NULL);
	if (o->progress) fprintf(stderr, "\r%60s\r", "");
	for (size_t i = 0; i < R.n; i++) {
		if (!R.res[i].what[0]) continue; /* not run (stopped early) */
		tv_result *x = tv_report_add(rep);
		if (!x) break;
		*x = R.res[i];
		x->index = (uint32_t)(i * o->shard_n + o->shard_i);
		if (R.items[i].kind == IT_TEMPLATE) rep->templates++;
	}
	rep->run.enumerated = total;
	rep->run.items = R.n;
	rep->variants = o->variants;
	rep->isas = o->isas;
	rep->seconds = now_s() - t0;
	for (int i = 0; i < TV_NUM_PHASES; i++) rep->phase_ms[i] += R.phase_ms[i];
	rep->queries += R.queries;
	tv_report_store(rep, R.store);
	pthread_mutex_destroy(&R.lock);
	free(R.res);
	free(R.groups);
	free(R.items);
	return PVM_OK;
}

