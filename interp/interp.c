/* interp/interp.c: the interpreter. interp_new turns a decoded program into one 32-byte record
 * per pc (operands, successor, validated branch target, gas-region cost); interp_run dispatches
 * with computed goto over a label table expanded from opcodes.def, keeps the registers in a local
 * array and checks gas only where a gas region is entered (start, after a terminator). */
#include <stdlib.h>
#include <string.h>
#include "interp.h"

enum { BAD = UINT32_MAX, HALT_ADDR = 0xFFFF0000u };

typedef struct ins {
	uint8_t op, a, b, d;   /* opcode and register fields as in pvm_inst (ra, rb, rd) */
	uint32_t cost;         /* cost of the gas region entered at this pc */
	const struct ins *next; /* record of pc + 1 + skip (of code_len for the final trap) */
	uint64_t imm;          /* X */
	union {
		uint64_t imm2;                 /* Y */
		const struct ins *target;      /* branch forms: the target's record, NULL if not in ϖ */
	} u;
} ins;
_Static_assert(sizeof(ins) == 32, "one cache-friendly record per pc");

struct interp {
	ins *code;             /* code_len + 1 records, indexed by pc */
	uint32_t code_len;
	bool isa08;            /* GP 0.8.0: per-block charge with the gas-charged flag (§4) */
	uint8_t *startable;    /* 0.8.0, code_len + 1: v_loc (§3) holds, i.e. a valid instruction
	                          start of a blob that passed prevalidation */
	uint32_t *jt;          /* jump table: target pc, or BAD if not a block start */
	uint32_t jt_len;
};

interp *interp_new(const pvm_program *p, pvm_errbuf *e)
{
	interp *it = pvm_xcalloc(1, sizeof *it);
	it->code_len = p->code_len;
	it->jt_len = p->jt_len;
	it->code = pvm_xmalloc(((size_t)p->code_len + 1) * sizeof *it->code);
	it->jt = pvm_xmalloc(((size_t)p->jt_len + 1) * sizeof *it->jt);
	it->isa08 = p->isa == PVM_ISA_080;
	it->startable = pvm_xcalloc((size_t)p->code_len + 1, 1);
	for (uint32_t pc = 0; it->isa08 && !p->invalid[0] && pc < p->code_len; pc++)
		it->startable[pc] = p->is_start[pc] && pvm_op_decode(p->isa, p->code[pc]) >= 0;
	for (uint32_t pc = 0; pc <= p->code_len; pc++) {
		const pvm_inst *in = &p->inst[pc];
		bool br = strchr(pvm_form_operands(pvm_ops[in->op].form), 'T');
		uint32_t next = in->next <= p->code_len ? in->next : p->code_len; /* final trap: unused */
		ins *r = &it->code[pc];
		*r = (ins){
			.op = in->op, .a = in->ra, .b = in->rb, .d = in->rd,
			.cost = p->gas_cost[pc], .next = it->code + next, .imm = in->imm, .u.imm2 = in->imm2,
		};
		if (br)
			r->u.target = in->target <= p->code_len && p->is_block[in->target] ?
			              it->code + in->target : NULL;
	}
	for (uint32_t i = 0; i < p->jt_len; i++) {
		uint32_t t = p->jump_table[i];
		it->jt[i] = t <= p->code_len && p->is_block[t] ? t : BAD;
	}
	return it;
}

void interp_free(interp *it)
{
	if (!it) return;
	free(it->code);
	free(it->jt);
	free(it->startable);
	free(it);
}

static inline uint64_t sx32(uint64_t x) { return (uint64_t)(int64_t)(int32_t)(uint32_t)x; }
static inline uint64_t rotr64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? x >> n | x << (64 - n) : x;
}

static inline uint32_t rotr32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? x >> n | x << (32 - n) : x;
}

static inline uint64_t rotl64(uint64_t x, unsigned n) { return rotr64(x, (64 - (n & 63)) & 63); }
static inline uint32_t rotl32(uint32_t x, unsigned n) { return rotr32(x, (32 - (n & 31)) & 31); }

static inline uint64_t div_s64(uint64_t a, uint64_t b)
{
	if (b == 0) return UINT64_MAX;
	if (a == (1ull << 63) && b == UINT64_MAX) return a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t rem_s64(uint64_t a, uint64_t b)
{
	if (b == 0) return a;
	if (a == (1ull << 63) && b == UINT64_MAX) return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint64_t div_s32(uint64_t a64, uint64_t b64)
{
	int32_t a = (int32_t)(uint32_t)a64, b = (int32_t)(uint32_t)b64;
	if (b == 0) return UINT64_MAX;
	if (a == INT32_MIN && b == -1) return (uint64_t)(int64_t)a;
	return (uint64_t)(int64_t)(a / b);
}

static inline uint64_t rem_s32(uint64_t a64, uint64_t b64)
{
	int32_t a = (int32_t)(uint32_t)a64, b = (int32_t)(uint32_t)b64;
	if (b == 0) return (uint64_t)(int64_t)a;
	if (a == INT32_MIN && b == -1) return 0;
	return (uint64_t)(int64_t)(a % b);
}

static inline uint64_t mulh_ss(uint64_t a, uint64_t b)
{
	return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
}

static inline uint64_t mulh_uu(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mulh_su(uint64_t a, uint64_t b)
{
	return (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64);
}

/* One-entry page caches for loads and stores: page number and its data (UINT32_MAX = empty).
 * Valid while the run holds the memory; a page's data moves only when its first write gives it
 * private storage, which every path below that can cause it accounts for. */
typedef struct page_cache {
	uint32_t rpage, wpage;
	const uint8_t *rdata;
	uint8_t *wdata;
} page_cache;

static void cache_clear(page_cache *c)
{
	c->rpage = c->wpage = UINT32_MAX;
}

/* Load that missed the cache: fills it, or takes the straddling path, or reports the fault
 * (*fault = lowest offending address). */
static bool load_slow(pvm_mem *m, page_cache *c, uint32_t addr, void *dst, uint32_t n,
                      uint32_t *fault)
{
	const uint8_t *p = pvm_mem_ptr(m, addr, n, false);
	if (p) {
		c->rpage = addr >> PVM_PAGE_SHIFT;
		c->rdata = p - (addr & (PVM_PAGE - 1));
		memcpy(dst, p, n);
		return true;
	}
	if (!pvm_mem_check(m, addr, n, false, fault)) return false;
	pvm_mem_peek(m, addr, dst, n);
	return true;
}

static bool store_slow(pvm_mem *m, page_cache *c, uint32_t addr, const void *src, uint32_t n,
                       uint32_t *fault)
{
	uint8_t *p = pvm_mem_ptr(m, addr, n, true);
	if (p) {
		c->wpage = addr >> PVM_PAGE_SHIFT;
		c->wdata = p - (addr & (PVM_PAGE - 1));
		if (c->rpage == c->wpage) c->rdata = c->wdata;
		memcpy(p, src, n);
		return true;
	}
	if (!pvm_mem_check(m, addr, n, true, fault)) return false;
	pvm_mem_poke(m, addr, src, n);
	cache_clear(c);
	return true;
}

pvm_exit interp_run(interp *it, pvm_state *s)
{
	static const void *const labels[PVM_NUM_OPS + 1] = {
#define PVM_OP(name, v072, v080, form, ctl, acc, width) [PVM_OP_##name] = &&op_##name,
#include "pvm/opcodes.def"
#undef PVM_OP
		[PVM_NUM_OPS] = &&op_stop,
	};
	const ins *const base = it->code;
	const uint32_t *const jt = it->jt;
	const uint32_t jt_len = it->jt_len;
	pvm_mem *const mem = s->mem;
	uint64_t r[PVM_NUM_REGS];
	int64_t gas = s->gas;
	const ins *ip;
	uint32_t fault = 0, tgt = 0;
	/* PVM_READING_GAS_INSN (GP 0.7.2): a region that cannot be paid runs up to its first unpaid
	 * instruction, whose record is turned into a stop for that run (restored on the way out) */
	const bool per_insn = !it->isa08 && (s->reading & PVM_READING_GAS_INSN);
	ins *stop = NULL;
	uint8_t stop_op = 0;
	pvm_exit x = { 0 };
	page_cache cache;
	cache_clear(&cache);
	memcpy(r, s->regs, sizeof r);

	if (it->isa08 && (s->pc >= it->code_len || !it->startable[s->pc])) {
		/* deblob(p, ı) fails (§3): panic, state unchanged, no gas charged */
		x.status = PVM_PANIC;
		return x;
	}
	if (s->pc > it->code_len) { /* beyond the code: a one-instruction trap region */
		if (gas < 1) {
			x.status = PVM_OOG;
		} else {
			gas -= 1;
			x.status = PVM_PANIC;
		}
		s->gas = gas;
		return x;
	}

#define PC ((uint32_t)(ip - base))
#define DISPATCH() goto *labels[ip->op]
#define NEXT() do { ip = ip->next; DISPATCH(); } while (0)
	/* Enter the gas region starting at record p / pc t (t ≤ code_len). */
#define ENTER_AT(p) do { ip = (p); if (gas < (int64_t)ip->cost) goto out_of_gas; \
	                      gas -= ip->cost; DISPATCH(); } while (0)
#define ENTER(t) ENTER_AT(base + (t))
#define BRANCH(cond) do { if (cond) { if (!ip->u.target) goto panic; ENTER_AT(ip->u.target); } \
	                      ENTER_AT(ip->next); } while (0)
#define DJUMP(addr) do { tgt = (uint32_t)(addr); goto djump; } while (0)
#define A r[ip->a]
#define B r[ip->b]
#define D r[ip->d]
#define X ip->imm
#define Y ip->u.imm2
#define OFF(ad) ((ad) & (PVM_PAGE - 1))
#define IN_PAGE(ad, page, n) ((ad) >> PVM_PAGE_SHIFT == (page) && OFF(ad) <= PVM_PAGE - (n))
#define LOAD(T, CAST, addr, dst) do { \
	uint32_t ad_ = (uint32_t)(addr); T v_; \
	if (IN_PAGE(ad_, cache.rpage, sizeof v_)) memcpy(&v_, cache.rdata + OFF(ad_), sizeof v_); \
	else if (!load_slow(mem, &cache, ad_, &v_, sizeof v_, &fault)) goto mem_fault; \
	dst = (uint64_t)(CAST)v_; NEXT(); } while (0)
#define STORE(T, addr, val) do { \
	uint32_t ad_ = (uint32_t)(addr); T v_ = (T)(val); \
	if (IN_PAGE(ad_, cache.wpage, sizeof v_)) memcpy(cache.wdata + OFF(ad_), &v_, sizeof v_); \
	else if (!store_slow(mem, &cache, ad_, &v_, sizeof v_, &fault)) goto mem_fault; \
	NEXT(); } while (0)
#define OP(name) op_##name:

	if (it->isa08 && s->gas_charged) { /* resuming inside a paid block (host call, fault) */
		ip = base + s->pc;
		DISPATCH();
	}
	ENTER(s->pc);

	OP(trap) goto panic;
	OP(fallthrough) ENTER_AT(ip->next);
	OP(unlikely) NEXT();
	OP(ecalli) {
		x.status = PVM_HOST;
		x.host_id = (uint32_t)X;
		x.next = (uint32_t)(ip->next - base);
		goto out;
	}
	OP(load_imm_64) A = X; NEXT();
	OP(store_imm_u8) STORE(uint8_t, X, Y);
	OP(store_imm_u16) STORE(uint16_t, X, Y);
	OP(store_imm_u32) STORE(uint32_t, X, Y);
	OP(store_imm_u64) STORE(uint64_t, X, Y);
	OP(jump) BRANCH(1);
	OP(jump_ind) DJUMP(A + X);
	OP(load_imm) A = X; NEXT();
	OP(load_u8) LOAD(uint8_t, uint8_t, X, A);
	OP(load_i8) LOAD(uint8_t, int8_t, X, A);
	OP(load_u16) LOAD(uint16_t, uint16_t, X, A);
	OP(load_i16) LOAD(uint16_t, int16_t, X, A);
	OP(load_u32) LOAD(uint32_t, uint32_t, X, A);
	OP(load_i32) LOAD(uint32_t, int32_t, X, A);
	OP(load_u64) LOAD(uint64_t, uint64_t, X, A);
	OP(store_u8) STORE(uint8_t, X, A);
	OP(store_u16) STORE(uint16_t, X, A);
	OP(store_u32) STORE(uint32_t, X, A);
	OP(store_u64) STORE(uint64_t, X, A);
	OP(store_imm_ind_u8) STORE(uint8_t, A + X, Y);
	OP(store_imm_ind_u16) STORE(uint16_t, A + X, Y);
	OP(store_imm_ind_u32) STORE(uint32_t, A + X, Y);
	OP(store_imm_ind_u64) STORE(uint64_t, A + X, Y);
	OP(load_imm_jump) A = X; BRANCH(1);
	OP(branch_eq_imm) BRANCH(A == X);
	OP(branch_ne_imm) BRANCH(A != X);
	OP(branch_lt_u_imm) BRANCH(A < X);
	OP(branch_le_u_imm) BRANCH(A <= X);
	OP(branch_ge_u_imm) BRANCH(A >= X);
	OP(branch_gt_u_imm) BRANCH(A > X);
	OP(branch_lt_s_imm) BRANCH((int64_t)A < (int64_t)X);
	OP(branch_le_s_imm) BRANCH((int64_t)A <= (int64_t)X);
	OP(branch_ge_s_imm) BRANCH((int64_t)A >= (int64_t)X);
	OP(branch_gt_s_imm) BRANCH((int64_t)A > (int64_t)X);
	OP(move_reg) D = A; NEXT();
	OP(sbrk) {
		uint64_t v;
		if (!pvm_sbrk_exec(s, A, &v)) goto fault_panic; /* break reading: past the stack */
		D = v;
		cache_clear(&cache);
		NEXT();
	}
	OP(count_set_bits_64) D = (uint64_t)__builtin_popcountll(A); NEXT();
	OP(count_set_bits_32) D = (uint64_t)__builtin_popcount((uint32_t)A); NEXT();
	OP(leading_zero_bits_64) D = A ? (uint64_t)__builtin_clzll(A) : 64; NEXT();
	OP(leading_zero_bits_32) D = (uint32_t)A ? (uint64_t)__builtin_clz((uint32_t)A) : 32; NEXT();
	OP(trailing_zero_bits_64) D = A ? (uint64_t)__builtin_ctzll(A) : 64; NEXT();
	OP(trailing_zero_bits_32) D = (uint32_t)A ? (uint64_t)__builtin_ctz((uint32_t)A) : 32; NEXT();
	OP(sign_extend_8) D = (uint64_t)(int64_t)(int8_t)A; NEXT();
	OP(sign_extend_16) D = (uint64_t)(int64_t)(int16_t)A; NEXT();
	OP(zero_extend_16) D = (uint16_t)A; NEXT();
	OP(reverse_bytes) D = __builtin_bswap64(A); NEXT();
	OP(store_ind_u8) STORE(uint8_t, B + X, A);
	OP(store_ind_u16) STORE(uint16_t, B + X, A);
	OP(store_ind_u32) STORE(uint32_t, B + X, A);
	OP(store_ind_u64) STORE(uint64_t, B + X, A);
	OP(load_ind_u8) LOAD(uint8_t, uint8_t, B + X, A);
	OP(load_ind_i8) LOAD(uint8_t, int8_t, B + X, A);
	OP(load_ind_u16) LOAD(uint16_t, uint16_t, B + X, A);
	OP(load_ind_i16) LOAD(uint16_t, int16_t, B + X, A);
	OP(load_ind_u32) LOAD(uint32_t, uint32_t, B + X, A);
	OP(load_ind_i32) LOAD(uint32_t, int32_t, B + X, A);
	OP(load_ind_u64) LOAD(uint64_t, uint64_t, B + X, A);
	OP(add_imm_32) A = sx32(B + X); NEXT();
	OP(and_imm) A = B & X; NEXT();
	OP(xor_imm) A = B ^ X; NEXT();
	OP(or_imm) A = B | X; NEXT();
	OP(mul_imm_32) A = sx32(B * X); NEXT();
	OP(set_lt_u_imm) A = B < X; NEXT();
	OP(set_lt_s_imm) A = (int64_t)B < (int64_t)X; NEXT();
	OP(shlo_l_imm_32) A = sx32((uint32_t)B << (X & 31)); NEXT();
	OP(shlo_r_imm_32) A = sx32((uint32_t)B >> (X & 31)); NEXT();
	OP(shar_r_imm_32) A = (uint64_t)(int64_t)((int32_t)(uint32_t)B >> (X & 31)); NEXT();
	OP(neg_add_imm_32) A = sx32(X - B); NEXT();
	OP(set_gt_u_imm) A = B > X; NEXT();
	OP(set_gt_s_imm) A = (int64_t)B > (int64_t)X; NEXT();
	OP(shlo_l_imm_alt_32) A = sx32((uint32_t)X << (B & 31)); NEXT();
	OP(shlo_r_imm_alt_32) A = sx32((uint32_t)X >> (B & 31)); NEXT();
	OP(shar_r_imm_alt_32) A = (uint64_t)(int64_t)((int32_t)(uint32_t)X >> (B & 31)); NEXT();
	OP(cmov_iz_imm) if (B == 0) A = X; NEXT();
	OP(cmov_nz_imm) if (B != 0) A = X; NEXT();
	OP(add_imm_64) A = B + X; NEXT();
	OP(mul_imm_64) A = B * X; NEXT();
	OP(shlo_l_imm_64) A = B << (X & 63); NEXT();
	OP(shlo_r_imm_64) A = B >> (X & 63); NEXT();
	OP(shar_r_imm_64) A = (uint64_t)((int64_t)B >> (X & 63)); NEXT();
	OP(neg_add_imm_64) A = X - B; NEXT();
	OP(shlo_l_imm_alt_64) A = X << (B & 63); NEXT();
	OP(shlo_r_imm_alt_64) A = X >> (B & 63); NEXT();
	OP(shar_r_imm_alt_64) A = (uint64_t)((int64_t)X >> (B & 63)); NEXT();
	OP(rot_r_64_imm) A = rotr64(B, (unsigned)X); NEXT();
	OP(rot_r_64_imm_alt) A = rotr64(X, (unsigned)B); NEXT();
	OP(rot_r_32_imm) A = sx32(rotr32((uint32_t)B, (unsigned)X)); NEXT();
	OP(rot_r_32_imm_alt) A = sx32(rotr32((uint32_t)X, (unsigned)B)); NEXT();
	OP(branch_eq) BRANCH(A == B);
	OP(branch_ne) BRANCH(A != B);
	OP(branch_lt_u) BRANCH(A < B);
	OP(branch_lt_s) BRANCH((int64_t)A < (int64_t)B);
	OP(branch_ge_u) BRANCH(A >= B);
	OP(branch_ge_s) BRANCH((int64_t)A >= (int64_t)B);
	OP(load_imm_jump_ind) {
		uint64_t t = B + Y;
		A = X;
		DJUMP(t);
	}
	OP(add_32) D = sx32(A + B); NEXT();
	OP(sub_32) D = sx32(A - B); NEXT();
	OP(mul_32) D = sx32(A * B); NEXT();
	OP(div_u_32) D = (uint32_t)B ? sx32((uint32_t)A / (uint32_t)B) : UINT64_MAX; NEXT();
	OP(div_s_32) D = div_s32(A, B); NEXT();
	OP(rem_u_32) D = sx32((uint32_t)B ? (uint32_t)A % (uint32_t)B : (uint32_t)A); NEXT();
	OP(rem_s_32) D = rem_s32(A, B); NEXT();
	OP(shlo_l_32) D = sx32((uint32_t)A << (B & 31)); NEXT();
	OP(shlo_r_32) D = sx32((uint32_t)A >> (B & 31)); NEXT();
	OP(shar_r_32) D = (uint64_t)(int64_t)((int32_t)(uint32_t)A >> (B & 31)); NEXT();
	OP(add_64) D = A + B; NEXT();
	OP(sub_64) D = A - B; NEXT();
	OP(mul_64) D = A * B; NEXT();
	OP(div_u_64) D = B ? A / B : UINT64_MAX; NEXT();
	OP(div_s_64) D = div_s64(A, B); NEXT();
	OP(rem_u_64) D = B ? A % B : A; NEXT();
	OP(rem_s_64) D = rem_s64(A, B); NEXT();
	OP(shlo_l_64) D = A << (B & 63); NEXT();
	OP(shlo_r_64) D = A >> (B & 63); NEXT();
	OP(shar_r_64) D = (uint64_t)((int64_t)A >> (B & 63)); NEXT();
	OP(and) D = A & B; NEXT();
	OP(xor) D = A ^ B; NEXT();
	OP(or) D = A | B; NEXT();
	OP(mul_upper_s_s) D = mulh_ss(A, B); NEXT();
	OP(mul_upper_u_u) D = mulh_uu(A, B); NEXT();
	OP(mul_upper_s_u) D = mulh_su(A, B); NEXT();
	OP(set_lt_u) D = A < B; NEXT();
	OP(set_lt_s) D = (int64_t)A < (int64_t)B; NEXT();
	OP(cmov_iz) if (B == 0) D = A; NEXT();
	OP(cmov_nz) if (B != 0) D = A; NEXT();
	OP(rot_l_64) D = rotl64(A, (unsigned)B); NEXT();
	OP(rot_l_32) D = sx32(rotl32((uint32_t)A, (unsigned)B)); NEXT();
	OP(rot_r_64) D = rotr64(A, (unsigned)B); NEXT();
	OP(rot_r_32) D = sx32(rotr32((uint32_t)A, (unsigned)B)); NEXT();
	OP(and_inv) D = A & ~B; NEXT();
	OP(or_inv) D = A | ~B; NEXT();
	OP(xnor) D = ~(A ^ B); NEXT();
	OP(max) D = (int64_t)A > (int64_t)B ? A : B; NEXT();
	OP(max_u) D = A > B ? A : B; NEXT();
	OP(min) D = (int64_t)A < (int64_t)B ? A : B; NEXT();
	OP(min_u) D = A < B ? A : B; NEXT();

djump:
	if (tgt == HALT_ADDR) {
		x.status = PVM_HALT;
		goto out;
	}
	if (tgt == 0 || tgt > 2 * (uint64_t)jt_len || (tgt & 1) || jt[tgt / 2 - 1] == BAD) goto panic;
	ENTER(jt[tgt / 2 - 1]);
fault_panic:
	fault = 0;
mem_fault:
	if (per_insn) /* only the instructions up to the faulting one are paid */
		gas += (int64_t)(ip->cost - 1 - (stop ? stop->cost : 0));
	if (fault < PVM_LOW_LIMIT) goto panic;
	x.status = PVM_FAULT;
	x.fault_addr = fault & ~(uint32_t)(PVM_PAGE - 1);
	goto out;
out_of_gas:
	if (per_insn && gas > 0 && !stop) { /* pay `gas` instructions of the region, then stop */
		stop = &it->code[ip - base];
		for (int64_t k = 0; k < gas; k++) stop = &it->code[stop->next - base];
		stop_op = stop->op;
		stop->op = PVM_NUM_OPS;
		gas = 0;
		DISPATCH();
	}
	x.status = PVM_OOG;
	goto out;
op_stop: /* the first instruction the gas did not pay */
	x.status = PVM_OOG;
	goto out;
panic:
	x.status = PVM_PANIC;
out:
	if (stop) stop->op = stop_op;
	s->pc = PC;
	s->gas = gas;
	if (it->isa08) s->gas_charged = x.status != PVM_OOG; /* A.11: only a terminator clears it,
	                                                       and every exit here is inside a block */
	memcpy(s->regs, r, sizeof r);
	return x;
#undef PC
#undef DISPATCH
#undef NEXT
#undef ENTER
#undef ENTER_AT
#undef BRANCH
#undef DJUMP
#undef A
#undef B
#undef D
#undef X
#undef Y
#undef OFF
#undef IN_PAGE
#undef LOAD
#undef STORE
#undef OP
}

pvm_exit interp_resume(interp *it, pvm_state *s, pvm_exit x)
{
	s->pc = x.next;
	return interp_run(it, s);
}

static void *engine_load(const pvm_program *p, pvm_errbuf *e) { return interp_new(p, e); }
static pvm_exit engine_run(void *it, pvm_state *s) { return interp_run(it, s); }
static void engine_free(void *it) { interp_free(it); }

const pvm_engine interp_engine = { "interp", engine_load, engine_run, engine_free, NULL };
