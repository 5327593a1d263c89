/* validator/prove.h: the proof kinds (internal to validator/), one file each, every one built on
 * query.h: a template instance (prove_template.c), a whole gas region (prove_region.c), a region
 * piece by piece (prove_piece.c), a dynamic jump's dispatcher (prove_dispatch.c), and the linking
 * of a block's exits read from the compiled program, with its exit stubs lifted (link.c).
 * The commands' drivers (validate.c, prove_block.c) call these; these never call a driver. */
#ifndef JITPROOF_TV_PROVE_H
#define JITPROOF_TV_PROVE_H
#include "validator/query.h"

/* Prove the template of `in` (registers fixed, immediates symbolic within class cls).
 * in->pc/next/target give the layout the counterexample program will use. */
tv_verdict tv_prove_template(tv_worker *w, const pvm_inst *in, jit_imm_class cls, tv_result *res, tv_cex *cex);
/* Prove the fused code of the pair a, b (jit_fuse_pair holds; registers fixed, the head's X every
 * value with its X & 63) against the two specs composed (tv_spec_pair; README § Fusions). */
tv_verdict tv_prove_fused(tv_worker *w, const pvm_inst *a, const pvm_inst *b, tv_result *res, tv_cex *cex);
/* The step of the byte-reduction loop whose latch is at pc (jit.h § steps) against JIT_STEP_TURNS
 * turns of the loop's specs composed (prove_step.c). A counterexample's model is a state at the
 * latch (its gas the spec's there); *pages: it is one of the page obligation. */
tv_verdict tv_prove_step(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                         tv_cex *cex, bool *pages);
/* A page obligation's counterexample vector v (cex at the latch at pc): the page after the first
 * turn's byte unmapped (and its memory dropped), where the turns fault one by one. */
void tv_step_cex_pages(pvm_vector *v, const tv_cex *cex, const pvm_program *p, uint32_t pc);
/* Prove the gas region of p entered at pc against the composed specs of its instructions.
 * *last (when not NULL) gets the pc of the region's last instruction. */
tv_verdict tv_prove_region(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last);
/* Prove the same region piece by piece (the gas prologue, then each instruction's code between
 * the JIT's pc-map cuts against that instruction's spec, or a fused pair's against the two
 * composed; README: soundness). *last_pc: the region's last instruction; *cex_pc: the pc of the
 * state a counterexample model is at; *cex_last: the last instruction of that counterexample's
 * piece (UINT32_MAX: the model is the prologue's, whose gas it holds); *n_pieces: pieces proved
 * or tried. */
tv_verdict tv_prove_pieces(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last_pc, uint32_t *cex_pc, uint32_t *cex_last, size_t *n_pieces);
/* Prove the dynamic-jump dispatcher of the jump `in` (at in->pc of p, registers fixed, immediates
 * symbolic) against the spec's djump: halt, panic, or the host entry of jump_table[a/2 - 1]. */
tv_verdict tv_prove_dispatch(tv_worker *w, const pvm_program *p, const pvm_inst *in, tv_result *res, tv_cex *cex);

/* Linking from the bytes (link.c). With L (the whole program compiled as it runs) the
 * block's exits are replaced by what the program's code at each rel32 field actually goes to:
 * a block entry (BRANCH to that block's pc), a lifted exit stub (its kind and pc; an out-of-gas
 * one also what it adds to the gas register, as its arg), the dispatcher
 * of the exit's jump (DJUMP), or anything else (NONE: an exit no spec outcome matches). False
 * (why says so) when the program's code for the block is not the block's bytes. */
/* Do the len bytes at code (address base) fall through with every register and all memory
 * unchanged but rsp, to which they add a numeral (*gas_add), for every state? (padding between
 * regions, after a latch's refund; validator/link.c) */
bool tv_lift_fall(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t *gas_add);
/* *fall_gas: what the code after the block (a latch's refund) gives back beyond what the block
 * prepaid, added to the gas of its fall-through in its proof (0 but for a wrong refund). */
bool tv_link_exits(const tv_links *L, tv_worker *w, const pvm_program *p, jit_block *blk, int64_t *fall_gas, char *why,
                   size_t n);
/* The program's digest for the proof store's block keys (NULL: no store; tv_store_program_digest). */
const uint8_t *tv_links_digest(const tv_links *L);
/* An exit stub at `code` (address base) lifted: true with the kind and pc it stores and the
 * numeral it adds to the gas register (rsp) when it does exactly that and jumps to exit_addr,
 * changing no guest register. */
bool tv_lift_stub(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t exit_addr, uint32_t *kind,
                  uint32_t *pc, uint64_t *gas_add);
/* A chain's refund at `code` lifted: true with where it jumps (*dest, an address) and the numeral it
 * adds to the gas register when it does only that (validator/link.c). */
bool tv_lift_refund(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t *dest, uint64_t *gas_add);
/* Chains (jit.h § chains) as read from L's program with the spec's costs (NULL L: none): the gas a
 * region holding pc has prepaid for the chain's blocks after it, and whether pc is a member (a
 * block start with code but no gas-region entry). */
uint32_t tv_links_prepaid(const tv_links *L, uint32_t pc);
bool tv_links_member(const tv_links *L, const pvm_program *p, uint32_t pc);
#endif
