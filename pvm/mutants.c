/* pvm/mutants.c: the registry of pvm/mutants.def, compiled only with -DJITPROOF_MUTANTS=ON: the
 * rows, the active one, and the value function of every HOOK row (the replacement templates of
 * the TEMPLATE rows are in jit/mutants.c, which asks pvm_mutant_active which one to emit). */
#include <string.h>
#include "pvm/pvm.h"
#include "pvm/mutant.h"

/* ---- value functions (HOOK rows), in the order of mutants.def -------------------------------- */

static uint64_t mut_gas_cost_plus_one(uint64_t cost) { return cost + 1; }
static uint64_t mut_gas_cost_minus_one(uint64_t cost) { return cost - 1; }
static uint64_t mut_jump_ind_bound(uint64_t last) { return last - 2; }
static uint64_t mut_sbrk_extra_page(uint64_t end) { return end + 1; }
static uint64_t mut_ro_page_writable(uint64_t perm) { (void)perm; return PVM_WRITE; }
static uint64_t mut_unmapped_page_readable(uint64_t n) { return n + 1; }
static uint64_t mut_link_branch_next_block(uint64_t n) { return n + 1; }
static uint64_t mut_link_table_slot_non_block(uint64_t n) { (void)n; return 1; }
static uint64_t mut_exit_drops_r9(uint64_t reg) { (void)reg; return 9; }
static uint64_t mut_query_skips_r7(uint64_t reg) { (void)reg; return 7; }
static uint64_t mut_entry_skips_r5(uint64_t reg) { (void)reg; return 5; }
static uint64_t mut_exit_drops_gas(uint64_t skip) { (void)skip; return 1; }
static uint64_t mut_entry_skips_gas(uint64_t skip) { (void)skip; return 1; }
static uint64_t mut_oog_stub_keeps_charge(uint64_t keep) { (void)keep; return 1; }
static uint64_t mut_resume_keeps_jit_regs(uint64_t mask) { (void)mask; return 1u << 7; }
static uint64_t mut_branch_skips_charge(uint64_t charge) { (void)charge; return 0; }
static uint64_t mut_resume_charges_again(uint64_t charge) { (void)charge; return 1; }
static uint64_t mut_cost_add_64_cycles(uint64_t cycles) { return cycles + 1; }
static uint64_t mut_grow_heap_id_zero(uint64_t id) { (void)id; return PVM_HOST_GAS; }
static uint64_t mut_skip_over_24_accepted(uint64_t limit) { (void)limit; return UINT64_MAX; }
static uint64_t mut_link_jump_mid_block(uint64_t mid) { (void)mid; return 1; }
static uint64_t mut_link_pad_clobbers_r8(uint64_t pad) { (void)pad; return 1; }
static uint64_t mut_s8_chosen_up_to_255(uint64_t max) { (void)max; return 255; }
static uint64_t mut_fused_lea_scale_halved(uint64_t s) { return s - 1; }
static uint64_t mut_chain_refund_short(uint64_t give) { return give - 1; }
static uint64_t mut_chain_row_prepaid_plus_one(uint64_t prepaid) { return prepaid ? prepaid + 1 : 0; }
static uint64_t mut_latch_fall_refund_short(uint64_t give) { return give - 1; }
static uint64_t mut_step_gas_guard_short(uint64_t most) { return most / 2; }
static uint64_t mut_step_page_guard_past(uint64_t last) { return last + 1; }
static uint64_t mut_step_match_free(uint64_t per) { (void)per; return 0; }
static uint64_t mut_chain_target_after_host(uint64_t mark) { (void)mark; return 0; }
static uint64_t mut_decode_reg_field_minus_3(uint64_t field) { return field >= 13 && field <= 15 ? field - 3 : field; }

/* ---- the registry --------------------------------------------------------------------------- */

/* A row's `how` column, expanded twice: HOW_<how> gives its hook point, VALUE_<how>(id) its value
 * function (TEMPLATE: none, the template is jit's). */
#define HOW_TEMPLATE PVM_HOOK_NONE
#define HOW_HOOK(h) PVM_HOOK_##h
#define VALUE_TEMPLATE(id) NULL
#define VALUE_HOOK(h) VALUE_FN
#define VALUE_FN(id) mut_##id

static const pvm_mutant list[] = {
#define MUTANT(id, op, cls, how, what) { #id, PVM_OP_##op, #cls, what, HOW_##how },
#include "mutants.def"
#undef MUTANT
};
static uint64_t (*const value[])(uint64_t v) = {
#define MUTANT(id, op, cls, how, what) VALUE_##how(id),
#include "mutants.def"
#undef MUTANT
};
_Static_assert(sizeof list / sizeof list[0] == PVM_MUT_COUNT - 1, "one row per mutant id");
_Static_assert(sizeof value / sizeof value[0] == PVM_MUT_COUNT - 1, "one value function slot per mutant id");

/* Set once by pvm_set_mutant at start-up, read-only afterwards. */
static pvm_mutant_id active = PVM_MUT_NONE;

const pvm_mutant *pvm_mutants(size_t *n)
{
	*n = sizeof list / sizeof list[0];
	return list;
}

bool pvm_set_mutant(const char *name)
{
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		if (!strcmp(list[i].name, name)) {
			active = (pvm_mutant_id)(i + 1);
			return true;
		}
	return false;
}

pvm_mutant_id pvm_mutant_active(void) { return active; }

uint64_t pvm_mutant_hook(pvm_hook h, uint64_t v)
{
	if (active == PVM_MUT_NONE || h == PVM_HOOK_NONE || list[active - 1].hook != h) return v;
	return value[active - 1](v);
}

uint64_t pvm_mutant_hook_op(pvm_hook h, unsigned op, uint64_t v)
{
	if (active == PVM_MUT_NONE || list[active - 1].opcode != op) return v;
	return pvm_mutant_hook(h, v);
}
