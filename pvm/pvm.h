/* pvm/pvm.h: the JAM PVM machine definition shared by every engine and tool.
 * Opcode table, blob decoding (deblob, ISA-NOTES §2-4), the standard program container (§8),
 * sparse paged memory, machine state and exits, the w3f vector format, the assembler, and the
 * engine interface that the interpreter, the JIT and the spec evaluator all implement.
 * Semantics decisions: ../shared/DESIGN.md § PVM semantics decisions (the vectors decide). */
#ifndef JITPROOF_PVM_H
#define JITPROOF_PVM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- status and errors ------------------------------------------------------------------ */

typedef enum pvm_err {
	PVM_OK = 0,
	PVM_EINVAL,  /* malformed input: blob, container, vector, assembly (detail in the err buffer) */
	PVM_EIO,     /* a file could not be read or written */
	PVM_ENOMEM,  /* allocation failed (only modules not yet on pvm_xmalloc: see README § Errors) */
} pvm_err;

/* Detail text for a failed call: "FILE:POS: reason". Every function that takes a pvm_errbuf
 * fills it when it returns non-PVM_OK; callers print it as one line and exit 2. */
typedef struct pvm_errbuf { char msg[512]; } pvm_errbuf;
void pvm_errf(pvm_errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The one formatter of a text position: "FILE:LINE:COL: reason" (line and col 1-based). */
void pvm_errf_at(pvm_errbuf *e, const char *file, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void pvm_verrf_at(pvm_errbuf *e, const char *file, size_t line, size_t col, const char *fmt, va_list ap);
const char *pvm_strerror(pvm_err err);
/* Heap allocation that does not fail: when the host is out of memory they print
 * "jitproof: out of memory (N bytes)" on stderr and abort (README § Errors: the one out-of-memory
 * policy). A size of 0 allocates 1 byte, so the result is never NULL. */
void *pvm_xmalloc(size_t n);
void *pvm_xcalloc(size_t n, size_t size);
void *pvm_xrealloc(void *p, size_t n);
char *pvm_xstrdup(const char *s);
/* The same end for an allocation another library reports failed (n: bytes, 0 if unknown). */
void pvm_out_of_memory(size_t n) __attribute__((noreturn));

/* ---- opcodes ---------------------------------------------------------------------------- */

enum pvm_form {
	PVM_FORM_NONE,        /* 0-2 */
	PVM_FORM_IMM,         /* 10:      X */
	PVM_FORM_REG_IMM64,   /* 20:      rA, X (8 bytes) */
	PVM_FORM_IMM2,        /* 30-33:   X, Y */
	PVM_FORM_OFF,         /* 40:      target */
	PVM_FORM_REG_IMM,     /* 50-62:   rA, X */
	PVM_FORM_REG_IMM2,    /* 70-73:   rA, X, Y */
	PVM_FORM_REG_IMM_OFF, /* 80-90:   rA, X, target */
	PVM_FORM_REG2,        /* 100-111: rD, rA */
	PVM_FORM_REG2_IMM,    /* 120-161: rA, rB, X */
	PVM_FORM_REG2_OFF,    /* 170-175: rA, rB, target */
	PVM_FORM_REG2_IMM2,   /* 180:     rA, rB, X, Y */
	PVM_FORM_REG3,        /* 190-230: rA, rB, rD */
	PVM_FORM_COUNT
};

enum { PVM_T = 1, PVM_LD = 2, PVM_ST = 4 };

typedef enum pvm_opcode {
#define PVM_OP(name, code, form, flags) PVM_OP_##name = code,
#include "opcodes.def"
#undef PVM_OP
} pvm_opcode;

enum { PVM_NUM_OPCODES = 139, PVM_NUM_REGS = 13 };

typedef struct pvm_opinfo {
	const char *name;      /* GP name, NULL for undefined codes */
	uint8_t form;          /* enum pvm_form */
	uint8_t flags;         /* PVM_T | PVM_LD | PVM_ST */
} pvm_opinfo;

extern const pvm_opinfo pvm_ops[256]; /* indexed by opcode byte */
extern const uint8_t pvm_op_list[PVM_NUM_OPCODES]; /* the 139 codes in ascending order */
int pvm_op_by_name(const char *name); /* opcode or -1 */
static inline bool pvm_op_valid(unsigned code) { return code < 256 && pvm_ops[code].name; }
static inline bool pvm_op_is_term(unsigned code) { return pvm_ops[code].flags & PVM_T; }
/* Which register fields an operand layout uses: bit 0 ra, bit 1 rb, bit 2 rd. */
static inline unsigned pvm_form_regs(unsigned form)
{
	switch (form) {
	case PVM_FORM_REG_IMM64: case PVM_FORM_REG_IMM: case PVM_FORM_REG_IMM2: case PVM_FORM_REG_IMM_OFF:
		return 1;
	case PVM_FORM_REG2: return 1 | 4;
	case PVM_FORM_REG2_IMM: case PVM_FORM_REG2_OFF: case PVM_FORM_REG2_IMM2: return 1 | 2;
	case PVM_FORM_REG3: return 1 | 2 | 4;
	default: return 0;
	}
}

/* ---- decoded instructions and programs --------------------------------------------------- */

/* One decoded instruction (ISA-NOTES §4). Register fields are already clamped to 0..12.
 * Field use by form: ra/rb/rd as named in opcodes.def; imm = X, imm2 = Y (both already
 * sign-extended to 64 bits, except load_imm_64's full 8-byte X); target = absolute branch
 * target (pc + offset, mod 2^32) for OFF / REG_IMM_OFF / REG2_OFF. */
typedef struct pvm_inst {
	uint8_t op;            /* opcode; an undefined byte or a position with bitmask bit 0 → trap */
	uint8_t ra, rb, rd;
	uint32_t pc;           /* this instruction's pc */
	uint32_t next;         /* pc + 1 + skip(pc) */
	uint32_t target;
	uint64_t imm, imm2;
} pvm_inst;

/* A deblobbed program. Positions 0..code_len are decoded (code_len is the implicit trap past
 * the end); any pc > code_len also executes as trap. */
typedef struct pvm_program {
	uint8_t *code;         /* code_len bytes */
	uint32_t code_len;
	uint8_t *bitmask;      /* ceil(code_len/8) bytes, LSB first */
	uint32_t *jump_table;  /* jt_len entries: target pcs */
	uint32_t jt_len;
	uint8_t jt_width;      /* z: bytes per jump-table entry */
	pvm_inst *inst;        /* code_len + 1 entries, indexed by pc */
	uint8_t *is_start;     /* code_len + 1: 1 if an instruction starts here (bitmask bit, or code_len) */
	uint8_t *is_block;     /* code_len + 1: 1 if pc is a basic-block start (ϖ) */
	uint32_t *gas_cost;    /* code_len + 1: cost of the gas region entered at this pc: instructions
	                          from pc up to and including the first terminator or ecalli */
} pvm_program;

/* Decode a §2 blob. `name` is used in error messages ("name: offset N: reason"). */
pvm_err pvm_program_decode(pvm_program *p, const uint8_t *blob, size_t len, const char *name,
                           pvm_errbuf *e);
void pvm_program_fini(pvm_program *p);
/* Re-encode a program as a §2 blob (byte-identical to the decoded input). Caller frees *out. */
pvm_err pvm_program_encode(const pvm_program *p, uint8_t **out, size_t *len);
/* Decode the instruction at pc (used by decode, exposed for the disassembler and tests). */
pvm_inst pvm_decode_at(const pvm_program *p, uint32_t pc);
/* Instruction at pc for execution: trap for pc > code_len. */
static inline const pvm_inst *pvm_inst_at(const pvm_program *p, uint32_t pc)
{
	extern const pvm_inst pvm_trap_inst;
	return pc <= p->code_len ? &p->inst[pc] : &pvm_trap_inst;
}

/* GP variable-length natural E(x) (§2). decode returns bytes consumed or 0 on error. */
size_t pvm_varint_encode(uint64_t x, uint8_t out[9]);
size_t pvm_varint_decode(const uint8_t *in, size_t len, uint64_t *x);
/* X_n: sign-extend the low n bytes (n in 0..8) to 64 bits. */
static inline uint64_t pvm_sext(uint64_t x, unsigned n)
{
	if (n == 0) return 0;
	if (n >= 8) return x;
	unsigned s = 64 - 8 * n;
	return (uint64_t)((int64_t)(x << s) >> s);
}

/* ---- memory ------------------------------------------------------------------------------ */

enum { PVM_PAGE = 4096, PVM_PAGE_SHIFT = 12, PVM_NUM_PAGES = 1u << 20, PVM_LOW_LIMIT = 0x10000 };
typedef enum pvm_perm { PVM_NONE = 0, PVM_READ = 1, PVM_WRITE = 3 /* readable and writable */ } pvm_perm;

/* Sparse paged 2^32-byte memory; mapped pages read as zero until written. */
typedef struct pvm_mem pvm_mem;
pvm_mem *pvm_mem_new(void);   /* never NULL (out of memory aborts) */
void pvm_mem_free(pvm_mem *m);
pvm_mem *pvm_mem_clone(const pvm_mem *m);
/* Map [addr, addr+len) (rounded out to pages) with perm; PVM_NONE unmaps. Existing bytes kept. */
void pvm_mem_map(pvm_mem *m, uint32_t addr, uint64_t len, pvm_perm perm);
pvm_perm pvm_mem_perm(const pvm_mem *m, uint32_t page);
/* Page data (4096 bytes) or NULL when unmapped. */
uint8_t *pvm_mem_page(pvm_mem *m, uint32_t page);
const uint8_t *pvm_mem_page_c(const pvm_mem *m, uint32_t page);
/* Calls fn for every mapped page in ascending order. */
void pvm_mem_each(const pvm_mem *m, void (*fn)(void *ctx, uint32_t page, pvm_perm perm,
                                              const uint8_t *data), void *ctx);
/* Raw access ignoring permissions (setup, tests); bytes wrap mod 2^32; false if a page is unmapped. */
bool pvm_mem_poke(pvm_mem *m, uint32_t addr, const void *src, uint32_t len);
bool pvm_mem_peek(const pvm_mem *m, uint32_t addr, void *dst, uint32_t len);
/* Guest access check for n bytes at addr (wrapping mod 2^32): returns true when every byte is
 * readable (or writable if write); otherwise false and *fault = lowest offending address. */
bool pvm_mem_check(const pvm_mem *m, uint32_t addr, uint32_t n, bool write, uint32_t *fault);
/* Engines' fast path: pointer to n bytes at addr when they lie in one page with the needed
 * permission (write: the page becomes privately owned), else NULL (use pvm_mem_check). */
uint8_t *pvm_mem_ptr(pvm_mem *m, uint32_t addr, uint32_t n, bool write);
/* First difference between two memories (perm or byte), in ascending address order.
 * Returns false when equal; else fills addr and the two byte values (or -1 for unmapped). */
bool pvm_mem_diff(const pvm_mem *a, const pvm_mem *b, uint32_t *addr, int *va, int *vb);

/* ---- machine state and exits -------------------------------------------------------------- */

typedef enum pvm_status {
	PVM_HALT, PVM_PANIC, PVM_OOG, PVM_FAULT, PVM_HOST,
} pvm_status;
const char *pvm_status_name(pvm_status s); /* "halt", "panic", "out-of-gas", "page-fault", "host-call" */
int pvm_status_by_name(const char *s);     /* or -1 */

typedef struct pvm_state {
	uint64_t regs[PVM_NUM_REGS];
	uint32_t pc;
	int64_t gas;
	pvm_mem *mem;          /* owned by the state */
	uint32_t heap_base;    /* sbrk: h (0 without a container) */
	uint32_t heap_top;     /* sbrk: current end of the heap (starts at heap_base) */
} pvm_state;

void pvm_state_init(pvm_state *s);            /* zeroed, empty memory */
void pvm_state_fini(pvm_state *s);
void pvm_state_copy(pvm_state *dst, const pvm_state *src); /* deep copy (dst uninitialised) */
/* sbrk (opcode 101) for every engine: size 0 returns heap_top unchanged; otherwise the lowest
 * x >= max(heap_base, 0x10000) such that [x, x+size) holds no mapped byte is mapped writable
 * (rounded out to pages), heap_top = max(heap_top, x+size), returns x; 0 if nothing fits. */
uint64_t pvm_sbrk(pvm_state *s, uint64_t size);

/* Exit record. On every exit state->pc is the pc of the exiting instruction (for out-of-gas:
 * the region entry); registers/memory are as DESIGN.md says. For PVM_HOST, resume by setting
 * state->pc = exit.next and running again. */
typedef struct pvm_exit {
	pvm_status status;
	uint32_t fault_addr;   /* PVM_FAULT: page start of the lowest offending address */
	uint32_t host_id;      /* PVM_HOST: ecalli immediate */
	uint32_t next;         /* PVM_HOST: pc to resume at */
} pvm_exit;

/* Compare two final states and exits as `replay` does: exit reason, pc, the 13 registers, gas,
 * fault address / host id, every page's permission and every byte. Returns true if identical;
 * otherwise writes one line naming the first difference with both values, e.g.
 * "interp{exit=halt r7=0x5} vs jit{exit=halt r7=0x6}" (names a and b label the two sides). */
bool pvm_state_compare(const char *a, const pvm_state *sa, pvm_exit xa,
                       const char *b, const pvm_state *sb, pvm_exit xb, char *why, size_t n);

/* ---- engines ----------------------------------------------------------------------------- */

/* Every engine (interp, jit, spec) implements this. load() prepares a program once (pre-decode,
 * compile); run() executes from state->pc until an exit, mutating *state; free() releases. */
typedef struct pvm_engine {
	const char *name;
	void *(*load)(const pvm_program *p, pvm_errbuf *e);
	pvm_exit (*run)(void *prepared, pvm_state *state);
	void (*free)(void *prepared);
} pvm_engine;

/* ---- standard program container (§8) ----------------------------------------------------- */

/* Parse a standard program blob, decode its code into *p and build the initial state (memory
 * layout, registers, heap) with the given argument bytes. */
pvm_err pvm_container_load(const uint8_t *blob, size_t len, const uint8_t *args, size_t args_len,
                           const char *name, pvm_program *p, pvm_state *s, pvm_errbuf *e);

/* ---- w3f test vectors -------------------------------------------------------------------- */

typedef struct pvm_chunk { uint32_t address; uint32_t len; uint8_t *data; } pvm_chunk;
typedef struct pvm_pagemap { uint32_t address; uint32_t length; bool writable; } pvm_pagemap;

typedef struct pvm_vector {
	char *name;
	uint64_t initial_regs[PVM_NUM_REGS];
	uint32_t initial_pc;
	pvm_pagemap *page_map; size_t n_page_map;
	pvm_chunk *initial_mem; size_t n_initial_mem;
	int64_t initial_gas;
	uint8_t *program; size_t program_len;
	pvm_status expected_status;
	uint64_t expected_regs[PVM_NUM_REGS];
	uint32_t expected_pc;
	pvm_chunk *expected_mem; size_t n_expected_mem;
	int64_t expected_gas;
	bool has_fault_addr; uint32_t expected_fault_addr;  /* expected-page-fault-address */
	bool has_host_id; uint32_t expected_host_id;        /* expected-host-call-id (extension) */
	bool has_expected;     /* expected-* fields present (a .pvmasm file may have none) */
} pvm_vector;

pvm_err pvm_vector_read(pvm_vector *v, const char *path, pvm_errbuf *e);
pvm_err pvm_vector_parse(pvm_vector *v, const char *text, size_t len, const char *name, pvm_errbuf *e);
pvm_err pvm_vector_write(const pvm_vector *v, FILE *out);
void pvm_vector_fini(pvm_vector *v);
/* Initial state of a vector (memory from page map + initial memory). */
void pvm_vector_initial_state(const pvm_vector *v, pvm_state *s);
/* Fill the expected-* fields from a final state and exit; expected-memory lists every mapped
 * page's bytes that are non-zero, as contiguous chunks (the w3f convention). */
void pvm_vector_set_expected(pvm_vector *v, const pvm_state *s, pvm_exit x);
/* Fill name (copied) and the initial-* fields from a state: page map = runs of pages with one
 * permission, initial-memory = the non-zero bytes as contiguous chunks. Heap fields are lost. */
void pvm_vector_set_initial(pvm_vector *v, const char *name, const pvm_state *s);
/* Compare a final state/exit with the expected-* fields. Returns true if equal; otherwise
 * writes one line naming the first differing field, e.g. "expected-regs[7]: want 0x.. got 0x..". */
bool pvm_vector_check(const pvm_vector *v, const pvm_state *s, pvm_exit x, char *why, size_t n);

/* ---- assembler / disassembler -------------------------------------------------------------- */

/* Assemble a .pvmasm text (format in README.md) into a vector whose initial-* fields and
 * program are set (expected-* left for the caller to fill by running an engine). */
pvm_err pvm_asm(const char *text, size_t len, const char *name, pvm_vector *out, pvm_errbuf *e);
/* Disassemble a program (and, if v != NULL, its initial state) as .pvmasm text. */
pvm_err pvm_disasm(const pvm_program *p, const pvm_vector *v, FILE *out);

/* ---- files -------------------------------------------------------------------------------- */

/* Read a whole file. Caller frees *buf. */
pvm_err pvm_read_file(const char *path, uint8_t **buf, size_t *len, pvm_errbuf *e);

#endif
