/* liftcheck/undef.c: the lifter against the architecture's undefined flags. For each form whose
 * instruction has rows in undef.def, the instruction is lifted over a symbolic state (immediate and
 * displacement symbolic too), and for each flag a row names, under the row's condition, Z3 must
 * find no input that forces the lifter's flag term to one value: the term must stay free (a fresh
 * undef_* value), so that no proof can lean on what one CPU happens to produce. */
#include <stdlib.h>
#include <string.h>
#include "liftcheck/liftcheck.h"
#include "pvm/pvm.h"
#include "liftcheck/util.h"

enum when { ALWAYS, COUNT_NZ, COUNT_GT1 };
#define UF(f) (1u << LIFT_##f)
static const struct undef_row { unsigned id; unsigned flags; enum when when; } rows[] = {
#define UNDEF(id, flags, when) { X86_INS_##id, flags, when },
#include "undef.def"
#undef UNDEF
};
#undef UF

enum { MAX_UNDEF_BITS = 6, MAX_NODES = 1 << 16 };

/* The undef_* constants a term depends on (at most 8), by a walk of its DAG. */
typedef struct undefs {
	Z3_ast c[8];
	unsigned n, bits;
	bool overflow;
	unsigned *seen; /* ids visited */
	size_t nseen;
} undefs;

static bool visited(undefs *u, unsigned id)
{
	for (size_t i = 0; i < u->nseen; i++)
		if (u->seen[i] == id) return true;
	if (u->nseen == MAX_NODES) {
		u->overflow = true;
		return true;
	}
	u->seen[u->nseen++] = id;
	return false;
}

static void collect(Z3_context z, Z3_ast a, undefs *u)
{
	if (u->overflow || Z3_get_ast_kind(z, a) != Z3_APP_AST || visited(u, Z3_get_ast_id(z, a))) return;
	Z3_app app = Z3_to_app(z, a);
	unsigned n = Z3_get_app_num_args(z, app);
	Z3_func_decl d = Z3_get_app_decl(z, app);
	if (n == 0 && Z3_get_decl_kind(z, d) == Z3_OP_UNINTERPRETED) {
		const char *name = Z3_get_symbol_string(z, Z3_get_decl_name(z, d));
		if (!strncmp(name, "undef_", 6)) {
			if (u->n == 8) u->overflow = true;
			else {
				u->c[u->n++] = a;
				u->bits += Z3_get_bv_sort_size(z, Z3_get_sort(z, a));
			}
		}
		return;
	}
	for (unsigned i = 0; i < n; i++) collect(z, Z3_get_app_arg(z, app, i), u);
}

/* The term with every undef_* constant of u given the bits of v (in order, low bits first). */
static Z3_ast with_values(Z3_context z, Z3_ast t, const undefs *u, unsigned v)
{
	Z3_ast to[8];
	for (unsigned i = 0, at = 0; i < u->n; i++) {
		unsigned w = Z3_get_bv_sort_size(z, Z3_get_sort(z, u->c[i]));
		to[i] = bvn(z, w, (v >> at) & ((1u << w) - 1));
		at += w;
	}
	return Z3_substitute(z, t, u->n, u->c, to);
}

static Z3_lbool solve(Z3_context z, Z3_ast f)
{
	Z3_solver s = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, s);
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "timeout"), 20000);
	Z3_solver_set_params(z, s, p);
	Z3_solver_assert(z, s, f);
	Z3_lbool r = Z3_solver_check(z, s);
	Z3_params_dec_ref(z, p);
	Z3_solver_dec_ref(z, s);
	return r;
}

/* The masked shift/rotate count of ci over the symbolic input state and fields. */
static Z3_ast masked_count(Z3_context z, const cs_insn *ci, const lift_state *in, const lift_field *fld,
                           size_t nfld)
{
	const cs_x86 *d = &ci->detail->x86;
	unsigned w = 8 * d->operands[0].size;
	Z3_ast c8 = bvn(z, 8, 1); /* the one-operand (D1) forms shift by 1 */
	if (d->op_count >= 2) {
		const cs_x86_op *op = &d->operands[d->op_count - 1];
		if (op->type == X86_OP_REG) {
			bool hi;
			int g = lift_reg_index(op->reg, &hi);
			c8 = g < 0 ? NULL : Z3_mk_extract(z, hi ? 15 : 7, hi ? 8 : 0, in->gpr[g]);
		} else if (op->type == X86_OP_IMM) {
			c8 = bvn(z, 8, (uint64_t)op->imm & 0xff);
			for (size_t i = 0; i < nfld; i++)
				if (fld[i].offset == d->encoding.imm_offset && fld[i].size == 1) c8 = fld[i].term;
		} else c8 = NULL;
	}
	return c8 ? Z3_mk_bvand(z, c8, bvn(z, 8, w == 64 ? 63 : 31)) : NULL;
}

/* Check one single-instruction form. Returns LIFT_OK or an error with detail in errbuf. */
static lift_err check_form(csh cs, const lift_form *f, const char *break_rule, FILE *log,
                           lift_undef_report *rep, char *errbuf, size_t errlen)
{
	cs_insn *ci;
	size_t n = cs_disasm(cs, f->bytes, f->len, 0x10000, 0, &ci);
	if (n != 1) {
		if (n) cs_free(ci, n);
		return LIFT_OK; /* sequences (built-in forms only): not checked here */
	}
	unsigned want = 0;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].id == ci->id) want |= rows[i].flags;
	if (!want || ci->size != f->len) {
		cs_free(ci, 1);
		return LIFT_OK;
	}
	char text[200];
	snprintf(text, sizeof text, "%s %s", ci->mnemonic, ci->op_str);
	Z3_config cfg = Z3_mk_config();
	Z3_context z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	lift_ctx *lc = lift_new(z);
	lift_err err = LIFT_OK;
	undefs u = { .seen = pvm_xmalloc(MAX_NODES * sizeof *u.seen) };
	if (!lc) {
		snprintf(errbuf, errlen, "undefined flags: capstone cannot open x86-64");
		err = LIFT_EARG;
		goto out;
	}
	if ((err = lift_set_break(lc, break_rule))) {
		snprintf(errbuf, errlen, "%s", lift_errmsg(lc));
		goto out;
	}
	/* immediate and displacement as symbolic fields, as lift-check lifts them */
	lift_field fld[2];
	size_t nfld = 0;
	unsigned isz, dsz;
	enc_sizes(ci, &isz, &dsz);
	if (isz) fld[nfld++] = (lift_field){ ci->detail->x86.encoding.imm_offset, (uint8_t)isz,
		                             Z3_mk_const(z, Z3_mk_string_symbol(z, "imm"), bvs(z, 8 * isz)) };
	if (dsz) fld[nfld++] = (lift_field){ ci->detail->x86.encoding.disp_offset, (uint8_t)dsz,
		                             Z3_mk_const(z, Z3_mk_string_symbol(z, "disp"), bvs(z, 8 * dsz)) };
	lift_state in;
	lift_state_fresh(lc, &in, "s");
	lift_result res;
	if ((err = lift_block(lc, f->bytes, f->len, 0x10000, fld, nfld, &in, &res))) {
		snprintf(errbuf, errlen, "undefined flags: form %s: %s", text, lift_errmsg(lc));
		goto out;
	}
	rep->forms++;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i].id != ci->id) continue;
		Z3_ast when = Z3_mk_true(z);
		if (rows[i].when != ALWAYS) {
			Z3_ast c = masked_count(z, ci, &in, fld, nfld);
			if (!c) {
				snprintf(errbuf, errlen, "undefined flags: form %s: no count operand", text);
				err = LIFT_EUNSUPPORTED;
				break;
			}
			when = rows[i].when == COUNT_NZ ? Z3_mk_not(z, Z3_mk_eq(z, c, bvn(z, 8, 0)))
			                                : Z3_mk_bvugt(z, c, bvn(z, 8, 1));
		}
		for (int fl = 0; fl < LIFT_NFLAG; fl++) {
			if (!(rows[i].flags >> fl & 1)) continue;
			for (size_t k = 0; k < res.nexits; k++) {
				const lift_exit *ex = &res.exits[k];
				if (ex->kind != LIFT_EXIT_FALL) continue; /* #DE and traps: the state before */
				Z3_ast cond = Z3_mk_and(z, 2, (Z3_ast[]){ ex->cond, when });
				Z3_ast t = ex->st.flag[fl];
				rep->flags++;
				/* a count condition no input meets (a shift by 1 for OF): nothing to check */
				if (rows[i].when != ALWAYS && solve(z, cond) == Z3_L_FALSE) {
					rep->vacuous++;
					continue;
				}
				u.n = u.bits = 0;
				u.nseen = 0;
				u.overflow = false;
				collect(z, t, &u);
				/* forced to v: some input meets the condition and every choice of the undef_*
				 * values gives v */
				Z3_lbool r = Z3_L_UNDEF;
				if (!u.overflow && u.bits <= MAX_UNDEF_BITS) {
					Z3_ast all0 = Z3_mk_true(z), all1 = Z3_mk_true(z);
					for (unsigned v = 0; v < 1u << u.bits; v++) {
						Z3_ast tv = with_values(z, t, &u, v);
						all0 = Z3_mk_and(z, 2, (Z3_ast[]){ all0, Z3_mk_eq(z, tv, bvn(z, 1, 0)) });
						all1 = Z3_mk_and(z, 2, (Z3_ast[]){ all1, Z3_mk_eq(z, tv, bvn(z, 1, 1)) });
					}
					r = solve(z, Z3_mk_and(z, 2, (Z3_ast[]){ cond, Z3_mk_or(z, 2, (Z3_ast[]){ all0, all1 }) }));
				}
				if (r == Z3_L_FALSE) continue;
				rep->defined++;
				fprintf(log, "UNDEFINED-FLAG-DEFINED %s: %s is undefined in the SDM/APM%s, but the lifter's term %s\n",
				        text, lift_flag_names[fl],
				        rows[i].when == COUNT_GT1 ? " for a count > 1" : rows[i].when == COUNT_NZ ? " for a count != 0" : "",
				        r == Z3_L_TRUE ? "is determined by the inputs for some state"
				                       : "could not be shown free (too many undefined inputs, or solver unknown)");
			}
		}
	}
	lift_result_fini(&res);
out:
	free(u.seen);
	if (lc) lift_free(lc);
	Z3_del_context(z);
	cs_free(ci, 1);
	return err;
}

lift_err lift_check_undefined(const lift_form *forms, size_t nforms, const char *break_rule, FILE *log,
                              lift_undef_report *rep, char *errbuf, size_t errlen)
{
	memset(rep, 0, sizeof *rep);
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		snprintf(errbuf, errlen, "capstone: cannot open");
		return LIFT_EARG;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	lift_err err = LIFT_OK;
	for (size_t i = 0; i < nforms && !err; i++) err = check_form(cs, &forms[i], break_rule, log, rep, errbuf, errlen);
	cs_close(&cs);
	return err;
}
