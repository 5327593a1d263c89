/* validator/store.h: the persistent proof store (README § The proof store).
 * A PROVED verdict is kept on disk under a key that hashes (SHA-256) everything its query is built
 * from: the code under proof (bytes, immediate fields, exits), the instruction and its test
 * program's layout, the canonical spec entries, revision, CPU features, reading, and the identity
 * of the prover (the source of lifter/, validator/, semantics/, pvm/ and jit/'s headers, the
 * register map, Z3's and Capstone's versions, the compiler; prove's keys also jit/'s source). A
 * later run with the same key takes PROVED without calling the solver.
 * Only PROVED is ever stored as PROVED; an entry that does not check is ignored (and counted), never
 * trusted. Beside them, AGREED entries keep validate's concrete fallbacks (the fault, gas and host
 * items: both engines run on the same states): a FALLBACK-AGREE verdict under a key that holds
 * everything those runs read (the item, its states' seed and number, the engines' source: jit/,
 * interp/, and the identity's pvm/ and validator/, the mutant, every spec entry of the revision),
 * so the same key runs the same states through the same code and agrees again. It is reused as
 * FALLBACK-AGREE, never as PROVED: the two are looked up apart.
 * Thread-safe; safe for several processes sharing one folder (entries are written in packs, each
 * to a temporary name and renamed; a run reads every pack once, when it opens the store). */
#ifndef JITPROOF_TV_STORE_H
#define JITPROOF_TV_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jit/jit.h"
#include "pvm/pvm.h"
#include "semantics/sem.h"
#include "validator/report.h"

typedef struct tv_store tv_store;
typedef struct tv_key { uint8_t d[32]; } tv_key;

/* The folder a run uses unless told otherwise: $JITPROOF_CACHE, else $HOME/.cache/jitproof
 * (written into buf; NULL when neither is set). */
const char *tv_store_default_dir(char *buf, size_t n);
/* Opens the store in dir (creating dir and dir/v1). NULL after one warning line on stderr
 * ("jitproof CMD: warning: ...; running without the proof store") when it cannot be used. */
tv_store *tv_store_open(const char *dir, const char *cmd);
void tv_store_close(tv_store *s);

/* Does the entry of k hold PROVED? true: the verdict is reused (counted). A missing entry is a
 * miss; an entry that exists but does not check (torn, edited, another layout, another key) is
 * counted as ignored and is a miss. */
bool tv_store_get(tv_store *s, const tv_key *k);
/* Record PROVED for k; `what` names the item in the entry (for people; never read back). A write
 * that fails warns once and the run goes on. */
void tv_store_put(tv_store *s, const tv_key *k, const char *what);
typedef struct tv_store_counts { size_t reused, stored, ignored, agreed_reused, agreed_stored; } tv_store_counts;
tv_store_counts tv_store_get_counts(const tv_store *s);
/* Writes what was put and not yet written (tv_report_store does, so that `stored` counts what
 * is on disk); tv_store_close writes the rest. */
void tv_store_flush(tv_store *s);
const char *tv_store_dir(const tv_store *s);

/* The key of a template proof: in0 (registers) for class cls against sp's entry of its opcode
 * under `reading`, emitted with features f (CPU-feature variant `variant`). False when the code
 * cannot be made (then the proof says why). */
bool tv_store_key_template(const tv_store *s, const sem_spec *sp, const pvm_inst *in0, jit_imm_class cls,
                           int variant, jit_features f, uint8_t reading, tv_key *k);
/* The key of a fusion item (tv_prove_fused): the pair as laid out, the head's X & 63, the fused
 * code, both spec entries. */
bool tv_store_key_fused(const tv_store *s, const sem_spec *sp, const pvm_inst *a, const pvm_inst *b, int variant,
                        jit_features f, uint8_t reading, tv_key *k);
/* The key of a proof over a whole test program p (its blob bytes[0..len)): the gas region at 0
 * (`dispatch` false) or the dispatcher of the dynamic jump in (true), against sp's entries of
 * every instruction in p under `reading`. False when the code cannot be compiled. */
bool tv_store_key_program(const tv_store *s, const sem_spec *sp, const pvm_program *p, const uint8_t *bytes,
                          size_t len, const pvm_inst *in, bool dispatch, int variant, jit_features f,
                          uint8_t reading, tv_key *k);
/* The key of a trampoline proof: part `part` of t (bytes, offsets, the stubs' immediate fields)
 * for revision isa, variant and reading (the query reads nothing else but the identity). */
void tv_store_key_tramp(const tv_store *s, const jit_tramp *t, int part, uint8_t isa, int variant, uint8_t reading,
                        tv_key *k);
/* prove's keys. A program's digest: the store's identity, p (code, bitmask, jump table, revision),
 * the features, the reading, the digest of jit/'s source and the active mutant (any: the linking
 * proof reads the whole program as jit/ compiles it) and the options that change the proofs
 * (whole_block, no_cross_check, memo). A block's key: that digest, its pc and sp's entries of the instructions
 * of its gas region (pc up to the first that ends a region: the only entries its proofs read). */
void tv_store_program_digest(const tv_store *s, const sem_spec *sp, const pvm_program *p, int variant, jit_features f,
                             uint8_t reading, bool whole_block, bool no_cross_check, bool memo, uint8_t out[32]);
void tv_store_key_block(const uint8_t digest[32], const sem_spec *sp, const pvm_program *p, uint32_t pc,
                        uint8_t reading, tv_key *k);

/* The key of validate's concrete fallback of an item (`kind`: fault, gas, host) of instruction in,
 * class cls: its `states` states drawn from `seed`. */
bool tv_store_key_fallback(const tv_store *s, const sem_spec *sp, const char *kind, const pvm_inst *in,
                           jit_imm_class cls, int variant, jit_features f, uint8_t reading, uint64_t seed,
                           unsigned states, tv_key *k);
/* Does the entry of k hold AGREED? (counted apart from tv_store_get's) */
bool tv_store_get_agreed(tv_store *s, const tv_key *k);
/* A FALLBACK-AGREE verdict of `states` states taken from the store into res (nothing run). */
tv_verdict tv_store_reused_agreed(tv_result *res, unsigned states);
/* Record res's FALLBACK-AGREE verdict under k. */
void tv_store_put_agreed(tv_store *s, const tv_key *k, const tv_result *res);
/* A PROVED verdict taken from the store into res (no solver call): returns TV_PROVED. */
tv_verdict tv_store_reused(tv_result *res);
/* Record the PROVED verdict of res under k, with a line naming the item. */
void tv_store_put_result(tv_store *s, const tv_key *k, const tv_result *res);
#endif
