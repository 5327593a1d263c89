/* semantics/z3.c: an instruction's spec as Z3 terms over a symbolic pre-state.
 * Same AST and same operator meanings as eval.c (SMT-LIB bit-vector semantics); the test suite
 * checks the two agree on concrete inputs. Faults, static-branch and jump-table checks become
 * explicit conditions over the (given or fresh) permission and program arrays. */
#include <stdio.h>
#include <string.h>
#include "sem.h"

static Z3_sort bv(Z3_context c, unsigned w) { return Z3_mk_bv_sort(c, w); }
static Z3_ast num(Z3_context c, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(c, v, bv(c, w)); }

static Z3_ast const128(Z3_context c, sem_u128 v, unsigned w)
{
	if (w <= 64) return num(c, (uint64_t)v, w);
	char buf[48], *p = buf + sizeof buf;
	*--p = 0;
	do {
		*--p = '0' + (char)(v % 10);
		v /= 10;
	} while (v);
	return Z3_mk_numeral(c, p, bv(c, w));
}

Z3_ast sem_z3_popcount(Z3_context c, Z3_ast x)
{
	unsigned w = Z3_get_bv_sort_size(c, Z3_get_sort(c, x));
	Z3_ast sum = Z3_mk_zero_ext(c, w - 1, Z3_mk_extract(c, 0, 0, x));
	for (unsigned i = 1; i < w; i++)
		sum = Z3_mk_bvadd(c, sum, Z3_mk_zero_ext(c, w - 1, Z3_mk_extract(c, i, i, x)));
	return sum;
}

static Z3_ast bit_set(Z3_context c, Z3_ast x, unsigned i)
{
	return Z3_mk_eq(c, Z3_mk_extract(c, i, i, x), num(c, 1, 1));
}

Z3_ast sem_z3_clz(Z3_context c, Z3_ast x)
{
	unsigned w = Z3_get_bv_sort_size(c, Z3_get_sort(c, x));
	Z3_ast r = num(c, w, w);
	for (unsigned i = 0; i < w; i++) r = Z3_mk_ite(c, bit_set(c, x, i), num(c, w - 1 - i, w), r);
	return r;
}

Z3_ast sem_z3_ctz(Z3_context c, Z3_ast x)
{
	unsigned w = Z3_get_bv_sort_size(c, Z3_get_sort(c, x));
	Z3_ast r = num(c, w, w);
	for (unsigned i = w; i-- > 0;) r = Z3_mk_ite(c, bit_set(c, x, i), num(c, i, w), r);
	return r;
}

static Z3_ast byte_addr(Z3_context c, Z3_ast addr, unsigned i)
{
	return i ? Z3_mk_bvadd(c, addr, num(c, i, 32)) : addr;
}

Z3_ast sem_z3_sbrk(Z3_context c, Z3_ast size)
{
	Z3_sort b64 = bv(c, 64);
	Z3_func_decl f = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "sbrk"), 1, &b64, b64);
	return Z3_mk_app(c, f, 1, &size);
}

Z3_ast sem_z3_brk(Z3_context c, Z3_ast size)
{
	Z3_sort b64 = bv(c, 64);
	Z3_func_decl f = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "brk"), 1, &b64, b64);
	return Z3_mk_app(c, f, 1, &size);
}

Z3_ast sem_z3_brk_fails(Z3_context c, Z3_ast size)
{
	Z3_sort b64 = bv(c, 64);
	Z3_func_decl f = Z3_mk_func_decl(c, Z3_mk_string_symbol(c, "brk_fails"), 1, &b64, Z3_mk_bool_sort(c));
	return Z3_mk_app(c, f, 1, &size);
}

Z3_ast sem_z3_load(Z3_context c, Z3_ast mem, Z3_ast addr, unsigned bytes)
{
	Z3_ast v = Z3_mk_select(c, mem, byte_addr(c, addr, bytes - 1));
	for (unsigned i = bytes - 1; i-- > 0;) v = Z3_mk_concat(c, v, Z3_mk_select(c, mem, byte_addr(c, addr, i)));
	return v;
}

static Z3_ast store(Z3_context c, Z3_ast mem, Z3_ast addr, Z3_ast v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		mem = Z3_mk_store(c, mem, byte_addr(c, addr, i), Z3_mk_extract(c, 8 * i + 7, 8 * i, v));
	return mem;
}

Z3_ast sem_z3_expr(Z3_context c, const sem_node *n, const Z3_ast in[SEM_NUM_OPERANDS], Z3_ast mem)
{
	if (n->kind == SEM_K_CONST)
		return n->width == SEM_BOOL ? (n->value ? Z3_mk_true(c) : Z3_mk_false(c))
		                            : const128(c, n->value, n->width);
	if (n->kind == SEM_K_OPERAND) return in[n->operand];
	Z3_ast v[8] = { NULL };
	for (unsigned i = 0; i < n->nargs; i++)
		if (!(v[i] = sem_z3_expr(c, n->arg[i], in, mem))) return NULL; /* no Z3 call on NULL: it crashes */
	Z3_ast a = v[0], b = v[1], r;
	switch ((sem_op)n->op) {
	case SEM_BVADD: return Z3_mk_bvadd(c, a, b);
	case SEM_BVSUB: return Z3_mk_bvsub(c, a, b);
	case SEM_BVMUL: return Z3_mk_bvmul(c, a, b);
	case SEM_BVUDIV: return Z3_mk_bvudiv(c, a, b);
	case SEM_BVUREM: return Z3_mk_bvurem(c, a, b);
	case SEM_BVSDIV: return Z3_mk_bvsdiv(c, a, b);
	case SEM_BVSREM: return Z3_mk_bvsrem(c, a, b);
	case SEM_BVSMOD: return Z3_mk_bvsmod(c, a, b);
	case SEM_BVSHL: return Z3_mk_bvshl(c, a, b);
	case SEM_BVLSHR: return Z3_mk_bvlshr(c, a, b);
	case SEM_BVASHR: return Z3_mk_bvashr(c, a, b);
	case SEM_BVAND: return Z3_mk_bvand(c, a, b);
	case SEM_BVOR: return Z3_mk_bvor(c, a, b);
	case SEM_BVXOR: return Z3_mk_bvxor(c, a, b);
	case SEM_ROTL: return Z3_mk_ext_rotate_left(c, a, b);
	case SEM_ROTR: return Z3_mk_ext_rotate_right(c, a, b);
	case SEM_BVNOT: return Z3_mk_bvnot(c, a);
	case SEM_BVNEG: return Z3_mk_bvneg(c, a);
	case SEM_POPCOUNT: return sem_z3_popcount(c, a);
	case SEM_CLZ: return sem_z3_clz(c, a);
	case SEM_CTZ: return sem_z3_ctz(c, a);
	case SEM_ULT: return Z3_mk_bvult(c, a, b);
	case SEM_ULE: return Z3_mk_bvule(c, a, b);
	case SEM_UGT: return Z3_mk_bvugt(c, a, b);
	case SEM_UGE: return Z3_mk_bvuge(c, a, b);
	case SEM_SLT: return Z3_mk_bvslt(c, a, b);
	case SEM_SLE: return Z3_mk_bvsle(c, a, b);
	case SEM_SGT: return Z3_mk_bvsgt(c, a, b);
	case SEM_SGE: return Z3_mk_bvsge(c, a, b);
	case SEM_EQ: return Z3_mk_eq(c, a, b);
	case SEM_DISTINCT: return (r = Z3_mk_eq(c, a, b)) ? Z3_mk_not(c, r) : NULL;
	case SEM_AND: return Z3_mk_and(c, n->nargs, v);
	case SEM_OR: return Z3_mk_or(c, n->nargs, v);
	case SEM_NOT: return Z3_mk_not(c, a);
	case SEM_ITE: return Z3_mk_ite(c, a, b, v[2]);
	case SEM_EXTRACT: return Z3_mk_extract(c, n->p0, n->p1, a);
	case SEM_CONCAT:
		r = a;
		for (unsigned i = 1; i < n->nargs && r; i++) r = Z3_mk_concat(c, r, v[i]);
		return r;
	case SEM_ZEXT: return n->p0 ? Z3_mk_zero_ext(c, n->p0, a) : a;
	case SEM_SEXT: return n->p0 ? Z3_mk_sign_ext(c, n->p0, a) : a;
	case SEM_LOAD: return sem_z3_load(c, mem, a, n->p0);
	default: return NULL; /* effects are not expressions (the loader guarantees it) */
	}
}

static Z3_ast fresh(Z3_context c, const char *name, Z3_sort s) { return Z3_mk_fresh_const(c, name, s); }

/* Lowest offending byte of an access and whether there is one, folded into *low / *any. */
static void access_fault(Z3_context c, Z3_ast perm, Z3_ast addr, unsigned bytes, Z3_ast *any, Z3_ast *low)
{
	for (unsigned i = 0; i < bytes; i++) {
		Z3_ast a = byte_addr(c, addr, i);
		Z3_ast bad = Z3_mk_not(c, Z3_mk_select(c, perm, Z3_mk_extract(c, 31, 12, a)));
		Z3_ast lower[2] = { bad, Z3_mk_or(c, 2, (Z3_ast[]){ Z3_mk_not(c, *any), Z3_mk_bvult(c, a, *low) }) };
		*low = Z3_mk_ite(c, Z3_mk_and(c, 2, lower), a, *low);
		*any = Z3_mk_or(c, 2, (Z3_ast[]){ *any, bad });
	}
}

/* Records every load and store under n (each is checked whether or not its value is used);
 * false when an address term was not built (a Z3 error). */
static bool accesses(Z3_context c, const sem_node *n, const Z3_ast opnd[SEM_NUM_OPERANDS], Z3_ast mem,
                     sem_z3_post *out, Z3_ast *any, Z3_ast *low)
{
	if (n->kind != SEM_K_APP) return true;
	if (n->op == SEM_LOAD || n->op == SEM_STORE) {
		bool w = n->op == SEM_STORE;
		Z3_ast addr = sem_z3_expr(c, n->arg[0], opnd, mem);
		if (!addr) return false;
		if (out->n_access < 2) out->access[out->n_access++] = (sem_z3_access){ addr, n->p0, w };
		access_fault(c, w ? out->writable : out->readable, addr, n->p0, any, low);
	}
	for (unsigned k = 0; k < n->nargs; k++)
		if (!accesses(c, n->arg[k], opnd, mem, out, any, low)) return false;
	return true;
}

/* A spec term was not built: the error of the Z3 call that failed (nothing called Z3 since). */
static sem_err z3_failed(Z3_context c, const sem_insn *si, pvm_errbuf *e)
{
	Z3_error_code code = Z3_get_error_code(c);
	pvm_errf(e, "%s: Z3 error: %s", si->name, code != Z3_OK ? Z3_get_error_msg(c, code) : "a term was not built");
	return SEM_EZ3;
}

static Z3_ast status(Z3_context c, sem_status s) { return num(c, s, 3); }

sem_err sem_z3_build(Z3_context c, const sem_spec *sp, unsigned opcode, const sem_z3_pre *in,
                     sem_z3_post *out, pvm_errbuf *e)
{
	const sem_insn *si = sem_spec_get_reading(sp, opcode, in->reading);
	memset(out, 0, sizeof *out);
	if (!si) {
		pvm_errf(e, "no spec for opcode %u", opcode);
		return SEM_EZ3;
	}
	Z3_ast opnd[SEM_NUM_OPERANDS] = {
		[SEM_RA] = in->regs[in->ra < PVM_NUM_REGS ? in->ra : 0],
		[SEM_RB] = in->regs[in->rb < PVM_NUM_REGS ? in->rb : 0],
		[SEM_RD] = in->regs[in->rd < PVM_NUM_REGS ? in->rd : 0],
		[SEM_IMM] = in->imm, [SEM_IMM2] = in->imm2, [SEM_TARGET] = in->target,
		[SEM_PC] = in->pc, [SEM_NEXT] = in->next, [SEM_GAS] = in->gas,
	};
	if (in->ra >= PVM_NUM_REGS || in->rb >= PVM_NUM_REGS || in->rd >= PVM_NUM_REGS) {
		pvm_errf(e, "%s: register operand out of range", si->name);
		return SEM_EZ3;
	}
	for (int i = 0; i < SEM_NUM_OPERANDS; i++)
		if ((si->uses & (1u << i)) && !opnd[i]) {
			pvm_errf(e, "%s: operand %s has no Z3 term", si->name, sem_operand_names[i]);
			return SEM_EZ3;
		}
	if (!in->pc || !in->next || !in->mem) {
		pvm_errf(e, "%s: pc, next and mem need Z3 terms", si->name);
		return SEM_EZ3;
	}
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		if (!in->regs[i]) {
			pvm_errf(e, "%s: register r%d has no Z3 term", si->name, i);
			return SEM_EZ3;
		}
		out->regs[i] = in->regs[i];
	}
	Z3_sort b32 = bv(c, 32), b20 = bv(c, 20), boo = Z3_mk_bool_sort(c);
	out->readable = in->readable ? in->readable : fresh(c, "readable", Z3_mk_array_sort(c, b20, boo));
	out->writable = in->writable ? in->writable : fresh(c, "writable", Z3_mk_array_sort(c, b20, boo));
	out->is_block = in->is_block ? in->is_block : fresh(c, "is_block", Z3_mk_array_sort(c, b32, boo));
	out->jump_table = in->jump_table ? in->jump_table : fresh(c, "jump_table", Z3_mk_array_sort(c, b32, b32));
	out->jt_len = in->jt_len ? in->jt_len : fresh(c, "jt_len", b32);
	out->mem = in->mem;
	out->gas = in->gas;
	out->host_id = num(c, 0, 32);
	out->fault_addr = num(c, 0, 32);

	Z3_ast any = Z3_mk_false(c), low = num(c, 0, 32);
	Z3_ast succ_status = status(c, SEM_CONT), succ_pc = in->next;
	for (size_t i = 0; i < si->n_effects; i++) {
		const sem_node *ef = si->effects[i];
		bool reg_arg = ef->op == SEM_SET || ef->op == SEM_SBRK || ef->op == SEM_BRK;
		Z3_ast a0 = ef->nargs > 0 && !reg_arg ? sem_z3_expr(c, ef->arg[0], opnd, in->mem) : NULL;
		if (!a0 && ef->nargs > 0 && !reg_arg) return z3_failed(c, si, e);
		switch ((sem_op)ef->op) {
		case SEM_SET:
		case SEM_SBRK: {
			uint8_t r = ef->arg[0]->operand == SEM_RA ? in->ra : ef->arg[0]->operand == SEM_RB ? in->rb : in->rd;
			if (ef->op == SEM_SET) out->regs[r] = sem_z3_expr(c, ef->arg[1], opnd, in->mem);
			else {
				out->sbrk_size = sem_z3_expr(c, ef->arg[1], opnd, in->mem);
				out->regs[r] = out->sbrk_size ? sem_z3_sbrk(c, out->sbrk_size) : NULL;
				out->opaque = true;
			}
			if (!out->regs[r]) return z3_failed(c, si, e);
			break;
		}
		case SEM_BRK: { /* the peers' break: the old break, or a panic with nothing changed */
			uint8_t r = ef->arg[0]->operand == SEM_RA ? in->ra : ef->arg[0]->operand == SEM_RB ? in->rb : in->rd;
			Z3_ast size = sem_z3_expr(c, ef->arg[1], opnd, in->mem);
			if (!size) return z3_failed(c, si, e);
			Z3_ast fails = sem_z3_brk_fails(c, size);
			out->sbrk_size = size;
			out->brk_fails = fails;
			out->opaque = true;
			out->regs[r] = Z3_mk_ite(c, fails, out->regs[r], sem_z3_brk(c, size));
			succ_status = Z3_mk_ite(c, fails, status(c, SEM_PANIC), status(c, SEM_CONT));
			succ_pc = Z3_mk_ite(c, fails, in->pc, in->next);
			break;
		}
		case SEM_STORE: {
			Z3_ast v = sem_z3_expr(c, ef->arg[1], opnd, in->mem);
			if (!v) return z3_failed(c, si, e);
			out->mem = store(c, out->mem, a0, v, ef->p0);
			break;
		}
		case SEM_TRAP:
			succ_status = status(c, SEM_PANIC);
			succ_pc = in->pc;
			break;
		case SEM_ECALLI:
			succ_status = status(c, SEM_HOST);
			succ_pc = in->pc;
			out->host_id = a0;
			break;
		case SEM_BRANCH: {
			Z3_ast t = sem_z3_expr(c, ef->arg[1], opnd, in->mem);
			if (!t) return z3_failed(c, si, e);
			Z3_ast ok = Z3_mk_select(c, out->is_block, t);
			out->branch_cond = a0;
			out->branch_target = t;
			succ_status = Z3_mk_ite(c, a0, Z3_mk_ite(c, ok, status(c, SEM_CONT), status(c, SEM_PANIC)),
			                        status(c, SEM_CONT));
			succ_pc = Z3_mk_ite(c, a0, Z3_mk_ite(c, ok, t, in->pc), in->next);
			break;
		}
		case SEM_DJUMP: {
			/* ISA-NOTES §3: 0xFFFF0000 halts; 0, odd, past 2·|j| or a non-block entry panics. */
			Z3_ast idx = Z3_mk_bvsub(c, Z3_mk_bvlshr(c, a0, num(c, 1, 32)), num(c, 1, 32));
			Z3_ast dest = Z3_mk_select(c, out->jump_table, idx);
			Z3_ast lim = Z3_mk_bvshl(c, Z3_mk_zero_ext(c, 1, out->jt_len), num(c, 1, 33));
			Z3_ast conds[4] = {
				Z3_mk_not(c, Z3_mk_eq(c, a0, num(c, 0, 32))),
				Z3_mk_eq(c, Z3_mk_extract(c, 0, 0, a0), num(c, 0, 1)),
				Z3_mk_bvule(c, Z3_mk_zero_ext(c, 1, a0), lim),
				Z3_mk_select(c, out->is_block, dest),
			};
			Z3_ast ok = Z3_mk_and(c, 4, conds);
			Z3_ast halt = Z3_mk_eq(c, a0, num(c, 0xFFFF0000u, 32));
			out->djump_addr = a0;
			succ_status = Z3_mk_ite(c, halt, status(c, SEM_HALT),
			                        Z3_mk_ite(c, ok, status(c, SEM_CONT), status(c, SEM_PANIC)));
			succ_pc = Z3_mk_ite(c, Z3_mk_and(c, 2, (Z3_ast[]){ Z3_mk_not(c, halt), ok }), dest, in->pc);
			break;
		}
		default:
			break;
		}
	}
	for (size_t i = 0; i < si->n_effects; i++)
		if (!accesses(c, si->effects[i], opnd, in->mem, out, &any, &low)) return z3_failed(c, si, e);
	out->fault = Z3_simplify(c, any);
	Z3_ast fault_status = Z3_mk_ite(c, Z3_mk_bvult(c, low, num(c, PVM_LOW_LIMIT, 32)), status(c, SEM_PANIC),
	                                status(c, SEM_FAULT));
	out->ok_status = succ_status;
	out->ok_pc = succ_pc;
	out->status = Z3_mk_ite(c, any, fault_status, succ_status);
	out->pc = Z3_mk_ite(c, any, in->pc, succ_pc);
	Z3_ast paged[2] = { any, Z3_mk_bvuge(c, low, num(c, PVM_LOW_LIMIT, 32)) };
	out->fault_addr = Z3_mk_ite(c, Z3_mk_and(c, 2, paged),
	                            Z3_mk_bvand(c, low, num(c, ~(uint32_t)(PVM_PAGE - 1), 32)), num(c, 0, 32));
	return SEM_OK;
}
