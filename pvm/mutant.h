/* pvm/mutant.h: the validator's self-test: deliberately wrong code, one row each in
 * pvm/mutants.def. Most rows break the JIT (its replacement templates are in jit/mutants.c); a few
 * break what every engine shares: the GP 0.8.0 cost table, prevalidation (pvm/), the host policy
 * (cli/). The table and the registry live here, in the library every other one links, so that
 * pvm/, jit/ and cli/ reach the one table through the same hook. Built only with
 * -DJITPROOF_MUTANTS=ON; otherwise the list is empty and every hook point is the identity. One
 * mutant at most is active per process, chosen once at start-up (before any thread, decoding or
 * compilation) by pvm_set_mutant. A mutant acts either as a replacement template
 * (jit/template.h: jit_mutant_template) or at one hook point. */
#ifndef JITPROOF_PVM_MUTANT_H
#define JITPROOF_PVM_MUTANT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum pvm_mutant_id {
	PVM_MUT_NONE = 0,
#define MUTANT(id, op, cls, how, what) PVM_MUT_##id,
#include "mutants.def"
#undef MUTANT
	PVM_MUT_COUNT
} pvm_mutant_id;

/* Hook points: the only places outside the templates where a mutant acts. Each passes one value
 * through pvm_mutant_hook (or pvm_mutant_hook_op); the comment says where and what the value is. */
typedef enum pvm_hook {
	PVM_HOOK_NONE = 0,       /* (a replacement template, not a hook) */
	PVM_HOOK_region_cost,    /* jit/compile.c region_cost: the gas a region's prologue charges */
	PVM_HOOK_jt_last,        /* jit/compile.c emit_dispatch: the largest in-bounds address - 2 (2|j| - 2) */
	PVM_HOOK_sbrk_end,       /* jit/runtime.c run_sbrk: the last byte of an allocation (x + size - 1); sandbox_open: of the 0.8.0 heap */
	PVM_HOOK_ro_perm,        /* jit/runtime.c seal_read_only: the protection of a read-only page (PVM_READ) */
	PVM_HOOK_top_extra,      /* jit/runtime.c sandbox_open: pages above the highest mapped one opened readable (0) */
	PVM_HOOK_branch_skip,    /* jit/compile.c link: block entries a taken branch skips past its target (0) */
	PVM_HOOK_slot_skip,      /* jit/compile.c jump table: 1 links a slot past its block's gas prologue (0) */
	PVM_HOOK_branch_charge,  /* jit/compile.c emit_program: 1 = a taken branch enters its target's gas prologue */
	PVM_HOOK_resume_charge,  /* jit/runtime.c jit_program_run: 1 = the run charges its first block (0.8.0: flag clear) */
	PVM_HOOK_cost_cycles,    /* pvm/cost.c pvm_block_cost: the cycles of the cost-table row of the mutant's opcode (per op) */
	PVM_HOOK_skip_limit,     /* pvm/decode.c prevalidate: the longest skip 0.8.0 prevalidation accepts (24) */
	PVM_HOOK_grow_heap_id,   /* pvm/host.c pvm_host_is_grow_heap: the host-call id answered as grow_heap (1) */
	PVM_HOOK_reg_field,      /* pvm/decode.c reg_clamp: a register field (0..255) before min(12, field) */
	PVM_HOOK_link_mid,       /* jit/compile.c link: 1 = a static jump of the mutant's opcode to an instruction that
	                            is not a block start goes into that instruction's code, not to a panic (0) (per op) */
	PVM_HOOK_entry_skip,     /* jit/compile.c emit_enter: the guest register whose load enter leaves out (13: none) */
	PVM_HOOK_exit_skip,      /* jit/compile.c emit_exit: the guest register whose store the common exit leaves out (13: none) */
	PVM_HOOK_resume_regs,    /* jit/runtime.c take_state: bit i = register i taken from the state when a run resumes after a host call (all 13) */
	PVM_HOOK_entry_gas_skip, /* jit/compile.c emit_enter: 1 = enter leaves the gas register (rsp) unloaded (0) */
	PVM_HOOK_exit_gas_skip,  /* jit/compile.c emit_exit: 1 = the common exit leaves ctx.gas unstored (0) */
	PVM_HOOK_oog_keep,       /* jit/compile.c emit_stub_at: 1 = an out-of-gas stub does not add its prologue's cost back to rsp (0) */
	PVM_HOOK_pad_clobber,    /* jit/compile.c emit_program: 1 = a loop head's padding starts with xor r13d, r13d (guest r8) (0) */
	PVM_HOOK_s8_max,         /* jit/templates.c jit_em_s8: the largest X a program's compile emits in class S8 (127) */
	PVM_HOOK_fuse_scale,     /* jit/templates.c jit_em_fused: the shift s whose scale 2^s the fused lea of shlo_l_imm_64 + add_64 uses (s) */
	PVM_HOOK_chain_refund,   /* jit/compile.c emit_program: the gas a branch out of a chain gives back (the prepaid gas) */
	PVM_HOOK_chain_row,      /* jit/compile.c emit_program: a row's prepaid gas, which the runtime adds at an exit there */
	PVM_HOOK_chain_host_target, /* jit/compile.c walk_starts: 1 = the chains mark the target of a jump or branch after a host
	                            call in its block (0: not; the target may become a member, which the branch cannot enter) */
	PVM_HOOK_query_skip,     /* validator/query.c exit_diff: the guest register whose comparison the query leaves out (13: none) */
	PVM_HOOK_fall_refund,    /* jit/compile.c emit_fall_refund: the gas a latch's not-taken side gives back (its prepaid gas) */
	PVM_HOOK_step_gas_guard, /* jit/step.c jit_step_emit: the gas the guard asks for 16 turns (16 * (turn + match)) */
	PVM_HOOK_step_page_guard, /* jit/step.c jit_step_emit: the highest in-page offset the guard lets the 16 bytes start at (0xff0) */
	PVM_HOOK_step_match_charge, /* jit/step.c jit_step_emit: the gas the step charges per matching byte (the ADD region's charge) */
	PVM_HOOK_COUNT
} pvm_hook;

typedef struct pvm_mutant {
	const char *name;     /* the id, as --mutant takes it */
	uint8_t opcode;       /* the opcode whose template (or cost row) it breaks; a hook mutant: the one to validate */
	const char *bug_class;
	const char *what;
	pvm_hook hook;        /* where it acts: PVM_HOOK_NONE = the replacement template of opcode */
} pvm_mutant;

#ifdef JITPROOF_MUTANTS
/* The mutants built in. */
const pvm_mutant *pvm_mutants(size_t *n);
/* Activate a mutant by name; false if no such mutant is built in. */
bool pvm_set_mutant(const char *name);
/* The active mutant's id (PVM_MUT_NONE: none). */
pvm_mutant_id pvm_mutant_active(void);
/* Hook point h passes value v: v, or what the active mutant makes of it if that mutant acts at h. */
uint64_t pvm_mutant_hook(pvm_hook h, uint64_t v);
/* The same for a hook point that concerns one opcode (a table row): the mutant acts only when
 * op is its opcode. */
uint64_t pvm_mutant_hook_op(pvm_hook h, unsigned op, uint64_t v);
#else
static inline const pvm_mutant *pvm_mutants(size_t *n) { *n = 0; return NULL; }
static inline bool pvm_set_mutant(const char *name) { (void)name; return false; }
static inline pvm_mutant_id pvm_mutant_active(void) { return PVM_MUT_NONE; }
static inline uint64_t pvm_mutant_hook(pvm_hook h, uint64_t v) { (void)h; return v; }
static inline uint64_t pvm_mutant_hook_op(pvm_hook h, unsigned op, uint64_t v) { (void)h, (void)op; return v; }
#endif
#endif
