/* fuzz/fuzz.h: what the fuzz targets share: the libFuzzer entry points every target defines, and
 * the differential target's input decoding (fuzz/gen.c), also used by fuzz/tool.c to turn w3f
 * vectors into seed inputs. */
#ifndef JITPROOF_FUZZ_H
#define JITPROOF_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The text targets' input as a file is read: a NUL-terminated copy (NULL: no memory; free it). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text) return NULL;
	memcpy(text, data, size);
	text[size] = 0;
	return text;
}

/* The differential target's input -> a program blob, the revision it is in and an initial state
 * (always succeeds for structured inputs; a raw input whose blob does not decode gives false).
 * Byte 0 selects the revision, GP 0.8.0 when its bit 1 is set (else GP 0.7.2: what every input
 * written before both were fuzzed meant), and by its bit 0 the form:
 *   even: structured. Byte 1 gas class; 13 register selectors; jump-table size and entries; then
 *         instructions of 6+ bytes each (opcode index, register fields 0..15, immediate selectors,
 *         target index), at most FUZZ_MAX_INSTS; every opcode and operand is valid (targets
 *         mostly basic-block starts, sometimes any instruction, past the code or inside an
 *         instruction), immediates favour edge values and addresses in the mapped pages.
 *   odd:  raw. 2 bytes gas (LE), 13 x 8 bytes registers (LE), 64 bytes of memory at 0x20000,
 *         then a §2 blob (what fuzz-tool writes from a w3f vector).
 * Memory: 0x20000-0x21fff writable, 0x22000-0x22fff read-only, filled with pseudo-random bytes
 * and the first 64 input bytes (raw: the 64 given bytes) at 0x20000; the rest unmapped. */
enum { FUZZ_MAX_INSTS = 64, FUZZ_RW = 0x20000, FUZZ_RO = 0x22000 };
typedef struct fuzz_case {
	pvm_isa isa;
	uint8_t *blob;
	size_t blob_len;
	pvm_state init;
} fuzz_case;
bool fuzz_decode(const uint8_t *data, size_t size, fuzz_case *fc);
void fuzz_case_fini(fuzz_case *fc);
/* The raw form of (revision, blob, regs, gas, 64 bytes at 0x20000). Caller frees *out. */
void fuzz_encode_raw(pvm_isa isa, const uint8_t *blob, size_t blob_len, const uint64_t regs[PVM_NUM_REGS],
                     uint16_t gas, const uint8_t mem[64], uint8_t **out, size_t *len);
#endif
