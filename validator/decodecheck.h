/* validator/decodecheck.h: the decoder's reading of a block against the spec's (internal to
 * validator/; validator/decodecheck.c). */
#ifndef JITPROOF_TV_DECODECHECK_H
#define JITPROOF_TV_DECODECHECK_H
#include "validator/tv.h"

/* Before the block (gas region) of p entered at pc is proved: everything its proof takes from the
 * decoder (pvm/decode.c: each instruction's opcode, length and operands, whether each static
 * target and each jump-table entry is a block start, 0.8.0's L(pc)) must be what the spec's
 * decoding (semantics/decode.c) says. TV_PROVED when it is, with *non_block the region's static
 * targets that are not block starts (the proof then shows each linked to a panic). Otherwise
 * TV_CEX with res->detail naming the first difference and, with a vector, a counterexample
 * written to o->cex_dir that `jitproof replay --engine-a spec` replays (res->cex_file). */
tv_verdict tv_check_decode(const tv_opts *o, const pvm_program *p, const pvm_vector *v, uint32_t pc, uint8_t reading,
                           tv_result *res, unsigned *non_block);
#endif
