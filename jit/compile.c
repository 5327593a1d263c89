/* jit/compile.c: template emission for the validator, the block compiler, and whole-program
 * compilation into W^X memory: trampolines, per-instruction code with gas prologues at block
 * starts, then out-of-line exit stubs and dynamic-jump dispatchers. rel32 exits are patched
 * to block entries or stubs after all code is placed. A whole-program compile emits each
 * template, prologue, stub and dispatcher once and copies it after (the template cache): the
 * same bytes as emitting each anew. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <emmintrin.h>
#include <sys/mman.h>
#include <time.h>
#include "jit/jit_internal.h"
#include "pvm/mutant.h"

#define MB JIT_MEMBASE
#define CTXM(field) x64_m(MB, X64_NOREG, JIT_CTX(field))

const char *jit_strerror(jit_err e)
{
	switch (e) {
	case JIT_OK: return "ok";
	case JIT_EINVAL: return "invalid instruction, register or class";
	case JIT_EOVERFLOW: return "code buffer overflow";
	case JIT_ENOMEM: return "out of memory";
	case JIT_ETOOBIG: return "program too large for the JIT";
	}
	return "?";
}

const char *jit_exit_name(jit_exit_kind k)
{
	static const char *const n[] = { "none", "branch", "panic", "halt", "out-of-gas", "host-call",
		"sbrk", "djump", "fault" };
	return (unsigned)k < JIT_EXIT_KIND_COUNT ? n[k] : "?";
}

/* op rsp, cost (the gas register): the imm8 form (48 83 /op ib) when cost < 128, else imm32
 * (48 81 /op id); the buffer offset of the cost field (1 or 4 bytes). */
static size_t gas_op(x64_buf *b, enum x64_alu op, uint32_t cost)
{
	if (cost >= 128) return x64_alu_imm32(b, op, 8, x64_r(JIT_GASREG), (int32_t)cost);
	x64_alu_imm8(b, op, 8, x64_r(JIT_GASREG), (int8_t)cost);
	return b->len - 1;
}

/* The gas prologue of the region entered at pc (the gas is in JIT_GASREG, jit.h):
 *   sub rsp, cost ; jl out-of-gas(pc)
 * sub sets SF and OF of gas - cost as cmp would, so jl is taken exactly when gas < cost (signed);
 * the pair macro-fuses. Out of gas the counter is charged all the same: the exit's stub
 * (emit_stub_at) adds the cost back first, which undoes the sub mod 2^64, so out of gas leaves the
 * counter as it was. The exit records the cost (arg) for its stub. */
void jit_em_prologue(jit_em *e, uint32_t pc, uint32_t cost, size_t *field)
{
	x64_buf *b = &e->b;
	*field = gas_op(b, X64_SUB, cost);
	jit_em_exit(e, x64_jcc32(b, X64_CC_L), JIT_EXIT_OOG, pc, 0, cost, 0);
}

/* Loop heads (the targets of backward static branches and jumps) start on a 64-byte line: a hot
 * loop's straight runs then take as few lines as they can (sort and memscan run up to twice as
 * fast or slow by where their loops fall). The bytes before such an entry are multi-byte nops,
 * run once by the code that falls into the loop; the linking proof lifts them (validator/link.c). */
enum { LOOP_ALIGN = 64 };
static const uint8_t nops[9][16] = { /* the k-byte nop (16: x64_bytes reads 16) */ { 0 }, { 0x90 }, { 0x66, 0x90 },
	{ 0x0F, 0x1F, 0x00 }, { 0x0F, 0x1F, 0x40, 0x00 }, { 0x0F, 0x1F, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00 }, { 0x0F, 0x1F, 0x80, 0, 0, 0, 0 }, { 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0 } };
#define NOP8 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0
static const uint8_t nops8x8[LOOP_ALIGN] = { NOP8, NOP8, NOP8, NOP8, NOP8, NOP8, NOP8, NOP8 }; /* (pad_at) */
#undef NOP8
static void pad_nops(x64_buf *b, size_t n)
{
	while (n) {
		size_t k = n > 8 ? 8 : n;
		x64_bytes(b, nops[k], k);
		n -= k;
	}
}

/* The nops before a loop head's entry: to the next LOOP_ALIGN bytes. */
static void pad_loop_head(x64_buf *b)
{
	size_t n = (LOOP_ALIGN - b->len % LOOP_ALIGN) % LOOP_ALIGN;
	if (pvm_mutant_hook(PVM_HOOK_pad_clobber, 0)) { /* (mutants only) xor r13d, r13d first */
		n += n < 3 ? LOOP_ALIGN : 0;
		x64_bytes(b, (const uint8_t[16]){ 0x45, 0x31, 0xED }, 3);
		n -= 3;
	}
	pad_nops(b, n);
}

/* pad_loop_head at buffer offset at, where TC_SLACK bytes of room are left, while no mutant is
 * active (pad_nops' bytes: the 8-byte nops, then the rest in one); the buffer's new length. */
static inline size_t pad_at(uint8_t *buf, size_t at)
{
	size_t n = (LOOP_ALIGN - at % LOOP_ALIGN) % LOOP_ALIGN, q = n & ~(size_t)7;
	memcpy(buf + at, nops8x8, LOOP_ALIGN);
	memcpy(buf + at + q, nops[n & 7], 16);
	return at + n;
}

static jit_features cpu_features;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static void probe_cpu(void)
{
	__builtin_cpu_init();
	cpu_features.popcnt = __builtin_cpu_supports("popcnt");
	cpu_features.bmi1 = __builtin_cpu_supports("bmi");
	cpu_features.bmi2 = __builtin_cpu_supports("bmi2");
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
	cpu_features.lzcnt = (c >> 5) & 1; /* ABM */
}

jit_features jit_cpu_features(void)
{
	pthread_once(&cpu_once, probe_cpu); /* cpuid is slow under virtualisation: probe once */
	return cpu_features;
}

/* ---- one template ------------------------------------------------------------------------- */

/* A template emitted by e (its listing in rec) into out: its sizes, or the overflow. */
static jit_err tpl_done(const jit_em *e, const x64_rec *rec, jit_tpl *out)
{
	if (e->b.err || rec->overflow) return JIT_EOVERFLOW;
	out->len = e->b.len;
	out->n_exits = e->n_exits;
	out->n_imms = e->n_imms;
	out->n_insns = rec->n;
	return JIT_OK;
}

static jit_err emit_template(const pvm_inst *in, jit_imm_class c, jit_features f, jit_tpl *out, bool listing)
{
	if (listing) memset(out, 0, sizeof *out);
	else memset(out, 0, offsetof(jit_tpl, insns)), out->n_insns = 0;
	if (in->op >= PVM_NUM_OPS || in->ra > 12 || in->rb > 12 || in->rd > 12 ||
	    !jit_class_holds(c, in->imm, in->imm2))
		return JIT_EINVAL;
	jit_imm_class cls[JIT_CLASS_COUNT];
	size_t n = jit_op_classes(in->op, cls, JIT_CLASS_COUNT), i;
	for (i = 0; i < n && cls[i] != c; i++) {}
	if (i == n) return JIT_EINVAL;
	x64_rec rec = { .insn = out->insns, .cap = JIT_TPL_MAX_INSNS };
	jit_em e = { .b = { .p = out->bytes, .cap = JIT_TPL_MAX, .rec = listing ? &rec : NULL }, .f = f,
		.exits = out->exits, .cap_exits = JIT_TPL_MAX_EXITS, .fixed_exits = true,
		.imms = out->imms, .cls_fixed = true, .cls = (uint8_t)c };
	jit_em_inst(&e, in);
	return tpl_done(&e, &rec, out);
}

jit_err jit_emit_template(const pvm_inst *in, jit_imm_class c, jit_features f, jit_tpl *out)
{
	return emit_template(in, c, f, out, true);
}

jit_err jit_emit_template_code(const pvm_inst *in, jit_imm_class c, jit_features f, jit_tpl *out)
{
	return emit_template(in, c, f, out, false);
}

jit_err jit_emit_fused(const pvm_inst *a, const pvm_inst *b, jit_features f, jit_tpl *out)
{
	memset(out, 0, sizeof *out);
	if (a->op >= PVM_NUM_OPS || b->op >= PVM_NUM_OPS || a->ra > 12 || a->rb > 12 || b->ra > 12 || b->rb > 12 ||
	    b->rd > 12 || !jit_fuse_pair(a, b))
		return JIT_EINVAL;
	x64_rec rec = { .insn = out->insns, .cap = JIT_TPL_MAX_INSNS };
	jit_em e = { .b = { .p = out->bytes, .cap = JIT_TPL_MAX, .rec = &rec }, .f = f, .exits = out->exits,
		.cap_exits = JIT_TPL_MAX_EXITS, .fixed_exits = true, .imms = out->imms, .cls_fixed = true };
	jit_em_fused(&e, a, b);
	return tpl_done(&e, &rec, out);
}

/* ---- one block ---------------------------------------------------------------------------- */

/* Gas of the region entered at pc: what its prologue charges and its row records. */
static uint32_t region_cost(const pvm_program *p, uint32_t pc)
{
	uint32_t c = pc <= p->code_len ? p->gas_cost[pc] : 1;
	return (uint32_t)pvm_mutant_hook(PVM_HOOK_region_cost, c);
}

static bool compiled(const pvm_program *p, uint32_t pc)
{
	return pc <= p->code_len && p->is_start[pc];
}

/* The instruction the compile fuses with a (jit.h § fusions), or NULL: the instruction at a->next
 * when jit_fuse_pair holds and it starts no block (nothing jumps into the pair). */
static inline bool fuse_head(unsigned op) { return op == PVM_OP_shlo_l_imm_64; } /* (jit_fuse_pair's one head) */
static inline const pvm_inst *fused_with(const pvm_program *p, const pvm_inst *a)
{
	if (!fuse_head(a->op)) return NULL; /* (most instructions leave here) */
	uint32_t n = a->next;
	if (n >= p->code_len || !p->is_start[n] || p->is_block[n]) return NULL;
	return jit_fuse_pair(a, &p->inst[n]) ? &p->inst[n] : NULL;
}

/* Emit a panic at pc for a fall-through to a position that holds no compiled instruction. */
static void emit_trap_at(jit_em *e, uint32_t pc, bool region_entry, const pvm_program *p)
{
	size_t field;
	if (region_entry) jit_em_prologue(e, pc, region_cost(p, pc), &field);
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_PANIC, pc, 0, 0, 0);
}

bool jit_fused_at(const pvm_program *p, uint32_t pc)
{
	return pc < p->code_len && p->is_start[pc] && fused_with(p, &p->inst[pc]) != NULL;
}

/* loop_head's bits: a loop head (LOOP_ALIGN), a static target or jump-table entry, the next
 * instruction of a terminator that falls into it (forward), a chain member (jit.h § chains). */
enum { LH_LOOP = 1, LH_TARGET = 2, LH_FALLEN = 4, LH_MEMBER = 8 };
static uint32_t *chains(const pvm_program *p, bool general, uint8_t *lh, uint32_t **blocks, uint32_t *n_blocks);

/* The chains of the last program a block compile asked about (prove compiles every block of a
 * program in turn, and chains is a pass over the whole program): known again by its revision,
 * the active mutant and its bytes, bitmask and jump table (a copy: another program may be
 * decoded at the same addresses); per block start, what its prologue charges, UINT32_MAX for a
 * member (no prologue). Process-wide under one lock, so that it stays reachable. */
static struct {
	pthread_mutex_t lock;
	uint8_t *key;
	size_t key_len;
	uint32_t *blocks, *charge, n;
} block_chains = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The index of the first of the n ascending block starts blk that is not below pc. */
static uint32_t block_index(const uint32_t *blk, uint32_t n, uint32_t pc)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (blk[mid] < pc) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/* A branch exit's way into its target's row t, a region entry: past t's prologue when it is a
 * latch's (a branch back whose prepaid gas, arg, is t's charge: latches). */
static inline bool enters_past_prologue(uint64_t arg, uint32_t target, uint32_t pc, const jit_row *t)
{
	return arg && target < pc && arg == (uint64_t)t->cost + t->prepaid;
}

/* The prologue charge of the block at pc (a block start of p) as the program compile emits it,
 * UINT32_MAX for a chain member. */
static uint32_t block_charge(const pvm_program *p, uint32_t pc)
{
	uint32_t head[4] = { p->isa, (uint32_t)pvm_mutant_active(), p->code_len, p->jt_len };
	size_t mask_len = ((size_t)p->code_len + 7) / 8, jt_len = (size_t)p->jt_len * sizeof *p->jump_table;
	size_t len = sizeof head + p->code_len + mask_len + jt_len;
	uint8_t *key = pvm_xmalloc(len);
	memcpy(key, head, sizeof head);
	if (p->code_len) { /* (memcpy takes no NULL, even for 0 bytes) */
		memcpy(key + sizeof head, p->code, p->code_len);
		memcpy(key + sizeof head + p->code_len, p->bitmask, mask_len);
	}
	if (jt_len) memcpy(key + sizeof head + p->code_len + mask_len, p->jump_table, jt_len);
	pthread_mutex_lock(&block_chains.lock);
	if (block_chains.key_len != len || memcmp(block_chains.key, key, len)) {
		uint8_t *lh = pvm_xcalloc((size_t)p->code_len + 1, 1);
		uint32_t *blocks, n;
		uint32_t *chain = chains(p, true, lh, &blocks, &n);
		for (uint32_t i = 0; i < n; i++)
			if (lh[blocks[i]] & LH_MEMBER) chain[i] = UINT32_MAX;
		free(lh);
		free(block_chains.key);
		free(block_chains.blocks);
		free(block_chains.charge);
		block_chains.key = key, block_chains.key_len = len;
		block_chains.blocks = blocks, block_chains.charge = chain, block_chains.n = n;
		key = NULL;
	}
	free(key);
	uint32_t lo = block_index(block_chains.blocks, block_chains.n, pc);
	uint32_t charge = lo < block_chains.n && block_chains.blocks[lo] == pc ? block_chains.charge[lo] : region_cost(p, pc);
	pthread_mutex_unlock(&block_chains.lock);
	return charge;
}

static jit_err block_compile(const pvm_program *p, uint32_t pc, jit_features f, bool fuse, jit_block *out)
{
	memset(out, 0, sizeof *out);
	out->entry_pc = pc;
	out->cost = region_cost(p, pc);
	bool prologue = true;
	if (fuse && pc < p->code_len && p->is_block[pc]) { /* as the program has it: in a chain (jit.h § chains) */
		uint32_t charge = block_charge(p, pc);
		prologue = charge != UINT32_MAX;
		out->cost = prologue ? charge : 0;
	}
	/* the region's instructions: up to the first that ends it (0.7.2: the cost; 0.8.0: not) */
	uint32_t n_insts = 1;
	for (uint32_t at = pc; compiled(p, at) && !pvm_op_ends_region(pvm_inst_at(p, at)->op);
	     at = pvm_inst_at(p, at)->next)
		n_insts++;
	for (size_t cap = 4096;; cap *= 4) {
		uint8_t *buf = pvm_xmalloc(cap);
		jit_pcmap *map = pvm_xmalloc((n_insts + 1) * sizeof *map);
		jit_em e = { .b = { .p = buf, .cap = cap }, .f = f };
		size_t n_map = 0;
		size_t field;
		if (prologue) jit_em_prologue(&e, pc, out->cost, &field);
		uint32_t at = pc;
		for (uint32_t k = 0; k < n_insts; k++) {
			if (!compiled(p, at)) {
				map[n_map++] = (jit_pcmap){ (uint32_t)e.b.len, at };
				emit_trap_at(&e, at, false, p);
				break;
			}
			const pvm_inst *in = pvm_inst_at(p, at), *f2 = fuse ? fused_with(p, in) : NULL;
			map[n_map++] = (jit_pcmap){ (uint32_t)e.b.len, at };
			if (f2 && k + 1 < n_insts) { /* a fused pair: b's row at a's offset (the composed piece) */
				jit_em_fused(&e, in, f2);
				map[n_map] = (jit_pcmap){ map[n_map - 1].host_off, f2->pc };
				n_map++;
				in = f2;
				k++;
			} else {
				jit_em_inst(&e, in);
			}
			if (pvm_op_ends_region(in->op)) break;
			at = in->next;
		}
		if (e.b.err && cap < (1u << 24)) {
			free(buf);
			free(map);
			free(e.exits);
			continue;
		}
		out->bytes = buf;
		out->len = e.b.len;
		out->exits = e.exits;
		out->n_exits = e.n_exits;
		out->map = map;
		out->n_map = n_map;
		return e.b.err ? JIT_EOVERFLOW : JIT_OK;
	}
}

jit_err jit_block_compile(const pvm_program *p, uint32_t pc, jit_features f, jit_block *out)
{
	return block_compile(p, pc, f, true, out);
}

jit_err jit_block_compile_unfused(const pvm_program *p, uint32_t pc, jit_features f, jit_block *out)
{
	return block_compile(p, pc, f, false, out);
}

bool jit_program_has_fusions(const jit_program *jp) { return jp->fused != NULL; }

static void emit_dispatch(jit_em *e, uint32_t pc, uint32_t jt_len);

jit_err jit_dispatch_compile(const pvm_program *p, uint32_t pc, jit_block *out)
{
	memset(out, 0, sizeof *out);
	out->entry_pc = pc;
	uint8_t *buf = pvm_xmalloc(256);
	jit_em e = { .b = { .p = buf, .cap = 256 } };
	emit_dispatch(&e, pc, p->jt_len);
	out->bytes = buf;
	out->len = e.b.len;
	out->exits = e.exits;
	out->n_exits = e.n_exits;
	return e.b.err ? JIT_EOVERFLOW : JIT_OK;
}

void jit_block_fini(jit_block *b)
{
	free(b->bytes);
	free(b->exits);
	free(b->map);
	memset(b, 0, sizeof *b);
}

/* ---- whole programs --------------------------------------------------------------------------- */

/* enter(membase = rdi, target = rsi), called from C (jit/runtime.c jit_program_run):
 *   push rbx ; push rbp ; push r12 ; push r13 ; push r14 ; push r15 ; mov r15, rdi ;
 *   mov [r15 + ctx.host_rsp], rsp ; mov rax, rsi ; mov jit_reg_map[i], [r15 + ctx.regs + 8i] (i = 0..12) ;
 *   mov rsp, [r15 + ctx.gas] ; jmp rax        (from here on rsp is the gas counter, jit.h)
 * validate's trampoline items prove it (validator/prove_tramp.c). */
static void emit_enter(x64_buf *b)
{
	static const enum x64_reg saved[] = { X64_RBX, X64_RBP, X64_R12, X64_R13, X64_R14, X64_R15 };
	for (size_t i = 0; i < 6; i++) x64_push(b, saved[i]);
	x64_mov(b, MB, X64_RDI);
	x64_mov_rmr(b, 8, CTXM(host_rsp), X64_RSP);
	x64_mov(b, X64_RAX, X64_RSI);
	uint64_t skip = pvm_mutant_hook(PVM_HOOK_entry_skip, PVM_NUM_REGS); /* (mutants only) a load left out */
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if ((uint64_t)i != skip)
			x64_mov_rrm(b, 8, jit_reg_map[i], x64_m(MB, X64_NOREG, JIT_CTX(regs) + 8 * i));
	if (!pvm_mutant_hook(PVM_HOOK_entry_gas_skip, 0)) /* (mutants only) the gas left unloaded */
		x64_mov_rrm(b, 8, JIT_GASREG, CTXM(gas));
	x64_jmp_reg(b, X64_RAX);
}

/* The common exit, reached by every exit stub and by the signal handler (which writes exit_kind and
 * exit_pc itself): store the gas and the guest registers to the context, restore the host stack
 * and registers:
 *   mov [r15 + ctx.gas], rsp ; mov [r15 + ctx.regs + 8i], jit_reg_map[i] (i = 0..12) ; mov rsp, [r15 + ctx.host_rsp] ;
 *   pop r15 ; pop r14 ; pop r13 ; pop r12 ; pop rbp ; pop rbx ; ret */
static void emit_exit(x64_buf *b)
{
	static const enum x64_reg saved[] = { X64_R15, X64_R14, X64_R13, X64_R12, X64_RBP, X64_RBX };
	uint64_t skip = pvm_mutant_hook(PVM_HOOK_exit_skip, PVM_NUM_REGS); /* (mutants only) a store left out */
	if (!pvm_mutant_hook(PVM_HOOK_exit_gas_skip, 0)) /* (mutants only) the gas left unstored */
		x64_mov_rmr(b, 8, CTXM(gas), JIT_GASREG);
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if ((uint64_t)i != skip)
			x64_mov_rmr(b, 8, x64_m(MB, X64_NOREG, JIT_CTX(regs) + 8 * i), jit_reg_map[i]);
	x64_mov_rrm(b, 8, X64_RSP, CTXM(host_rsp));
	for (size_t i = 0; i < 6; i++) x64_pop(b, saved[i]);
	x64_ret(b);
}

/* The entry, then the common exit at *exit_off (buffer offsets). */
static void emit_tramps(x64_buf *b, size_t *exit_off)
{
	emit_enter(b);
	*exit_off = b->len;
	emit_exit(b);
}

/* Exit stub: mov dword [ctx.exit_kind], kind ; mov dword [ctx.exit_pc], pc ; jmp exit.
 * Everything else the runtime needs (host-call id, sbrk operands, next pc) it reads from the
 * decoded instruction at exit_pc, so the proofs need only the kind and the pc to be right.
 * An out-of-gas stub (kind OOG) first gives back the cost its prologue charged:
 *   add rsp, cost ; mov dword [ctx.exit_kind], OOG ; mov dword [ctx.exit_pc], pc ; jmp exit
 * (imm8 when cost < 128, else imm32: jit_em_prologue's form), so the common exit stores the gas
 * the region was entered with. field[]: the buffer offsets of the kind, the pc, the jump's rel32
 * and the cost (SIZE_MAX: none). */
static void emit_stub_at(x64_buf *b, uint32_t kind, uint32_t pc, uint32_t cost, size_t exit_off, size_t field[4])
{
	field[3] = SIZE_MAX;
	if (kind == JIT_EXIT_OOG && !pvm_mutant_hook(PVM_HOOK_oog_keep, 0)) /* (mutants only) not given back */
		field[3] = gas_op(b, X64_ADD, cost);
	field[0] = x64_mov_rm_imm(b, 4, CTXM(exit_kind), (int32_t)kind);
	field[1] = x64_mov_rm_imm(b, 4, CTXM(exit_pc), (int32_t)pc);
	field[2] = x64_jmp32(b);
	x64_patch_rel32(b, field[2], exit_off);
}

/* A branch's way out of a chain into the entry at buffer offset to: its prepaid gas back first
 *   add rsp, cost ; jmp to
 * (gas_op's form). field[]: the buffer offsets of the cost and of the rel32. */
static void emit_refund(x64_buf *b, uint32_t cost, size_t to, size_t field[2])
{
	field[0] = gas_op(b, X64_ADD, cost);
	field[1] = x64_jmp32(b);
	x64_patch_rel32(b, field[1], to);
}

/* A latch's not-taken side (latches): the prepaid gas back before the next region's entry. */
static void emit_fall_refund(x64_buf *b, uint32_t prepaid)
{
	gas_op(b, X64_ADD, (uint32_t)pvm_mutant_hook(PVM_HOOK_fall_refund, prepaid));
}

static void emit_stub(jit_em *e, const jit_exit *x, size_t exit_off, size_t field[4])
{
	emit_stub_at(&e->b, x->kind, x->pc, (uint32_t)x->arg, exit_off, field);
}

/* The stubs of a jit_tramp: appended at out->len, jumping to out->exit_off: one of kind HOST,
 * then out-of-gas ones with an imm8 and an imm32 cost (the proofs make kind, pc and cost symbolic). */
static jit_err tramp_stub(jit_tramp *out)
{
	x64_buf b = { .p = out->bytes, .cap = sizeof out->bytes, .len = out->len };
	size_t field[4];
	out->stub_off = b.len;
	emit_stub_at(&b, JIT_EXIT_HOST, 0x12345, 0, out->exit_off, field);
	out->stub_kind = (jit_imm_field){ .off = (uint16_t)field[0], .width = 4, .enc = JIT_IMM_LOW32 };
	out->stub_pc = (jit_imm_field){ .off = (uint16_t)field[1], .width = 4, .enc = JIT_IMM_LOW32 };
	static const uint32_t cost[2] = { 0x7b, 0x12345 };
	for (int k = 0; k < 2; k++) {
		out->oog_off[k] = b.len;
		emit_stub_at(&b, JIT_EXIT_OOG, 0x23456, cost[k], out->exit_off, field);
		/* (a mutant's stub has no cost field: the proof's field then covers no byte) */
		out->oog_cost[k] = (jit_imm_field){ .off = (uint16_t)(field[3] == SIZE_MAX ? b.len : field[3]),
			.width = (uint8_t)(field[3] == SIZE_MAX ? 0 : k ? 4 : 1), .enc = k ? JIT_IMM_LOW32 : JIT_IMM_LOW8 };
		out->oog_pc[k] = (jit_imm_field){ .off = (uint16_t)field[1], .width = 4, .enc = JIT_IMM_LOW32 };
	}
	if (b.err) return JIT_EOVERFLOW;
	out->oog_off[2] = out->len = b.len;
	return JIT_OK;
}

jit_err jit_tramp_emit(jit_features f, jit_tramp *out)
{
	(void)f; /* today the trampolines use no extension: the same bytes for every variant */
	memset(out, 0, sizeof *out);
	x64_buf b = { .p = out->bytes, .cap = sizeof out->bytes };
	out->enter_off = b.len;
	emit_tramps(&b, &out->exit_off);
	if (b.err) return JIT_EOVERFLOW;
	out->len = b.len;
	return tramp_stub(out);
}

jit_err jit_program_tramp(const jit_program *jp, jit_tramp *out)
{
	memset(out, 0, sizeof *out);
	if (jp->tramp_end > sizeof out->bytes) return JIT_EOVERFLOW;
	memcpy(out->bytes, jp->code, jp->tramp_end);
	out->enter_off = jp->enter_off;
	out->exit_off = jp->exit_off;
	out->len = jp->tramp_end;
	return tramp_stub(out);
}

/* Dynamic-jump dispatcher for the jump at pc, guest address in eax (ISA-NOTES §3):
 *   cmp eax, 0xFFFF0000 ; je halt(pc) ; test eax, 1 ; jne panic(pc) ; sub eax, 2 ;
 *   cmp eax, 2*|j| - 2 ; ja panic(pc) ; mov rax, [r15 + rax*4 + jt] ; test rax, rax ;
 *   je panic(pc) ; jmp rax            (|j| = 0: jmp panic(pc)) */
static void emit_dispatch(jit_em *e, uint32_t pc, uint32_t jt_len)
{
	x64_buf *b = &e->b;
	x64_alu_imm32(b, X64_CMP, 4, x64_r(X64_RAX), (int32_t)0xFFFF0000u);
	jit_em_exit(e, x64_jcc32(b, X64_CC_E), JIT_EXIT_HALT, pc, 0, 0, 0);
	if (jt_len == 0) {
		jit_em_exit(e, x64_jmp32(b), JIT_EXIT_PANIC, pc, 0, 0, 0);
		return;
	}
	x64_test_imm(b, 4, x64_r(X64_RAX), 1);
	jit_em_exit(e, x64_jcc32(b, X64_CC_NE), JIT_EXIT_PANIC, pc, 0, 0, 0);
	x64_alu_imm8(b, X64_SUB, 4, x64_r(X64_RAX), 2);
	uint32_t last = (uint32_t)pvm_mutant_hook(PVM_HOOK_jt_last, 2 * jt_len - 2);
	x64_alu_imm32(b, X64_CMP, 4, x64_r(X64_RAX), (int32_t)last);
	jit_em_exit(e, x64_jcc32(b, X64_CC_A), JIT_EXIT_PANIC, pc, 0, 0, 0);
	x64_mov_rrm(b, 8, X64_RAX, x64_mx(MB, X64_RAX, 4, JIT_JT(jt_len, 0)));
	x64_test(b, 8, x64_r(X64_RAX), X64_RAX);
	jit_em_exit(e, x64_jcc32(b, X64_CC_E), JIT_EXIT_PANIC, pc, 0, 0, 0);
	x64_jmp_reg(b, X64_RAX);
}

static bool is_block(const pvm_program *p, uint32_t pc)
{
	return pc <= p->code_len && p->is_block[pc] && p->is_start[pc];
}


/* ---- the template cache of a whole-program compile --------------------------------------------

 * A template's bytes are a function of its instruction's opcode, registers and immediate class
 * (and the CPU features) and, through its immediate fields only, of X and Y (jit.h;
 * tests/jit/templates.c checks it for every template); its exits record the instruction's pc, its
 * target (BRANCH) and X (HOST), nothing else. So a program's compile emits each (op, rA, rB, rD,
 * class) once and copies it
 * after, writing the fields and recording the exits anew. A first emission whose exits or fields
 * do not read as these rules say (or that is too big for an entry) is never copied. No cache
 * while a mutant is active (a mutant template need not keep the rules). ctest jit_cache compares
 * every compile of its programs with the one without a cache (jit_program_new_uncached), byte for
 * byte; `prove` checks the program's bytes against the blocks it proves, which jit_block_compile
 * emits without a cache.
 *
 * A thread keeps its cache between its compiles (kept_cache), as it keeps its code mapping: an
 * entry is a function of its key and the features only, so a compile with the features of the
 * thread's last serves itself from the entries all its compiles made.
 *
 * The table: keys[h] = the key (0: free) and idx[h] its entry in v (1..; 0 at a free slot: v[0]
 * is no entry, whose plain is false), open addressing, at most half full; the key is the instruction's first 4 bytes, op, rA, rB, rD (registers are below
 * 13, so bit 31, set in every key, is 0 in them). Copies write whole words past a template's end
 * (TC_COPY bytes, and 8 bytes at each field): the buffer keeps TC_SLACK bytes of room for them,
 * and what comes next writes over them. */
_Static_assert(offsetof(pvm_inst, op) == 0 && offsetof(pvm_inst, ra) == 1 && offsetof(pvm_inst, rb) == 2 &&
               offsetof(pvm_inst, rd) == 3, "the cache's key: op, rA, rB, rD, the first 4 bytes");
enum { TC_IMMS = 2, TC_EXITS = 2, TC_BITS = 13, TC_SLOTS = 1 << TC_BITS, TC_COPY = 32, TC_SLACK = 256 + 8,
       TC_MIN_STARTS = 8 /* a program of at most this many instructions is emitted without a cache:
                         * it would copy little, and making the pieces costs more */ };
typedef struct tc_entry {
	uint32_t off;                       /* bytes: arena[off .. off + len) */
	uint8_t len, n_imms, n_exits;
	uint8_t copy;                       /* TC_EMIT, TC_COPY_ANY (the template may be copied), TC_PLAIN (it
	                                       may be copied by put_plain: no exits, at most one field, at most
	                                       TC_COPY bytes, no terminator, no fused pair's head; a field-less
	                                       one has imms[0] rewrite its first 8 bytes as they are) or TC_SMALL
	                                       (the same but with one exit, or a terminator, or a fused pair's
	                                       head) */
	struct { uint8_t off, src; uint64_t keep, mask; } imms[TC_IMMS]; /* keep: the template's 8 bytes
	                                       at off with the field's bytes 0; mask: the field's value bits
	                                       (jit.h), so the 8 bytes with value v are keep | (v & mask);
	                                       src: v's offset in pvm_inst (imm or imm2) */
	struct { uint8_t off, kind, reg; } exits[TC_EXITS];
} tc_entry;
/* A piece of code emitted many times per program with only numbers changing (a gas prologue, an
 * exit stub, a dispatcher), emitted once by its own function and copied: its bytes, its exits
 * (piece offsets) and the piece offsets of its number fields. */
typedef struct piece {
	uint8_t bytes[96];
	size_t len, n_exits, field[4];
	jit_exit exits[JIT_TPL_MAX_EXITS];
} piece;
enum { TC_EMIT, TC_COPY_ANY, TC_PLAIN, TC_SMALL };
enum { FLOW_TERM = 1, FLOW_FALLS = 2, FLOW_S8 = 1 << 30 }; /* pvm_op_is_term; pvm_op_falls and not a host
                                                         call; the opcode has the class S8 (jit_op_classes:
                                                         the key's bit, tc_find) */
typedef struct tpl_cache {
	jit_features f;                     /* the features its entries were emitted for */
	uint32_t n;                         /* entries made (v[1 .. n]) */
	tc_entry *v;
	uint32_t flow[256];                 /* FLOW_* of each opcode */
	uint8_t *arena;
	size_t n_arena, cap_arena;
	bool pieces;                        /* the pieces below were made */
	piece prologue8, prologue32, stub, oog8, oog32, dispatch, refund8, refund32; /* prologue8, oog8
	                                       (an out-of-gas stub), refund8: costs below 128 */
	uint32_t keys[TC_SLOTS];            /* (in the struct: a probe loads no pointer first) */
	uint16_t idx[TC_SLOTS];
} tpl_cache;

static void tc_init(tpl_cache *c, jit_features f)
{
	memset(c, 0, sizeof *c); /* (the keys 0: free, and their idx 0) */
	c->f = f;
	c->v = pvm_xmalloc((TC_SLOTS / 2 + 1) * sizeof *c->v);
	c->v[0] = (tc_entry){ .copy = TC_EMIT };
	c->cap_arena = 16 * (size_t)TC_SLOTS;
	c->arena = pvm_xmalloc(c->cap_arena + TC_COPY); /* + TC_COPY: copies read TC_COPY bytes */
	for (unsigned op = 0; op < PVM_NUM_OPS; op++) {
		jit_imm_class cls[JIT_CLASS_COUNT];
		size_t n = jit_op_classes(op, cls, JIT_CLASS_COUNT);
		c->flow[op] = (uint32_t)((pvm_op_is_term(op) ? FLOW_TERM : 0) |
		                        (pvm_op_falls(op) && pvm_ops[op].ctl != PVM_CTL_HOST ? FLOW_FALLS : 0) |
		                        (n == 2 && cls[1] == JIT_CLASS_S8 ? FLOW_S8 : 0));
	}
}

/* No entries, for features f. */
static void tc_reset(tpl_cache *c, jit_features f)
{
	memset(c->keys, 0, TC_SLOTS * sizeof *c->keys);
	memset(c->idx, 0, TC_SLOTS * sizeof *c->idx);
	c->n = 0;
	c->n_arena = 0;
	c->f = f;
}

static void tc_fini(tpl_cache *c)
{
	free(c->v);
	free(c->arena);
}

/* The thread's cache (kept_cache): made at its first compile, freed when it ends. */
_Static_assert(sizeof(jit_features) == 4, "kept_cache compares the features as bytes: four bools, no padding");
static __thread tpl_cache *kept_tc;
static pthread_key_t kept_tc_key;
static pthread_once_t kept_tc_once = PTHREAD_ONCE_INIT;
static void kept_tc_free(void *v)
{
	tc_fini(v);
	free(v);
	kept_tc = NULL;
}
static void kept_tc_init(void) { pthread_key_create(&kept_tc_key, kept_tc_free); }

/* The thread's cache for a compile with features f: its entries if they were made for f and leave
 * room for TC_ROOM more entries and their bytes (else none: a program with many new keys still
 * finds room for them). A big program's templates stay for its next compile: the 0.7.2 services
 * of the traces have about 2,600 distinct ones (when the rule was "at most half the entries the
 * table takes", every compile of them emitted all anew: 14% of their JIT's host instructions). */
enum { TC_ROOM = 1024 };
static tpl_cache *kept_cache(jit_features f)
{
	tpl_cache *c = kept_tc;
	if (!c) {
		pthread_once(&kept_tc_once, kept_tc_init);
		c = kept_tc = pvm_xmalloc(sizeof *c);
		tc_init(c, f);
		pthread_setspecific(kept_tc_key, c);
	} else if (memcmp(&c->f, &f, sizeof f) || c->n + TC_ROOM > (TC_SLOTS - 1) / 2 ||
	           c->n_arena + 16 * TC_ROOM > c->cap_arena) {
		tc_reset(c, f);
	}
	return c;
}

/* The bytes of an immediate field holding v (jit.h). */
static uint64_t field_value(uint64_t v, unsigned enc)
{
	switch (enc) {
	case JIT_IMM_64: return v;
	case JIT_IMM_LOW16: return v & 0xFFFF;
	case JIT_IMM_LOW8: return v & 0xFF;
	case JIT_IMM_LOW8_MASK63: return v & 63;
	case JIT_IMM_LOW8_MASK31: return v & 31;
	default: return v & 0xFFFFFFFFu; /* SEXT32, LOW32 */
	}
}

/* What an exit of this kind records of its instruction (the rules the cache relies on). */
static uint32_t exit_target(unsigned kind, const pvm_inst *in) { return kind == JIT_EXIT_BRANCH ? in->target : 0; }
static uint64_t exit_arg(unsigned kind, const pvm_inst *in) { return kind == JIT_EXIT_HOST ? (uint32_t)in->imm : 0; }

/* Copy n bytes from src to d: whole TC_COPY-byte words (src readable and d writable for n rounded
 * up to them; see TC_SLACK); copy_words: to the buffer at its end. */
static inline void copy_to(uint8_t *d, const uint8_t *src, size_t n)
{
	memcpy(d, src, TC_COPY);
	for (size_t k = TC_COPY; k < n; k += TC_COPY) memcpy(d + k, src + k, TC_COPY);
}
static inline void copy_words(x64_buf *b, const uint8_t *src, size_t n)
{
	copy_to(b->p + b->len, src, n);
	b->len += n;
}

/* Enter the template just emitted for in (buffer offsets [at, b->len), exits from index x0,
 * fields f[0 .. nf) at buffer offsets mod 2^16) as a new entry of key at slot h: one that may be
 * copied when its exits and fields read as the cache's rules say (the exits record in's pc, its
 * target for a branch, X for a host call and nothing else; each field lies in the template and
 * holds field_value of its immediate), it has at most TC_EXITS exits and TC_IMMS fields, and it
 * fits the arena; else one that is emitted anew every time. */
static void tc_enter(tpl_cache *c, const jit_em *e, const pvm_inst *in, uint32_t key, uint32_t h, size_t at,
                     size_t x0, const jit_imm_field *f, size_t nf)
{
	const x64_buf *b = &e->b;
	size_t len = b->len - at, nx = e->n_exits - x0;
	uint32_t i = ++c->n;
	c->keys[h] = key;
	c->idx[h] = (uint16_t)i;
	tc_entry *t = &c->v[i];
	t->copy = TC_EMIT;
	if (len > 255 || nx > TC_EXITS || nf > TC_IMMS || c->n_arena + len > c->cap_arena) return;
	uint8_t *a = c->arena + c->n_arena;
	memcpy(a, b->p + at, len);
	memset(a + len, 0, TC_COPY); /* (defined bytes for the words read past the end) */
	for (size_t k = 0; k < nx; k++) {
		const jit_exit *x = &e->exits[x0 + k];
		if (x->pc != in->pc || x->target != exit_target(x->kind, in) || x->arg != exit_arg(x->kind, in) ||
		    x->off < at || x->off - at > 255)
			return;
		t->exits[k].off = (uint8_t)(x->off - at);
		t->exits[k].kind = x->kind;
		t->exits[k].reg = x->reg;
	}
	unsigned first = nf == 2 && (uint16_t)(f[1].off - at) < (uint16_t)(f[0].off - at); /* (ascending) */
	for (size_t k = 0; k < nf; k++) {
		const jit_imm_field *x = &f[k ^ first];
		size_t off = (uint16_t)(x->off - at);
		if (x->width > 8 || off + x->width > len) return;
		uint64_t w, bytes = x->width == 8 ? ~0ull : (1ull << (8 * x->width)) - 1;
		uint64_t want = field_value(x->which ? in->imm2 : in->imm, x->enc);
		memcpy(&w, a + off, 8);
		if ((want & ~bytes) || (w & bytes) != want) return;
		t->imms[k].off = (uint8_t)off;
		t->imms[k].src = (uint8_t)(x->which ? offsetof(pvm_inst, imm2) : offsetof(pvm_inst, imm));
		t->imms[k].keep = w & ~bytes;
		t->imms[k].mask = field_value(~0ull, x->enc);
	}
	if (nf == 0) { /* (put_plain's store: the first 8 bytes as they are) */
		t->imms[0].off = 0;
		t->imms[0].src = offsetof(pvm_inst, imm);
		memcpy(&t->imms[0].keep, a, 8);
		t->imms[0].mask = 0;
	}
	t->copy = nx > 1 || nf > 1 || len > TC_COPY ? TC_COPY_ANY
	        : nx || fuse_head(in->op) || c->flow[in->op] & FLOW_TERM ? TC_SMALL : TC_PLAIN;
	t->off = (uint32_t)c->n_arena;
	t->len = (uint8_t)len;
	t->n_imms = (uint8_t)nf;
	t->n_exits = (uint8_t)nx;
	c->n_arena += len;
}

/* Emit in's template, whose key is at no slot (h: the free one it would take), and enter it. */
static __attribute__((noinline, cold)) void emit_inst_new(jit_em *e, tpl_cache *c, const pvm_inst *in, uint32_t key,
                                                          uint32_t h)
{
	size_t at = e->b.len, x0 = e->n_exits;
	jit_imm_field f[JIT_TPL_MAX_IMMS];
	e->imms = f;
	e->n_imms = 0;
	jit_em_inst(e, in);
	e->imms = NULL;
	if (e->b.err || c->n >= (TC_SLOTS - 1) / 2) return; /* (a half-full table: no more entries) */
	tc_enter(c, e, in, key, h, at, x0, f, e->n_imms);
}

/* The slot of key k, or the free one it would take, from slot x holding y (not k). */
static __attribute__((noinline)) uint32_t tc_probe(const tpl_cache *c, uint32_t k, uint32_t x, uint32_t y)
{
	while (y != k && y) y = c->keys[x = (x + 1) & (TC_SLOTS - 1)];
	return x;
}

/* The entry of in's key (*key) and its slot (*h): v[0], whose copy is TC_EMIT, when the key is at no
 * slot (*h: the free one it would take). */
static inline __attribute__((always_inline)) const tc_entry *tc_find(const tpl_cache *c, const pvm_inst *in,
                                                                     uint32_t *key, uint32_t *h)
{
	/* (op, rA, rB, rD), the class (bit 30: rD < 13 leaves bits 28-31 free) and a set top bit. The
	 * class is jit_em_s8's: an opcode with the class S8 and X in -128..127 (its mutant hook is the
	 * identity: a cache is used only while no mutant is active), without a branch (it would
	 * mispredict: the opcodes with the class and the others come mixed) */
	uint32_t k, x, y;
	memcpy(&k, in, 4);
	k |= (c->flow[in->op] & FLOW_S8 & -(uint32_t)(in->imm + 128 < 256)) | 1u << 31;
	x = k * 0x9E3779B1u >> (32 - TC_BITS); /* (the table's size a constant: no loads for the shift, the mask) */
	if (__builtin_expect((y = c->keys[x]) != k, 0)) x = tc_probe(c, k, x, y); /* (mostly found first) */
	*key = k;
	*h = x;
	return &c->v[c->idx[x]];
}

/* The template of t (copy TC_PLAIN) for in copied to buf + at, where TC_SLACK bytes of room are
 * left, with its field; the buffer's new length. */
static inline __attribute__((always_inline)) size_t put_plain(uint8_t *buf, const tpl_cache *c, const tc_entry *t,
                                                              const pvm_inst *in, size_t at)
{
	uint8_t *d = buf + at;
	uint64_t v, w;
	memcpy(d, c->arena + t->off, TC_COPY);
	memcpy(&v, (const uint8_t *)in + t->imms[0].src, 8);
	w = t->imms[0].keep | (v & t->imms[0].mask);
	memcpy(d + t->imms[0].off, &w, 8);
	return at + t->len;
}

/* Record the exit of in's template at buffer offset at, from its entry t's exit i. */
static inline void put_exit(jit_em *e, const tc_entry *t, unsigned i, const pvm_inst *in, size_t at)
{
	unsigned kind = t->exits[i].kind;
	jit_em_exit(e, at + t->exits[i].off, (jit_exit_kind)kind, in->pc, exit_target(kind, in), exit_arg(kind, in),
	            (enum x64_reg)t->exits[i].reg);
}

/* emit_inst_at's way for an entry t = tc_find(c, in, &key, &h) that put_plain does not take (or at
 * >= lim); a fused pair's head here is not fused. */
static inline __attribute__((always_inline)) size_t emit_found(jit_em *e, tpl_cache *c, const pvm_inst *in,
                                                               const tc_entry *t, uint32_t key, uint32_t h,
                                                               size_t at, size_t lim)
{
	if (t->copy == TC_SMALL && at < lim) {
		if (t->n_exits) put_exit(e, t, 0, in, at);
		return put_plain(e->b.p, c, t, in, at);
	}
	if (__builtin_expect(!c->keys[h], 0)) {
		e->b.len = at;
		emit_inst_new(e, c, in, key, h);
		return e->b.len;
	}
	if (t->copy == TC_EMIT || at >= lim) { /* (near the end: emitted, the overflow is seen) */
		e->b.len = at;
		jit_em_inst(e, in);
		return e->b.len;
	}
	uint8_t *d = e->b.p + at;
	copy_to(d, c->arena + t->off, t->len);
	/* each field: 8 bytes from its offset; fields ascend, so a later one's store lands after an
	 * earlier one's field */
	if (t->n_imms) {
		uint64_t v, w;
		memcpy(&v, (const uint8_t *)in + t->imms[0].src, 8);
		w = t->imms[0].keep | (v & t->imms[0].mask);
		memcpy(d + t->imms[0].off, &w, 8);
		if (t->n_imms > 1) {
			memcpy(&v, (const uint8_t *)in + t->imms[1].src, 8);
			w = t->imms[1].keep | (v & t->imms[1].mask);
			memcpy(d + t->imms[1].off, &w, 8);
		}
	}
	for (unsigned i = 0; i < t->n_exits; i++) put_exit(e, t, i, in, at);
	return at + t->len;
}

/* Emit in's template at buffer offset at (e->b.len need not be at: it is read and written only on
 * the slow paths) and return the buffer's new length: a copy from the cache when the entry may be
 * copied and at < lim (then TC_SLACK bytes of room are left), else emitted (and, the first time,
 * entered in the cache). */
static inline __attribute__((always_inline)) size_t emit_inst_at(jit_em *e, tpl_cache *c, const pvm_inst *in,
                                                                 size_t at, size_t lim)
{
	uint32_t key, h;
	const tc_entry *t = tc_find(c, in, &key, &h);
	if (__builtin_expect(t->copy == TC_PLAIN && at < lim, 1)) return put_plain(e->b.p, c, t, in, at);
	return emit_found(e, c, in, t, key, h, at, lim);
}

/* The end below which emit_inst_at copies: TC_SLACK bytes of room left. */
static inline size_t copy_limit(const x64_buf *b) { return b->cap >= TC_SLACK ? b->cap - TC_SLACK + 1 : 0; }

/* Emit in's template at the buffer's end: emit_inst_at. */
static inline __attribute__((always_inline)) void emit_inst(jit_em *e, tpl_cache *c, const pvm_inst *in)
{
	e->b.len = emit_inst_at(e, c, in, e->b.len, copy_limit(&e->b));
}

/* A scratch emitter writing into piece x. */
static jit_em piece_em(piece *x, jit_features f)
{
	return (jit_em){ .b = { .p = x->bytes, .cap = sizeof x->bytes }, .f = f, .exits = x->exits,
		.cap_exits = JIT_TPL_MAX_EXITS, .fixed_exits = true };
}

/* Make the pieces of a program whose jump table has jt_len entries: the prologues (cost: field 0),
 * a stub (kind, pc, rel32: fields 0-2), the out-of-gas stubs (the same and the cost: field 3), a
 * dispatcher (its exits' pc) and the refunds (cost: field 0, rel32: field 1). Each fits in 64 bytes
 * (copy_words reads up to there: the pieces' arrays are 96). */
static void make_pieces(tpl_cache *c, uint32_t jt_len, jit_features f)
{
	bool ok = true;
	piece *pro[2] = { &c->prologue8, &c->prologue32 }, *oog[2] = { &c->oog8, &c->oog32 },
	      *ref[2] = { &c->refund8, &c->refund32 };
	for (int k = 0; k < 2; k++) {
		jit_em e = piece_em(ref[k], f);
		emit_refund(&e.b, k ? 128 : 0, 0, ref[k]->field);
		ok = ok && !e.b.err && e.n_exits == 0;
		ref[k]->len = e.b.len;
		e = piece_em(pro[k], f);
		jit_em_prologue(&e, 0, k ? 128 : 0, &pro[k]->field[0]);
		ok = ok && !e.b.err && e.n_exits == 1;
		pro[k]->len = e.b.len;
		pro[k]->n_exits = e.n_exits;
		e = piece_em(oog[k], f);
		emit_stub(&e, &(jit_exit){ .kind = JIT_EXIT_OOG, .arg = k ? 128 : 0 }, 0, oog[k]->field);
		ok = ok && !e.b.err && e.n_exits == 0 && oog[k]->field[3] != SIZE_MAX;
		oog[k]->len = e.b.len;
	}
	jit_em e = piece_em(&c->stub, f);
	emit_stub(&e, &(jit_exit){ 0 }, 0, c->stub.field);
	ok = ok && !e.b.err && e.n_exits == 0;
	c->stub.len = e.b.len;
	e = piece_em(&c->dispatch, f);
	emit_dispatch(&e, 0, jt_len);
	ok = ok && !e.b.err;
	c->dispatch.len = e.b.len;
	c->dispatch.n_exits = e.n_exits;
	c->pieces = ok && c->prologue8.len <= 64 && c->prologue32.len <= 64 && c->stub.len <= 64 && c->oog8.len <= 64 &&
	            c->oog32.len <= 64 && c->dispatch.len <= 64 && c->refund8.len <= 64 && c->refund32.len <= 64;
}

/* Append piece x; its buffer offset, or SIZE_MAX (the buffer's sticky error set) if it does not fit. */
static __attribute__((noinline, cold)) size_t put_piece_end(jit_em *e, const piece *x)
{
	size_t at = e->b.len;
	if (at + x->len > e->b.cap) {
		e->b.err = true;
		return SIZE_MAX;
	}
	memcpy(e->b.p + at, x->bytes, x->len);
	e->b.len += x->len;
	return at;
}
static inline size_t put_piece(jit_em *e, const piece *x)
{
	size_t at = e->b.len;
	if (__builtin_expect(at + TC_SLACK > e->b.cap, 0)) return put_piece_end(e, x); /* (near the end: exact) */
	copy_words(&e->b, x->bytes, x->len);
	return at;
}

/* Piece x copied to d, where TC_SLACK bytes of room are left (a piece: at most 64 bytes; a
 * prologue's or a stub's, mostly at most TC_COPY). */
static inline void copy_piece(uint8_t *d, const piece *x)
{
	memcpy(d, x->bytes, TC_COPY);
	if (x->len > TC_COPY) memcpy(d + TC_COPY, x->bytes + TC_COPY, TC_COPY);
}

/* The gas prologue piece for cost, and its cost field written into the copy of it at d. */
static inline const piece *prologue_piece(const tpl_cache *c, uint32_t cost)
{
	return cost < 128 ? &c->prologue8 : &c->prologue32;
}
static inline void cost_field(uint8_t *d, const piece *x, uint32_t cost)
{
	if (cost < 128) d[x->field[0]] = (uint8_t)cost;
	else memcpy(d + x->field[0], &cost, 4);
}

/* The stub piece for an exit of this kind and cost, and its fields written into the copy of it at
 * d, buffer offset at: the kind, the pc, the rel32 to exit_off, an out-of-gas stub's cost. */
static inline const piece *stub_piece(const tpl_cache *c, uint32_t kind, uint32_t cost)
{
	return kind != JIT_EXIT_OOG ? &c->stub : cost < 128 ? &c->oog8 : &c->oog32;
}
static inline void stub_fields(uint8_t *d, size_t at, const tpl_cache *c, const piece *s, uint32_t kind, uint32_t pc,
                               uint32_t cost, size_t exit_off)
{
	int32_t rel = (int32_t)((int64_t)exit_off - (int64_t)(at + s->field[2] + 4));
	memcpy(d + s->field[0], &kind, 4);
	memcpy(d + s->field[1], &pc, 4);
	memcpy(d + s->field[2], &rel, 4);
	if (s == &c->oog8) d[s->field[3]] = (uint8_t)cost;
	else if (s == &c->oog32) memcpy(d + s->field[3], &cost, 4);
}

/* jit_em_prologue(e, pc, cost), from the piece (c->pieces). */
static inline void emit_prologue(jit_em *e, const tpl_cache *c, uint32_t pc, uint32_t cost)
{
	const piece *x = prologue_piece(c, cost);
	size_t at = put_piece(e, x);
	if (at == SIZE_MAX) return;
	cost_field(e->b.p + at, x, cost);
	jit_em_exit(e, at + x->exits[0].off, JIT_EXIT_OOG, pc, 0, cost, 0);
}

/* emit_prologue at buffer offset at (e->b.len need not be at: it is read and written only on the
 * slow path, at >= lim: then TC_SLACK bytes of room are not left); the buffer's new length. */
static inline size_t prologue_at(jit_em *e, const tpl_cache *c, uint32_t pc, uint32_t cost, size_t at, size_t lim)
{
	if (__builtin_expect(at >= lim, 0)) {
		e->b.len = at;
		emit_prologue(e, c, pc, cost);
		return e->b.len;
	}
	const piece *x = prologue_piece(c, cost);
	copy_piece(e->b.p + at, x);
	cost_field(e->b.p + at, x, cost);
	jit_em_exit(e, at + x->exits[0].off, JIT_EXIT_OOG, pc, 0, cost, 0);
	return at + x->len;
}

/* emit_refund(cost, to) from its piece, at buffer offset at where TC_SLACK bytes of room are left;
 * the buffer's new length. */
static inline size_t refund_at(uint8_t *buf, const tpl_cache *c, uint32_t cost, size_t to, size_t at)
{
	const piece *x = cost < 128 ? &c->refund8 : &c->refund32;
	int32_t rel = (int32_t)((int64_t)to - (int64_t)(at + x->field[1] + 4));
	copy_piece(buf + at, x);
	cost_field(buf + at, x, cost);
	memcpy(buf + at + x->field[1], &rel, 4);
	return at + x->len;
}

/* emit_stub(e, x, exit_off), from the piece when there is one. */
static void emit_stub_for(jit_em *e, const tpl_cache *c, const jit_exit *x, size_t exit_off)
{
	size_t field[4];
	if (!c || !c->pieces) {
		emit_stub(e, x, exit_off, field);
		return;
	}
	uint32_t cost = (uint32_t)x->arg;
	const piece *s = stub_piece(c, x->kind, cost);
	size_t at = put_piece(e, s);
	if (at == SIZE_MAX) return;
	stub_fields(e->b.p + at, at, c, s, x->kind, x->pc, cost, exit_off);
}

/* The exits of the dispatcher piece for the jump at pc, put at buffer offset at. */
static inline void dispatch_exits(jit_em *e, const tpl_cache *c, uint32_t pc, size_t at)
{
	for (size_t i = 0; i < c->dispatch.n_exits; i++)
		jit_em_exit(e, at + c->dispatch.exits[i].off, (jit_exit_kind)c->dispatch.exits[i].kind, pc, 0, 0, 0);
}

/* emit_dispatch(e, pc, jt_len), from the piece when there is one. */
static void emit_dispatch_for(jit_em *e, const tpl_cache *c, uint32_t pc, uint32_t jt_len)
{
	if (!c || !c->pieces) {
		emit_dispatch(e, pc, jt_len);
		return;
	}
	size_t at = put_piece(e, &c->dispatch);
	if (at != SIZE_MAX) dispatch_exits(e, c, pc, at);
}

pvm_inst jit_row_inst(const jit_program *jp, uint32_t pc)
{
	const pvm_program *p = &jp->prog;
	if (pc < p->code_len && (p->bitmask[pc >> 3] >> (pc & 7) & 1)) return pvm_decode_at(p, pc);
	return (pvm_inst){ .op = PVM_OP_trap, .pc = pc, .next = pc + 1 };
}

/* The trampolines' bytes, the same in every program (they depend on no feature and hold no
 * offset): emitted once, unless a mutant is active then (which may change them; while one is
 * active they are emitted every time). ctest jit_templates compares them with a fresh emission, and
 * `prove --all` proves each program's own. */
static struct { uint8_t bytes[256]; size_t exit_off, len; bool ok; } tramps;
static pthread_once_t tramps_once = PTHREAD_ONCE_INIT;
static void tramps_make(void)
{
	x64_buf b = { .p = tramps.bytes, .cap = sizeof tramps.bytes };
	emit_tramps(&b, &tramps.exit_off);
	tramps.len = b.len;
	tramps.ok = !b.err && pvm_mutant_active() == PVM_MUT_NONE;
}

enum { CHAIN_MAX = 1u << 30 };

/* A branch taken more often than not, by its comparison alone: inequality (values are unequal
 * mostly; the opcode heuristic of static branch prediction). */
static bool branch_likely(unsigned op) { return op == PVM_OP_branch_ne || op == PVM_OP_branch_ne_imm; }

/* What an instruction does to a chain, by opcode byte (chains). */
enum { K_NEXT, K_JUMP, K_BRANCH, K_BRANCH_LIKELY, K_FALL, K_END };

/* Mark lh for the instruction at pc of kind k: a static target (LH_TARGET), a loop head (LH_LOOP:
 * the target of a backward one). Returns its target (UINT32_MAX: none). */
static inline uint32_t mark_target(const pvm_program *p, uint8_t *lh, uint32_t pc, unsigned k)
{
	_Static_assert(K_BRANCH == K_JUMP + 1 && K_BRANCH_LIKELY == K_JUMP + 2, "the static jumps' kinds in a row");
	uint32_t target = p->inst[pc].target; /* (read whatever the kind: no branch on it) */
	target = k - K_JUMP < 3u ? target : UINT32_MAX;
	/* (without a branch on the target, which the record's load decides late: past code_len, no
	 * bits at code_len) */
	uint32_t at = target <= p->code_len ? target : p->code_len;
	lh[at] |= (uint8_t)((target <= pc ? LH_LOOP : 0) | (target <= p->code_len ? LH_TARGET : 0));
	return target;
}

/* Whether the instruction at pc of kind k, reached straight from its block's start, falls into the
 * next start on the chained side (a `fallthrough`; the not-taken side of a forward branch that is
 * not taken mostly). */
static inline bool falls_chained(unsigned k, uint32_t pc, uint32_t target)
{
	return (k == K_FALL) | ((k == K_BRANCH) & (target > pc)); /* (no branches: they would mispredict) */
}

/* The general walk of chains: every instruction start in turn. */
static uint32_t walk_starts(const pvm_program *p, const uint8_t *kind, uint8_t *lh, uint32_t *blk)
{
	uint32_t n = 0, prev = 0;
	bool straight = false; /* this start is reached from its block's start by falling from instruction to instruction */
	bool fall = false;     /* the terminator before this start falls into it on its chained side */
	pvm_starts ls = pvm_starts_of(p);
	for (uint32_t pc = pvm_starts_next(&ls); pc < p->code_len; prev = pc, pc = pvm_starts_next(&ls)) {
		if (pc - prev > 25) straight = fall = false; /* (a skip over 24: the instruction before falls into no start) */
		if (fall) lh[pc] |= LH_FALLEN;
		if (p->is_block[pc]) {
			blk[n++] = pc;
			straight = true;
		}
		unsigned k = kind[p->code[pc]];
		fall = false;
		if (k == K_NEXT) continue; /* (most instructions) */
		/* every target, straight or not (a mutant leaves out those after a host call) */
		uint32_t target = straight || pvm_mutant_hook(PVM_HOOK_chain_host_target, 1) ? mark_target(p, lh, pc, k) : UINT32_MAX;
		fall = straight && falls_chained(k, pc, target);
		straight = false; /* (past a terminator or a host call) */
	}
	return n;
}

/* The instruction start before pc (there is one: pc > 0 and 0 is a start). */
static inline uint32_t start_before(const pvm_program *p, uint32_t pc)
{
	size_t w = (pc - 1) >> 6; /* (the bitmask is zero-padded to whole words) */
	uint64_t x;
	memcpy(&x, p->bitmask + 8 * w, 8);
	x &= ~0ull >> (63 - ((pc - 1) & 63));
	while (!x) memcpy(&x, p->bitmask + 8 * --w, 8);
	return (uint32_t)(w * 64 + 63 - (unsigned)__builtin_clzll(x));
}

/* Bit j: the byte at s + j equals x, for 64 bytes. */
static inline uint64_t bytes_equal64(const uint8_t *s, __m128i x)
{
	uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)s), x)),
	         m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + 16)), x)),
	         m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + 32)), x)),
	         m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + 48)), x));
	return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}

/* The walk of chains for a regular program (p->regular: 0 is a start, every start holds a defined
 * opcode and every skip is at most 24; a valid GP 0.8.0 blob is), so the start before each block
 * start is the terminator of the block before it, every static jump and branch is such a
 * terminator or the last instruction, and the only instruction that ends a straight run inside a
 * block is ecalli. It visits the block starts and the ecallis alone, found 64 positions at a time
 * (is_block, and the code's bytes equal to ecalli's at bitmask starts), and marks what walk_starts
 * marks (ctest jit_cache: the compile without a cache walks every start). */
static uint32_t walk_blocks(const pvm_program *p, const uint8_t *kind, uint8_t *lh, uint32_t *blk)
{
	uint32_t len = p->code_len, n = 0, from = 0; /* from: the current block's start */
	uint32_t host_end = 0;                       /* 1 + the last ecalli start seen, 0: none */
	const uint8_t host_byte = (uint8_t)pvm_byte(p->isa, PVM_OP_ecalli);
	const __m128i zero = _mm_setzero_si128(), host = _mm_set1_epi8((char)host_byte);
	blk[n++] = 0;
	for (uint32_t c = 0; c < len; c += 64) {
		/* (64 positions at a time, whole where both arrays have 64 more bytes; the bitmask is
		 * zero-padded to whole words, so its bits past len are 0) */
		uint64_t blocks = 0, hosts = 0, mask;
		if (c + 64 <= len) {
			blocks = ~bytes_equal64(p->is_block + c, zero);
			hosts = bytes_equal64(p->code + c, host);
		} else {
			for (uint32_t j = c; j < len; j++) {
				blocks |= (uint64_t)(p->is_block[j] != 0) << (j - c);
				hosts |= (uint64_t)(p->code[j] == host_byte) << (j - c);
			}
		}
		memcpy(&mask, p->bitmask + (c >> 3), 8);
		hosts &= mask;
		if (c == 0) blocks &= ~1ull; /* (0: the first block, in already) */
		for (uint64_t m = blocks | hosts; m; m &= m - 1) {
			uint32_t j = (uint32_t)__builtin_ctzll(m), i = c + j;
			if (blocks >> j & 1) { /* i: a block start; t ends the block from from */
				uint32_t t = start_before(p, i);
				unsigned k = kind[p->code[t]];
				uint32_t target = mark_target(p, lh, t, k);
				lh[i] |= (uint8_t)((host_end <= from) & falls_chained(k, t, target)) * LH_FALLEN;
				blk[n++] = from = i;
			}
			if (hosts >> j & 1) host_end = i + 1; /* (an ecalli at a block start is in that block) */
		}
	}
	if (len) { /* the last instruction ends the last block */
		uint32_t t = start_before(p, len);
		mark_target(p, lh, t, kind[p->code[t]]);
	}
	return n;
}

/* Latches (jit.h § chains): a chain whose last block ends, straight from its start (no ecalli), in
 * a branch back to the head T of an earlier chain prepays T's charge: its head's prologue takes
 * it too (every block of the chain has it prepaid), the branch enters T past T's prologue (its
 * exit's prepaid gas is T's charge: emit_program's linking), and the not-taken side gives it back
 * before the next region's entry (emit_fall_refund). A loop of two gas regions then pays one
 * prologue a turn. Chains in pc order, so T's charge is final when a later chain takes it (a
 * latch's T is an earlier chain's head: no chain takes its own). */
static void latches(const pvm_program *p, const uint8_t *lh, const uint32_t *blk, uint32_t n, uint32_t *chain)
{
	for (uint32_t h = 0, t; h < n; h = t + 1) {
		for (t = h; t + 1 < n && lh[blk[t + 1]] & LH_MEMBER; t++) {}
		const pvm_inst *in = &p->inst[start_before(p, blk[t + 1])]; /* (blk[t + 1] > 0) */
		uint32_t target = in->target;
		if (pvm_ops[in->op].ctl != PVM_CTL_BRANCH || in->next != blk[t + 1] || target >= blk[h] ||
		    !p->is_block[target] || lh[target] & LH_MEMBER)
			continue;
		const pvm_inst *s = &p->inst[blk[t]]; /* straight from the block's start: no ecalli before it */
		while (s != in && pvm_ops[s->op].ctl == PVM_CTL_NEXT && s->next < blk[t + 1] && compiled(p, s->next))
			s = &p->inst[s->next];
		if (s != in) continue;
		uint32_t lo = block_index(blk, h, target); /* T's */
		if (lo == h || blk[lo] != target || (uint64_t)chain[h] + chain[lo] > CHAIN_MAX) continue;
		for (uint32_t i = h; i <= t; i++) chain[i] += chain[lo];
	}
}

/* The chains of p: the i-th block start (in pc order) gets chain[i], the gas the chain takes at its
 * prologue if it heads one (its cost and the costs of the members after it), and lh[b] its bits
 * (LH_*). A block is a member when the only way into it is falling from the block before, along
 * that block's instructions from its start, by a `fallthrough` or on the not-taken side of a
 * forward branch that is not taken mostly (a backward branch is a loop's, branch_likely's are
 * taken mostly; the taken side pays the refund): no static jump or branch targets it, no
 * jump-table entry names it. Both arrays are indexed by block (pages of an array indexed by pc
 * would each be touched). *blocks: the block starts, then code_len, *n_blocks how many starts; the
 * caller frees both.
 * general: walk every start (walk_starts) even where walk_blocks could. */
static uint32_t *chains(const pvm_program *p, bool general, uint8_t *lh, uint32_t **blocks, uint32_t *n_blocks)
{
	/* by opcode byte (the starts come from the bitmask and their opcode bytes from the code, so the
	 * loads do not wait for each other; only a terminator's or an ecalli's record is read, for a
	 * target) */
	uint8_t kind[256];
	for (unsigned k = 0; k < 256; k++) {
		int op = pvm_op_decode(p->isa, k);
		unsigned ctl = op < 0 ? PVM_CTL_TRAP : pvm_ops[op].ctl;
		kind[k] = ctl == PVM_CTL_NEXT ? K_NEXT : ctl == PVM_CTL_JUMP ? K_JUMP : ctl == PVM_CTL_FALL ? K_FALL
		        : ctl == PVM_CTL_BRANCH ? (branch_likely((unsigned)op) ? K_BRANCH_LIKELY : K_BRANCH) : K_END;
	}
	uint32_t *blk = pvm_xmalloc(((size_t)p->code_len + 1) * sizeof *blk);
	bool by_blocks = !general && p->regular && pvm_mutant_active() == PVM_MUT_NONE;
	uint32_t n = by_blocks ? walk_blocks(p, kind, lh, blk) : walk_starts(p, kind, lh, blk);
	blk[n] = p->code_len; /* (n <= code_len) */
	for (uint32_t i = 0; i < p->jt_len; i++)
		if (p->jump_table[i] <= p->code_len) lh[p->jump_table[i]] |= LH_TARGET;
	uint32_t *chain = pvm_xmalloc((n ? n : 1) * sizeof *chain);
	uint64_t after = 0; /* the chain cost of the block after the current one, if it is a member */
	for (uint32_t i = n; i-- > 0;) {
		uint32_t pc = blk[i], cost = region_cost(p, pc);
		uint64_t s = cost + after;
		if (s > CHAIN_MAX) { /* (a chain that long: cut here, the next block heads its own) */
			s = cost;
			lh[blk[i + 1]] &= (uint8_t)~LH_MEMBER;
		}
		chain[i] = (uint32_t)s;
		bool member = (lh[pc] & (LH_TARGET | LH_FALLEN)) == LH_FALLEN;
		if (member) lh[pc] |= LH_MEMBER;
		after = member ? s : 0;
	}
	latches(p, lh, blk, n, chain);
	*blocks = blk;
	*n_blocks = n;
	return chain;
}

/* The branch exits recorded since x0 leave a chain block whose later blocks are prepaid: their
 * links give it back (arg, see emit_program). */
static void mark_prepaid(jit_em *e, size_t x0, uint32_t prepaid)
{
	for (size_t i = x0; i < e->n_exits; i++)
		if (e->exits[i].kind == JIT_EXIT_BRANCH) e->exits[i].arg = prepaid;
}

/* The trap at next, a position that holds no instruction, that an instruction falls into (a new
 * gas region after a terminator: term), and its row *r. */
static __attribute__((noinline, cold)) void emit_fall_trap(jit_em *e, const tpl_cache *c, const pvm_program *p,
                                                           jit_row *r, uint32_t next, bool term)
{
	uint32_t tentry = JIT_NONE, tcost = region_cost(p, next); /* 0.7.2: 1; 0.8.0: 0 (§3) */
	if (term) {
		tentry = (uint32_t)e->b.len;
		emit_prologue(e, c, next, tcost);
	}
	*r = (jit_row){ .at = { (uint32_t)e->b.len, next }, .entry = tentry, .cost = tcost }; /* (jit_row_inst: { trap, next, next + 1 }) */
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_PANIC, next, 0, 0, 0);
}

/* Emit the fused pair (a, b), whose row a's is the row before *r, and b's row *r: at a's offset
 * (jit.h § fusions), marked in *fused (made at the first pair). Returns b. */
static __attribute__((noinline)) const pvm_inst *fuse_pair(jit_em *e, const pvm_program *p, uint64_t **fused,
                                                           jit_row *r, const pvm_inst *a, const pvm_inst *b)
{
	if (!*fused) *fused = pvm_xcalloc(((size_t)p->code_len >> 6) + 1, sizeof **fused);
	(*fused)[b->pc >> 6] |= 1ull << (b->pc & 63);
	*r = (jit_row){ .at = { r[-1].at.host_off, b->pc }, .entry = JIT_NONE, .cost = region_cost(p, b->pc),
		.prepaid = r[-1].prepaid };
	jit_em_fused(e, a, b);
	return b;
}

/* The loop heads of p (the targets of its backward static branches and jumps) marked LH_LOOP in lh,
 * for a compile without chains (which marks them itself). The starts come from the bitmask and
 * their opcode bytes from the code, so the loads do not wait for each other (a walk along the
 * records' next would: a chain of dependent loads, slower than it counts); only a branch's record
 * is read. */
static void loop_heads(const pvm_program *p, uint8_t *lh)
{
	uint8_t jumps[256]; /* by opcode byte: a static branch or jump */
	for (unsigned k = 0; k < 256; k++) {
		int op = pvm_op_decode(p->isa, k);
		jumps[k] = op >= 0 && (pvm_ops[op].ctl == PVM_CTL_BRANCH || pvm_ops[op].ctl == PVM_CTL_JUMP);
	}
	pvm_starts it = pvm_starts_of(p);
	for (uint32_t pc = pvm_starts_next(&it); pc < p->code_len; pc = pvm_starts_next(&it)) {
		if (!jumps[p->code[pc]]) continue;
		uint32_t target = p->inst[pc].target;
		if (target <= pc) lh[target] |= LH_LOOP;
	}
}

/* *r = { { at, pc }, cost, prepaid, entry }: at, pc and entry in a 4-byte store each, cost and
 * prepaid in an 8-byte one (in a block's loop the prepaid gas is the same, and the entry JIT_NONE).
 * The empty asm keeps gcc from putting at and pc together in a vector register first (or the
 * whole row: more instructions than the stores). */
static inline void put_row(jit_row *r, uint32_t at, uint32_t pc, uint32_t entry, uint32_t cost, uint32_t prepaid)
{
	_Static_assert(sizeof(jit_row) == 20 && offsetof(jit_row, at) == 0 && offsetof(jit_pcmap, guest_pc) == 4 &&
	               offsetof(jit_row, cost) == 8 && offsetof(jit_row, prepaid) == 12 && offsetof(jit_row, entry) == 16,
	               "put_row's layout");
	uint64_t w = cost | (uint64_t)prepaid << 32;
	r->at.host_off = at;
	__asm__("" : "+m"(r->at.host_off));
	r->at.guest_pc = pc;
	memcpy(&r->cost, &w, 8);
	r->entry = entry;
}

/* What the loop of a regular program hands to the general loop at pc (code_len, or the last block's
 * start). */
typedef struct regular_state { uint32_t pc, prepaid, bi, term_next; } regular_state;

/* emit_insts_cached's loop of a regular program (p->regular) compiled with chains, up to code_len
 * (or the last block's start, st->pc), block by block (blocks: the n block starts and code_len, chain their charges): every in->next is the next
 * start (no skip is cut, so no instruction falls into a trap) and every region entry is a block
 * start (the start after a terminator is one; code_len, which is none, is left to the general
 * loop). A block's branch exits are marked prepaid once, at its end. The buffer's length is kept
 * in a local (e->b.len is written around the slow paths): the code's byte stores could alias it,
 * and a length in memory would be reloaded and stored at every instruction. Writes rows from r on;
 * returns the row after the last. fused: &jp->fused (a compile with chains fuses). */
static __attribute__((noinline)) jit_row *emit_regular(jit_em *e, const pvm_program *p, jit_row *r,
                                                       uint32_t *block_row, const uint8_t *loop_head,
                                                       const uint32_t *chain, const uint32_t *blocks, uint32_t n,
                                                       tpl_cache *c, uint64_t **fused, regular_state *st)
{
	x64_buf *b = &e->b;
	uint8_t *buf = b->p; /* (the buffer does not move) */
	jit_row *rows = r;
	const pvm_inst *inst = p->inst, *in = NULL;
	const uint32_t *gas = p->gas_cost;
	uint32_t prepaid = 0;
	size_t len = b->len, lim = copy_limit(b), x0 = 0; /* x0: the block's first exit */
	/* every block but the last ends with a terminator (and has none before), which put_plain never
	 * takes: the loop tests for the block's end after the other ways alone; a last block that does
	 * not is left to the general loop */
	uint32_t m = n && !(c->flow[inst[start_before(p, p->code_len)].op] & FLOW_TERM) ? n - 1 : n;
	for (uint32_t bi = 0; bi < m; bi++) {
		uint32_t pc = blocks[bi], end = blocks[bi + 1];
		uint32_t entry = JIT_NONE, cost = (uint32_t)pvm_mutant_hook(PVM_HOOK_region_cost, gas[pc]);
		if (prepaid) mark_prepaid(e, x0, prepaid); /* (the block before) */
		prepaid = chain[bi] - cost;
		if (!(loop_head[pc] & LH_MEMBER)) {
			if (loop_head[pc] & LH_LOOP) { /* (pad_at: no mutant is active while a cache is used) */
				if (len < lim) {
					len = pad_at(buf, len);
				} else {
					b->len = len;
					pad_loop_head(b);
					len = b->len;
				}
			}
			entry = (uint32_t)len;
			len = prologue_at(e, c, pc, chain[bi], len, lim);
		}
		x0 = e->n_exits;
		block_row[pc] = (uint32_t)(r - rows);
		uint32_t row_prepaid = (uint32_t)pvm_mutant_hook(PVM_HOOK_chain_row, prepaid);
		put_row(r++, (uint32_t)len, pc, entry, cost, row_prepaid);
		for (;;) {
			const pvm_inst *f2;
			uint32_t key, h;
			in = &inst[pc];
			const tc_entry *t = tc_find(c, in, &key, &h);
			if (__builtin_expect(t->copy == TC_PLAIN && len < lim, 1)) { /* (no terminator: the block goes on) */
				len = put_plain(buf, c, t, in, len);
			} else {
				if ((f2 = fused_with(p, in)) != NULL) {
					b->len = len;
					in = fuse_pair(e, p, fused, r++, in, f2);
					len = b->len;
				} else {
					len = emit_found(e, c, in, t, key, h, len, lim);
				}
				if (in->next >= end) {
					if (prepaid && c->flow[in->op] & FLOW_FALLS && !(loop_head[end] & LH_MEMBER)) {
						b->len = len; /* a latch (the next block is no member): its prepaid gas back */
						emit_fall_refund(b, prepaid);
						len = b->len;
					}
					break;
				}
			}
			pc = in->next; /* (the next start: no skip is cut) */
			put_row(r++, (uint32_t)len, pc, JIT_NONE, (uint32_t)pvm_mutant_hook(PVM_HOOK_region_cost, gas[pc]),
			        row_prepaid);
		}
	}
	if (prepaid) mark_prepaid(e, x0, prepaid);
	b->len = len;
	st->pc = m < n ? blocks[m] : p->code_len;
	st->prepaid = prepaid;
	st->bi = m;
	st->term_next = in && c->flow[in->op] & FLOW_TERM ? in->next : JIT_NONE;
	return r;
}

/* The instructions of p with the cache and its pieces, into rows and block_row (emit_program's loop): the same
 * bytes, exits and rows as that loop (ctest jit_cache compares them), with two shortcuts:
 * - the start after pc is in->next when that is a start: skip(pc), the distance to the next start
 *   cut at 24, makes next the next start unless the cut left it short (then next is no start, and
 *   the next start is found by a scan);
 * - at a start pc (pc <= code_len, is_start[pc]), is_block(p, pc) is is_block[pc] and region_cost
 *   reads gas_cost[pc].
 * A regular program compiled with chains takes emit_regular up to code_len (or its last block). */
static size_t emit_insts_cached(jit_em *e, const pvm_program *p, jit_row *rows, uint32_t *block_row,
                                const uint8_t *loop_head, const uint32_t *chain, const uint32_t *blocks,
                                uint32_t n_blocks, tpl_cache *c, uint64_t **fused)
{
	x64_buf *b = &e->b;
	size_t n_rows = 0;
	const pvm_inst *inst = p->inst;
	const uint8_t *is_blk = p->is_block, *is_start = p->is_start;
	const uint32_t *gas = p->gas_cost;
	uint32_t code_len = p->code_len, term_next = JIT_NONE, prepaid = 0, bi = 0; /* bi: the block's index in chain */
	uint32_t fall = 0; /* the prepaid gas of a region whose terminator falls into pc (a latch's) */
	pvm_starts it = pvm_starts_of(p);
	uint32_t pc = pvm_starts_next(&it);
	if (p->regular && chain) { /* the instructions before code_len (the loop below takes code_len) */
		regular_state st = { 0, 0, 0, JIT_NONE };
		n_rows = (size_t)(emit_regular(e, p, rows, block_row, loop_head, chain, blocks, n_blocks, c, fused, &st) - rows);
		pc = st.pc, prepaid = st.prepaid, bi = st.bi, term_next = st.term_next;
	}
	for (;;) {
		uint32_t entry = JIT_NONE, cost = (uint32_t)pvm_mutant_hook(PVM_HOOK_region_cost, gas[pc]);
		bool block = is_blk[pc];
		if (block || pc == term_next) {
			uint32_t charge = cost;
			if (fall && !(block && loop_head[pc] & LH_MEMBER)) emit_fall_refund(b, fall);
			prepaid = 0;
			if (block && chain) {
				charge = chain[bi++];
				prepaid = charge - cost;
			}
			if (!(block && loop_head[pc] & LH_MEMBER)) {
				if (block && loop_head[pc] & LH_LOOP) pad_loop_head(b);
				entry = (uint32_t)b->len;
				emit_prologue(e, c, pc, charge);
			}
		}
		if (block) block_row[pc] = (uint32_t)n_rows;
		const pvm_inst *in = &inst[pc], *f2;
		rows[n_rows++] = (jit_row){ .at = { (uint32_t)b->len, pc }, .entry = entry, .cost = cost,
			.prepaid = (uint32_t)pvm_mutant_hook(PVM_HOOK_chain_row, prepaid) };
		if (fused && (f2 = fused_with(p, in)) != NULL) {
			in = fuse_pair(e, p, fused, rows + n_rows++, in, f2);
			pc = in->pc;
		} else {
			size_t x0 = e->n_exits;
			emit_inst(e, c, in);
			if (prepaid) mark_prepaid(e, x0, prepaid);
		}
		unsigned flow = c->flow[in->op];
		uint32_t next = in->next;
		bool next_start = next <= code_len && is_start[next];
		term_next = flow & FLOW_TERM ? next : JIT_NONE;
		fall = (flow & FLOW_TERM) && (flow & FLOW_FALLS) ? prepaid : 0;
		if ((flow & FLOW_FALLS) && !next_start) /* falls into a position that holds no instruction */
			emit_fall_trap(e, c, p, rows + n_rows++, next, flow & FLOW_TERM);
		if (pc == code_len) break;
		if (next_start && next > pc) {
			pc = next;
		} else {
			for (pc++; pc < code_len && !is_start[pc]; pc++) {}
		}
	}
	return n_rows;
}

/* The step of the latch branch x, which enters its head's row t past its prologue (jit.h § steps):
 * the host offset of its code, emitted at the buffer's end the first time (its guard's exits to
 * t's code past the prologue, its jump back to its own start), or JIT_NONE when the loop is not a
 * byte-reduction loop with the gas layout the step charges: the head, ADD and SKIP regions with
 * prologues of their own, the head and ADD prepaying nothing, SKIP's charge its cost and the
 * head's (the latch's). */
static uint32_t link_step(jit_em *e, const pvm_program *p, jit_program *jp, const jit_exit *x, const jit_row *t,
                          const jit_row *rows, const uint32_t *block_row)
{
	for (size_t i = 0; i < jp->n_steps; i++)
		if (jp->steps[i].latch == x->pc) return jp->steps[i].off;
	jit_step_shape s;
	if (!jit_step_loop(p, x->pc, &s) || s.head != x->target) return JIT_NONE;
	const jit_row *ra = &rows[block_row[s.add]], *rs = &rows[block_row[s.skip]];
	if (t->prepaid || ra->entry == JIT_NONE || ra->prepaid || rs->entry == JIT_NONE || rs->prepaid != t->cost)
		return JIT_NONE;
	uint64_t turn = (uint64_t)rs->cost + rs->prepaid, match = ra->cost;
	if (JIT_STEP_TURNS * (turn + match) > INT32_MAX) return JIT_NONE;
	x64_buf *b = &e->b;
	while (b->len % LOOP_ALIGN && !b->err) x64_byte(b, 0xcc); /* (a loop: on its own line; nothing runs into it) */
	size_t fail[4], n_fail, again, load, word_end[JIT_STEP_TURNS / 8], off = b->len;
	jit_step_emit(b, &s, (uint32_t)turn, (uint32_t)match, fail, &n_fail, &again, &load, word_end);
	if (b->err) return JIT_NONE;
	for (size_t i = 0; i < n_fail; i++) x64_patch_rel32(b, fail[i], t->at.host_off);
	x64_patch_rel32(b, again, off);
	if (!(jp->n_steps & (jp->n_steps + 1))) /* (a power of two less one: full) */
		jp->steps = pvm_xrealloc(jp->steps, (2 * jp->n_steps + 1) * sizeof *jp->steps);
	jp->steps[jp->n_steps++] = (jit_step_at){ x->pc, (uint32_t)off, (uint32_t)load, s.load };
	return (uint32_t)off;
}

/* emit_program's linking of the exits with the cache's pieces (c->pieces), from the first, while
 * TC_SLACK bytes of room are left: the same bytes (the mutant hooks of that loop are the identity
 * here: a cache is used only while no mutant is active), with the buffer's length in a local and
 * each stub copied from its piece. Returns the index of the first exit it left to that loop (every
 * exit: e->n_exits; none after an overflow). */
static size_t link_cached(jit_em *e, const pvm_program *p, jit_program *jp, const uint32_t *block_row,
                          const tpl_cache *c, size_t exit_off)
{
	x64_buf *b = &e->b;
	if (b->err) return 0;
	uint8_t *buf = b->p;
	const jit_row *rows = jp->rows;
	size_t len = b->len, lim = copy_limit(b), i;
	for (i = 0; i < e->n_exits && len < lim; i++) {
		const jit_exit *x = &e->exits[i];
		uint32_t off = x->off, kind = x->kind, pc = x->pc;
		int32_t rel;
		if (kind == JIT_EXIT_BRANCH) {
			const jit_row *t = is_block(p, x->target) ? &rows[block_row[x->target]] : NULL;
			if (t && t->entry != JIT_NONE) {
				if (enters_past_prologue(x->arg, x->target, x->pc, t)) {
					b->len = len;
					uint32_t st = link_step(e, p, jp, x, t, rows, block_row);
					len = b->len;
					rel = (int32_t)((int64_t)(st != JIT_NONE ? st : t->at.host_off) - (int64_t)(off + 4));
					memcpy(buf + off, &rel, 4);
				} else if (x->arg) { /* out of a chain: its prepaid gas back first (add rsp, k ; jmp entry) */
					rel = (int32_t)((int64_t)len - (int64_t)(off + 4));
					memcpy(buf + off, &rel, 4);
					len = refund_at(buf, c, (uint32_t)x->arg, t->entry, len);
				} else {
					rel = (int32_t)((int64_t)t->entry - (int64_t)(off + 4));
					memcpy(buf + off, &rel, 4);
				}
				continue;
			}
			kind = JIT_EXIT_PANIC;
		}
		rel = (int32_t)((int64_t)len - (int64_t)(off + 4));
		memcpy(buf + off, &rel, 4);
		if (kind == JIT_EXIT_DJUMP) { /* (may grow e->exits) */
			copy_piece(buf + len, &c->dispatch);
			dispatch_exits(e, c, pc, len);
			len += c->dispatch.len;
			continue;
		}
		uint32_t cost = (uint32_t)x->arg;
		const piece *s = stub_piece(c, kind, cost);
		copy_piece(buf + len, s);
		stub_fields(buf + len, len, c, s, kind, pc, cost, exit_off);
		len += s->len;
	}
	b->len = len;
	return b->err ? e->n_exits : i;
}

/* Emit everything into e, filling jp->rows and, at every block start pc (is_block), block_row[pc]
 * (its row's index; the other entries are not written). Returns false on buffer overflow. Without
 * a cache, everything is emitted anew by the loop below, which is what the cache's must match. */
static bool emit_program(jit_em *e, const pvm_program *p, jit_program *jp, uint32_t *block_row,
                         tpl_cache *cache, bool fuse)
{
	x64_buf *b = &e->b;
	jp->enter_off = b->len;
	pthread_once(&tramps_once, tramps_make);
	if (tramps.ok && pvm_mutant_active() == PVM_MUT_NONE && b->cap - b->len >= tramps.len) {
		memcpy(b->p + b->len, tramps.bytes, tramps.len);
		jp->exit_off = b->len + tramps.exit_off;
		b->len += tramps.len;
	} else {
		emit_tramps(b, &jp->exit_off);
	}
	jp->tramp_end = b->len;
	if (cache) make_pieces(cache, p->jt_len, e->f);
	jit_row *rows = jp->rows; /* (in locals: the code's byte stores may alias jp's fields) */
	size_t n_rows = 0;
	uint8_t *loop_head = pvm_xcalloc((size_t)p->code_len + 1, 1);
	uint32_t *blocks = NULL, n_blocks = 0;
	uint32_t *chain = fuse ? chains(p, !cache, loop_head, &blocks, &n_blocks) : NULL;
	if (!chain) loop_heads(p, loop_head);
	if (cache && cache->pieces) {
		n_rows = emit_insts_cached(e, p, rows, block_row, loop_head, chain, blocks, n_blocks, cache, fuse ? &jp->fused : NULL);
	} else {
		uint32_t term_next = JIT_NONE; /* a terminator falls through to here: a new gas region */
		uint32_t skip = JIT_NONE;      /* the second instruction of the last fused pair */
		uint32_t prepaid = 0;          /* the chain's prepaid gas past the current block */
		uint32_t fall = 0;             /* the prepaid gas of a region whose terminator falls into pc (a latch's) */
		uint32_t bi = 0;               /* the block's index in chain */
		pvm_starts it = pvm_starts_of(p);
		for (uint32_t pc = pvm_starts_next(&it); pc <= p->code_len; pc = pc < p->code_len ? pvm_starts_next(&it) : pc + 1) {
			if (pc == skip) continue;
			uint32_t entry = JIT_NONE;
			bool block = is_block(p, pc);
			size_t field;
			if (block || pc == term_next) {
				uint32_t charge = region_cost(p, pc);
				if (fall && !(block && loop_head[pc] & LH_MEMBER)) emit_fall_refund(b, fall);
				prepaid = 0;
				if (block && chain) {
					uint32_t own = charge;
					charge = chain[bi++];
					prepaid = charge - own;
				}
				if (!(block && loop_head[pc] & LH_MEMBER)) {
					if (block && loop_head[pc] & LH_LOOP) pad_loop_head(b);
					entry = (uint32_t)b->len;
					jit_em_prologue(e, pc, charge, &field);
				}
			}
			if (block) block_row[pc] = (uint32_t)n_rows;
			const pvm_inst *in = &p->inst[pc], *f2;
			rows[n_rows++] = (jit_row){ .at = { (uint32_t)b->len, pc }, .entry = entry, .cost = region_cost(p, pc),
				.prepaid = (uint32_t)pvm_mutant_hook(PVM_HOOK_chain_row, prepaid) };
			if (fuse && (f2 = fused_with(p, in)) != NULL) {
				in = fuse_pair(e, p, &jp->fused, rows + n_rows++, in, f2);
				skip = in->pc; /* (the iteration's next start) */
			} else {
				size_t x0 = e->n_exits;
				jit_em_inst(e, in);
				if (prepaid) mark_prepaid(e, x0, prepaid);
			}
			bool term = pvm_op_is_term(in->op);
			term_next = term ? in->next : JIT_NONE;
			fall = term && pvm_op_falls(in->op) ? prepaid : 0;
			/* no fall-through: trap, jump, djump; and ecalli, whose resume the runtime enters */
			if (!pvm_op_falls(in->op) || pvm_ops[in->op].ctl == PVM_CTL_HOST) continue;
			uint32_t next = in->next;
			if (next <= p->code_len && p->is_start[next]) continue; /* falls into the next instruction */
			/* falls into a position that holds no instruction: a trap there */
			uint32_t tentry = JIT_NONE, tcost = region_cost(p, next); /* 0.7.2: 1; 0.8.0: 0 (§3) */
			if (term) {
				tentry = (uint32_t)b->len;
				jit_em_prologue(e, next, tcost, &field);
			}
			/* (jit_row_inst: { trap, next, next + 1 }) */
			rows[n_rows++] = (jit_row){ .at = { (uint32_t)b->len, next }, .entry = tentry, .cost = tcost };
			jit_em_exit(e, x64_jmp32(b), JIT_EXIT_PANIC, next, 0, 0, 0);
		}
	}
	free(loop_head);
	free(chain);
	free(blocks);
	jp->n_rows = n_rows;
	/* exits: branches to block entries, everything else to stubs (which may add exits) */
	jp->n_steps = 0;
	size_t i0 = cache && cache->pieces ? link_cached(e, p, jp, block_row, cache, jp->exit_off) : 0;
	for (size_t i = i0; i < e->n_exits && !b->err; i++) {
		jit_exit x = e->exits[i];
		if (x.kind == JIT_EXIT_BRANCH) {
			const jit_row *t = is_block(p, x.target) ? &jp->rows[block_row[x.target]] : NULL;
			const jit_row *mid = NULL; /* (mutants only) into the code of an instruction that is no block start */
			if (!t && x.pc <= p->code_len && pvm_mutant_hook_op(PVM_HOOK_link_mid, p->inst[x.pc].op, 0) &&
			    (mid = jit_find_row(jp, x.target)) != NULL) {
				x64_patch_rel32(b, x.off, mid->at.host_off);
				continue;
			}
			for (uint64_t skip = t ? pvm_mutant_hook(PVM_HOOK_branch_skip, 0) : 0; skip && t->entry != JIT_NONE; skip--) {
				const jit_row *u = t + 1; /* (mutants only) the next block entry after t */
				while (u < jp->rows + jp->n_rows && u->entry == JIT_NONE) u++;
				if (u == jp->rows + jp->n_rows) break;
				t = u;
			}
			if (t && t->entry != JIT_NONE) {
				size_t to = pvm_mutant_hook(PVM_HOOK_branch_charge, 1) ? t->entry : t->at.host_off;
				if (enters_past_prologue(x.arg, x.target, x.pc, t)) {
					uint32_t st = link_step(e, p, jp, &x, t, jp->rows, block_row);
					x64_patch_rel32(b, x.off, st != JIT_NONE ? st : t->at.host_off);
				} else if (x.arg) { /* out of a chain: its prepaid gas back first (add rsp, k ; jmp entry) */
					size_t field[2];
					x64_patch_rel32(b, x.off, b->len);
					emit_refund(b, (uint32_t)pvm_mutant_hook(PVM_HOOK_chain_refund, x.arg), to, field);
				} else {
					x64_patch_rel32(b, x.off, to);
				}
				continue;
			}
			x.kind = JIT_EXIT_PANIC;
		}
		x64_patch_rel32(b, x.off, b->len);
		if (x.kind == JIT_EXIT_DJUMP) emit_dispatch_for(e, cache, x.pc, p->jt_len);
		else emit_stub_for(e, cache, &x, jp->exit_off);
	}
	return !b->err;
}

/* Code mappings: a thread keeps the mapping of the last program it freed (RX, its pages
 * present) and gives it to its next compile that fits in it. The code is emitted into a buffer
 * and written into the kept mapping by force (jit_code_write: no mprotect where /proc/self/mem
 * allows it, else an RW/RX pair), which costs less than a mmap, a trim, an mprotect, a munmap and
 * the page faults of fresh pages. A fresh mapping is emitted into directly (RW, then RX). The
 * bytes past a program's code are an earlier program's: nothing jumps there (every jump of the
 * code is to a row, an exit or a trampoline of its own). A fresh mapping is made with its pages
 * present (MAP_POPULATE: one system call instead of a page fault per page written; a thread's first
 * compile of prime-sieve 37-41 -> 21-35 ns per instruction on session 15's VM, where a fault costs
 * microseconds). */
typedef struct code_map {
	uint8_t *p; size_t size;
	uint8_t *buf; size_t buf_cap;       /* the buffer compiles into a kept mapping emit into */
} code_map;
static __thread code_map kept_code;
static pthread_key_t kept_code_key; /* its value is &kept_code: unmapped when the thread ends */
static pthread_once_t kept_code_once = PTHREAD_ONCE_INIT;
static void kept_code_free(void *m)
{
	code_map *k = m;
	if (k->p) munmap(k->p, k->size);
	free(k->buf);
	*k = (code_map){ 0 };
}
static void kept_code_init(void) { pthread_key_create(&kept_code_key, kept_code_free); }

/* Where a compile emits, at least *cap bytes (its size in *cap): beside the kept mapping when there
 * is one (*kept set: the thread's buffer, as big as the mapping at least; the code goes into the
 * mapping after, code_place), else into a fresh mapping (RW). A kept mapping serves any program
 * whose code fits in it, however much room the compile asked for: a big program's mapping is cut
 * to its code (program_new), so asking for it whole would miss the one its last compile left. */
static uint8_t *code_alloc(size_t *cap, bool *kept)
{
	*kept = kept_code.p != NULL;
	if (*kept) {
		if (*cap < kept_code.size) *cap = kept_code.size;
		if (kept_code.buf_cap < *cap) {
			free(kept_code.buf);
			kept_code.buf = pvm_xmalloc(*cap);
			kept_code.buf_cap = *cap;
		}
		return kept_code.buf;
	}
	void *c = mmap(NULL, *cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return c == MAP_FAILED ? NULL : c;
}

/* The RX mapping of a compile's code (len bytes in buf, code_alloc's of cap bytes), its size in
 * *size, or NULL: the kept one when the code was emitted beside it and fits in it; else buf, when
 * the code was emitted into a fresh mapping, or a fresh one it is copied into (the kept one, too
 * small, is dropped). A fresh mapping over 1 MiB is cut to the code's pages; a smaller one is kept
 * whole (it may serve a larger program later). */
static uint8_t *code_place(uint8_t *buf, size_t len, size_t cap, bool kept, size_t *size)
{
	uint8_t *c = buf;
	if (kept && len <= kept_code.size) {
		c = kept_code.p;
		*size = kept_code.size;
		kept_code.p = NULL;
		if (jit_write_changed(c, buf, len, true)) return c;
		munmap(c, *size);
		return NULL;
	}
	if (kept) {
		munmap(kept_code.p, kept_code.size);
		kept_code.p = NULL;
		c = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (c == MAP_FAILED) return NULL;
		memcpy(c, buf, len);
	}
	*size = (len + 4095) / 4096 * 4096;
	if (*size < cap && cap > ((size_t)1 << 20)) munmap(c + *size, cap - *size);
	else *size = cap;
	if (!mprotect(c, *size, PROT_READ | PROT_EXEC)) return c;
	munmap(c, *size);
	return NULL;
}

static void code_release(uint8_t *c, size_t size)
{
	if (kept_code.p || size > ((size_t)1 << 20)) {
		munmap(c, size);
		return;
	}
	pthread_once(&kept_code_once, kept_code_init);
	pthread_setspecific(kept_code_key, &kept_code);
	kept_code.p = c;
	kept_code.size = size;
}

/* jit_program_new, with the template cache unless use_cache is false. */
static jit_err program_new(const pvm_program *p, jit_features f, bool use_cache, bool fuse, jit_program **out)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	if (p->jt_len > (1u << 24) || p->code_len > (1u << 26)) return JIT_ETOOBIG;
	jit_program *jp = pvm_xcalloc(1, sizeof *jp);
	size_t starts = pvm_count_starts(p);
	uint32_t *block_row = pvm_xmalloc(((size_t)p->code_len + 1) * sizeof *block_row);
	jp->jt_len = p->jt_len;
	jp->isa080 = p->isa == PVM_ISA_080;
	jp->invalid = p->invalid[0] != 0;
	jp->code_len = p->code_len;
	size_t mlen = ((size_t)p->code_len + 7) / 8;
	jp->prog = (pvm_program){ .isa = p->isa, .code_len = p->code_len, .code = pvm_xmalloc(p->code_len + 1),
		.bitmask = pvm_xmalloc(mlen + 1) };
	if (mlen) { /* (a program made by hand may have no arrays when empty) */
		memcpy(jp->prog.code, p->code, p->code_len);
		memcpy(jp->prog.bitmask, p->bitmask, mlen);
	}
	jp->rows = pvm_xmalloc(2 * starts * sizeof *jp->rows);
	jp->jt_host = pvm_xcalloc(p->jt_len ? p->jt_len : 1, sizeof *jp->jt_host);
	/* emitted into a fresh mapping (RW now, RX once written), or beside a kept one (code_alloc) */
	size_t cap = (4096 + 48 * starts + 4095) / 4096 * 4096;
	uint8_t *code, *buf;
	bool kept;
	jit_em e;
	for (;;) {
		buf = code_alloc(&cap, &kept);
		if (!buf) goto nomem;
		/* exits: about one per instruction (prologues, branches, traps, host calls) */
		e = (jit_em){ .b = { .p = buf, .cap = cap }, .f = f, .cap_exits = starts + 64 };
		e.exits = pvm_xmalloc(e.cap_exits * sizeof *e.exits);
		bool cached = use_cache && pvm_mutant_active() == PVM_MUT_NONE && starts > TC_MIN_STARTS;
		bool ok = emit_program(&e, p, jp, block_row, cached ? kept_cache(f) : NULL, fuse);
		if (ok) break;
		if (!kept) munmap(buf, cap); /* RW: never kept */
		free(e.exits);
		free(jp->fused);
		jp->fused = NULL;
		if (cap > ((size_t)1 << 31)) {
			free(block_row);
			jit_program_free(jp);
			return JIT_ETOOBIG;
		}
		cap *= 2;
	}
	free(e.exits);
	jp->code_size = e.b.len;
	code = code_place(buf, e.b.len, cap, kept, &jp->map_size);
	if (!code) goto nomem;
	jp->code = code;
	jp->feat = f;
	if (p->jt_len) { /* the twin (a fused pair's, a chain's), if a run needs it, is compiled from the copies */
		jp->prog.jump_table = pvm_xmalloc(p->jt_len * sizeof *p->jump_table);
		memcpy(jp->prog.jump_table, p->jump_table, p->jt_len * sizeof *p->jump_table);
		jp->prog.jt_len = p->jt_len;
		jp->prog.jt_width = p->jt_width;
	}
	for (uint32_t i = 0; i < p->jt_len; i++) {
		const jit_row *t = is_block(p, p->jump_table[i]) ? &jp->rows[block_row[p->jump_table[i]]] : NULL;
		jp->jt_host[i] = t && t->entry != JIT_NONE ? (uint64_t)(uintptr_t)(jp->code + t->entry) : 0;
		if (jp->jt_host[i] && pvm_mutant_hook(PVM_HOOK_slot_skip, 0)) /* (mutants only) past the prologue */
			jp->jt_host[i] = (uint64_t)(uintptr_t)(jp->code + t->at.host_off);
	}
	free(block_row);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	jp->stats.compile_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)(t1.tv_nsec - t0.tv_nsec);
	jp->stats.code_bytes = jp->code_size;
	jp->stats.n_insts = (uint32_t)starts;
	*out = jp;
	return JIT_OK;
nomem:
	free(block_row);
	jit_program_free(jp);
	return JIT_ENOMEM;
}

jit_err jit_program_new(const pvm_program *p, jit_features f, jit_program **out)
{
	return program_new(p, f, true, true, out);
}

jit_err jit_program_new_uncached(const pvm_program *p, jit_features f, jit_program **out)
{
	return program_new(p, f, false, true, out);
}

jit_err jit_program_new_unfused(const pvm_program *p, jit_features f, jit_program **out)
{
	return program_new(p, f, true, false, out);
}

void jit_program_free(jit_program *jp)
{
	if (!jp) return;
	if (jp->code) code_release(jp->code, jp->map_size);
	free(jp->rows);
	pvm_program_fini(&jp->prog);
	free(jp->jt_host);
	free(jp->fused);
	jit_program_free(jp->unfused);
	free(jp->perms.v);
	free(jp->steps);
	free(jp);
}

jit_stats jit_program_stats(const jit_program *jp) { return jp->stats; }

size_t jit_program_pcmap(const jit_program *jp, jit_pcmap *out, size_t max)
{
	for (size_t i = 0; i < jp->n_rows && i < max; i++) out[i] = jp->rows[i].at;
	return jp->n_rows;
}

const uint8_t *jit_program_code(const jit_program *jp, size_t *size)
{
	*size = jp->code_size;
	return jp->code;
}

uint32_t jit_program_entry(const jit_program *jp, uint32_t pc)
{
	const jit_row *r = jit_find_row(jp, pc);
	return r ? r->entry : UINT32_MAX;
}

uint32_t jit_program_code_at(const jit_program *jp, uint32_t pc)
{
	const jit_row *r = jit_find_row(jp, pc);
	return r ? r->at.host_off : UINT32_MAX;
}

uint32_t jit_program_prepaid(const jit_program *jp, uint32_t pc)
{
	const jit_row *r = jit_find_row(jp, pc);
	return r ? r->prepaid : 0;
}

size_t jit_program_exit_off(const jit_program *jp) { return jp->exit_off; }

uint32_t jit_program_jt_slot(const jit_program *jp, uint32_t i)
{
	if (i >= jp->jt_len || !jp->jt_host[i]) return UINT32_MAX;
	return (uint32_t)(jp->jt_host[i] - (uint64_t)(uintptr_t)jp->code);
}

const jit_row *jit_find_row(const jit_program *jp, uint32_t pc)
{
	size_t lo = 0, hi = jp->n_rows;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (jp->rows[mid].at.guest_pc < pc) lo = mid + 1;
		else hi = mid;
	}
	return lo < jp->n_rows && jp->rows[lo].at.guest_pc == pc ? &jp->rows[lo] : NULL;
}

uint32_t jit_host_to_guest(const jit_program *jp, size_t off)
{
	for (size_t i = 0; i < jp->n_steps; i++) /* (a step's 8-byte load, after the rows' code) */
		if (jp->steps[i].load_off == off) return jp->steps[i].load_pc;
	size_t lo = 0, hi = jp->n_rows;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (jp->rows[mid].at.host_off <= off) lo = mid;
		else hi = mid;
	}
	return jp->n_rows ? jp->rows[lo].at.guest_pc : 0;
}

void jit_thread_forget(void)
{
	if (kept_tc) {
		pthread_setspecific(kept_tc_key, NULL);
		kept_tc_free(kept_tc);
	}
	if (kept_code.p || kept_code.buf) kept_code_free(&kept_code);
}

size_t jit_program_steps(const jit_program *jp, uint32_t *out, size_t max)
{
	size_t n = jp->n_steps < max ? jp->n_steps : max;
	for (size_t i = 0; i < n; i++) { /* (insertion: a handful) */
		uint32_t v = jp->steps[i].latch;
		size_t k = i;
		for (; k > 0 && out[k - 1] > v; k--) out[k] = out[k - 1];
		out[k] = v;
	}
	return jp->n_steps;
}

jit_err jit_step_compile(const pvm_program *p, uint32_t pc, jit_features f, jit_block *out)
{
	memset(out, 0, sizeof *out);
	jit_step_shape s;
	if (!jit_step_loop(p, pc, &s)) return JIT_EINVAL;
	/* the charges as the program's compile has them (block_charge: its chains) */
	uint32_t ch = block_charge(p, s.head), ca = block_charge(p, s.add), cs = block_charge(p, s.skip);
	uint32_t own_h = region_cost(p, s.head), own_s = region_cost(p, s.skip);
	if (ch != own_h || ca != region_cost(p, s.add) || cs == UINT32_MAX || (uint64_t)cs != (uint64_t)own_s + own_h ||
	    JIT_STEP_TURNS * ((uint64_t)cs + ca) > INT32_MAX)
		return JIT_EINVAL;
	out->entry_pc = s.head;
	size_t cap = 1024;
	jit_em e = { .b = { .p = pvm_xmalloc(cap), .cap = cap }, .f = f };
	size_t fail[4], n_fail, again, load, word_end[JIT_STEP_TURNS / 8];
	jit_step_emit(&e.b, &s, cs, ca, fail, &n_fail, &again, &load, word_end);
	for (size_t i = 0; i < n_fail; i++) jit_em_exit(&e, fail[i], JIT_EXIT_BRANCH, pc, s.head, ch, 0);
	jit_em_exit(&e, again, JIT_EXIT_BRANCH, pc, s.head, ch, 0);
	out->bytes = e.b.p;
	out->len = e.b.len;
	out->exits = e.exits;
	out->n_exits = e.n_exits;
	out->map = pvm_xmalloc((1 + JIT_STEP_TURNS / 8) * sizeof *out->map);
	out->map[0] = (jit_pcmap){ (uint32_t)load, s.load };
	for (int h = 0; h < JIT_STEP_TURNS / 8; h++) out->map[1 + h] = (jit_pcmap){ (uint32_t)word_end[h], s.load };
	out->n_map = 1 + JIT_STEP_TURNS / 8;
	return e.b.err ? JIT_EOVERFLOW : JIT_OK;
}
