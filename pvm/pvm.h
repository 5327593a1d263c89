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
#include <string.h>

/* ---- status and errors ------------------------------------------------------------------ */

typedef enum pvm_err {
	PVM_OK = 0,
	PVM_EINVAL,  /* malformed input: blob, container, vector, assembly (detail in the err buffer) */
	PVM_EIO,     /* a file could not be read or written */
	PVM_ENOMEM,  /* kept for API stability: no allocation returns it (pvm_xmalloc aborts; README § Errors) */
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

/* ---- the instruction table (pvm/opcodes.def, pvm/forms.def) ------------------------------- */

/* ISA revisions. Only the byte -> instruction map and the gas rules differ between them. */
typedef enum pvm_isa { PVM_ISA_072, PVM_ISA_080, PVM_ISA_COUNT } pvm_isa;
const char *pvm_isa_name(pvm_isa isa);    /* "0.7.2", "0.8.0" */
int pvm_isa_by_name(const char *name);    /* or -1 */

enum pvm_form {
#define PVM_FORM(id, b1_lo, b1_hi, b2, f1, f1_len, f2) PVM_FORM_##id,
#include "forms.def"
#undef PVM_FORM
	PVM_FORM_COUNT
};
/* Roles of the fields of a form row (forms.def). */
enum pvm_frole { PVM_FR_NOB, PVM_FR_IGN, PVM_FR_A, PVM_FR_B, PVM_FR_D, PVM_FR_LX,
                 PVM_FR_NOF, PVM_FR_X, PVM_FR_Y, PVM_FR_T, PVM_FR_REST, PVM_FR_LEN, PVM_FR_EIGHT };
/* Operand header bytes of a form row (pvm_forminfo.header): 2 with a b2 byte, 1 with a byte 1. */
#define PVM_FORM_HEADER(b1_lo, b2) ((b2) != PVM_FR_NOB ? 2 : (b1_lo) != PVM_FR_NOB ? 1 : 0)
typedef struct pvm_forminfo {
	const char *name;
	uint8_t b1_lo, b1_hi, b2, f1, f1_len, f2; /* enum pvm_frole */
	uint8_t header;        /* operand header bytes before the variable fields (0..2) */
	uint8_t regs;          /* register operands: bit 0 rA, bit 1 rB, bit 2 rD */
} pvm_forminfo;
extern const pvm_forminfo pvm_forms[PVM_FORM_COUNT];
/* The form's operands in assembly order: a subset of "DABXYT" in that order. */
const char *pvm_form_operands(unsigned form);

/* How an instruction continues (opcodes.def `ctl`). */
enum pvm_ctl { PVM_CTL_NEXT, PVM_CTL_HOST, PVM_CTL_TRAP, PVM_CTL_FALL, PVM_CTL_JUMP, PVM_CTL_DJUMP,
               PVM_CTL_BRANCH };
/* Memory access (opcodes.def `acc`). */
enum pvm_acc { PVM_ACC_NOMEM, PVM_ACC_LOAD, PVM_ACC_LOADS, PVM_ACC_STORE };

/* The ISA-independent instruction ids: the rows of opcodes.def in order. */
typedef enum pvm_opcode {
#define PVM_OP(name, v072, v080, form, ctl, acc, width) PVM_OP_##name,
#include "opcodes.def"
#undef PVM_OP
	PVM_NUM_OPS
} pvm_opcode;

enum { PVM_NUM_OPCODES = 139 /* instructions in each revision */, PVM_NUM_REGS = 13 };

typedef struct pvm_opinfo {
	const char *name;      /* GP name */
	uint8_t form;          /* enum pvm_form */
	uint8_t ctl;           /* enum pvm_ctl */
	uint8_t acc;           /* enum pvm_acc */
	uint8_t width;         /* bytes accessed (0 without memory access) */
	int16_t code[PVM_ISA_COUNT]; /* opcode byte per revision, -1 where absent */
} pvm_opinfo;

extern const pvm_opinfo pvm_ops[PVM_NUM_OPS];         /* indexed by pvm_opcode */
/* The 139 instructions of a revision, in ascending opcode-byte order. */
const uint8_t *pvm_isa_ops(pvm_isa isa);
/* The instruction an opcode byte means in a revision, or -1 when it means none. */
extern const uint8_t pvm_byte_map[PVM_ISA_COUNT][257]; /* byte -> 1 + pvm_opcode, 0: none */
static inline int pvm_op_decode(pvm_isa isa, unsigned byte) { return byte < 256 ? pvm_byte_map[isa][byte] - 1 : -1; }
int pvm_op_by_name(const char *name);                 /* pvm_opcode or -1 */
/* The opcode byte of op in revision isa (op must be in it: see pvm_op_in). */
static inline uint8_t pvm_byte(pvm_isa isa, unsigned op) { return (uint8_t)pvm_ops[op].code[isa]; }
static inline bool pvm_op_in(pvm_isa isa, unsigned op) { return op < PVM_NUM_OPS && pvm_ops[op].code[isa] >= 0; }
/* A block terminator (T, A.5): ends a basic block. */
static inline bool pvm_op_is_term(unsigned op) { return pvm_ops[op].ctl >= PVM_CTL_TRAP; }
/* Execution may continue at the next instruction (not trap, jump, djump). */
static inline bool pvm_op_falls(unsigned op)
{
	unsigned c = pvm_ops[op].ctl;
	return c == PVM_CTL_NEXT || c == PVM_CTL_HOST || c == PVM_CTL_FALL || c == PVM_CTL_BRANCH;
}
/* Ends a GP 0.7.2 gas region: a terminator or a host call (DESIGN.md, gas). */
static inline bool pvm_op_ends_region(unsigned op) { return pvm_op_is_term(op) || pvm_ops[op].ctl == PVM_CTL_HOST; }
static inline bool pvm_op_is_load(unsigned op) { return pvm_ops[op].acc == PVM_ACC_LOAD || pvm_ops[op].acc == PVM_ACC_LOADS; }
static inline bool pvm_op_is_store(unsigned op) { return pvm_ops[op].acc == PVM_ACC_STORE; }
/* Which register fields an operand layout uses: bit 0 ra, bit 1 rb, bit 2 rd. */
static inline unsigned pvm_form_regs(unsigned form) { return pvm_forms[form].regs; }

/* The operand fields of one instruction, read or written through its form row (pvm/fields.c,
 * the one field decoder of deblob, the assembler and the disassembler). */
typedef struct pvm_fields {
	uint8_t ra, rb, rd;    /* register fields as encoded (0..15; rD of REG3 0..255) */
	uint64_t x, y;         /* X, Y sign-extended (EIGHT: all 8 bytes) */
	uint32_t off;          /* T: the offset (target = pc + off mod 2^32) */
	uint8_t wx, wy, wt;    /* byte lengths of the variable fields X, Y, T (EIGHT: wx = 0) */
} pvm_fields;
/* Decode the operands at code[at..] (bytes at or past `len` read as 0) of an instruction of
 * `form` whose skip is l. Returns the bytes the instruction occupies by its own fields: 1 (the
 * opcode) + header + field lengths. */
unsigned pvm_fields_decode(unsigned form, const uint8_t *code, uint64_t len, uint64_t at, uint32_t l,
                           pvm_fields *f);
/* Encode opcode byte `byte` and f's operands into out (at most PVM_FIELDS_MAXLEN bytes). Returns
 * the length, or 0 when a value does not fit its field width (*why says which). */
enum { PVM_FIELDS_MAXLEN = 16 };
unsigned pvm_fields_encode(unsigned form, uint8_t byte, const pvm_fields *f, uint8_t *out,
                           const char **why);

/* ---- decoded instructions and programs --------------------------------------------------- */

/* One decoded instruction (ISA-NOTES §4). Register fields are already clamped to 0..12.
 * Field use by form: ra/rb/rd as named in opcodes.def; imm = X, imm2 = Y (both already
 * sign-extended to 64 bits, except load_imm_64's full 8-byte X); target = absolute branch
 * target (pc + offset, mod 2^32) for OFF / REG_IMM_OFF / REG2_OFF. */
typedef struct pvm_inst {
	uint8_t op;            /* pvm_opcode; an undefined byte or a position with bitmask bit 0 → trap */
	uint8_t ra, rb, rd;
	uint32_t pc;           /* this instruction's pc */
	uint32_t next;         /* pc + 1 + skip(pc) */
	uint32_t target;
	uint64_t imm, imm2;
} pvm_inst;

enum { PVM_CODE_PAD = 24 }; /* zero bytes deblob keeps past the code: it reads fields in place */
/* A deblobbed program. Positions 0..code_len are decoded (code_len is the implicit trap past
 * the end); any pc > code_len also executes as trap. */
typedef struct pvm_program {
	pvm_isa isa;           /* the revision its bytes were decoded with */
	uint8_t *code;         /* code_len bytes (deblob's: then PVM_CODE_PAD zero bytes) */
	uint32_t code_len;
	uint8_t *bitmask;      /* ceil(code_len/8) bytes, LSB first, zero-padded to whole 64-bit words */
	uint32_t *jump_table;  /* jt_len entries: target pcs */
	uint32_t jt_len;
	uint8_t jt_width;      /* z: bytes per jump-table entry */
	pvm_inst *inst;        /* code_len + 1 entries, indexed by pc */
	uint8_t *is_start;     /* code_len + 1: 1 if an instruction starts here (bitmask bit, or code_len) */
	uint8_t *is_block;     /* code_len + 1: 1 if pc is a basic-block start (ϖ) */
	uint32_t *gas_cost;    /* code_len + 1: the gas charged when execution enters at this pc.
	                          0.7.2: cost of the gas region (instructions from pc up to and
	                          including the first terminator or ecalli). 0.8.0: the block cost
	                          ϱΔ(L(pc)) of the block holding pc (§4, §6); 0 at code_len */
	char invalid[96];      /* 0.8.0: why deblob's prevalidation (§3) rejects the blob ("pc N:
	                          reason"), "" if it does not; such a program panics on its first
	                          step without charging gas */
	bool regular;          /* 0 starts an instruction, every start holds a defined opcode and every
	                          skip is at most 24 (a valid 0.8.0 blob is; deblob tells for any):
	                          then the start before a block start is a terminator */
} pvm_program;

/* Decode a §2 blob with revision isa. `name` is used in error messages ("name: offset N: reason").
 * pvm_program_decode decodes as GP 0.7.2. A blob that does not split (§2) is PVM_EINVAL; a 0.8.0
 * blob that splits but fails prevalidation (§3) decodes, with p->invalid non-empty. */
pvm_err pvm_program_decode_isa(pvm_program *p, pvm_isa isa, const uint8_t *blob, size_t len,
                               const char *name, pvm_errbuf *e);
pvm_err pvm_program_decode(pvm_program *p, const uint8_t *blob, size_t len, const char *name,
                           pvm_errbuf *e);
/* The same with decode flags. PVM_DECODE_POLKAVM_END is the one switch for ISA-NOTES-0.8 §10.1:
 * also reject (p->invalid) a 0.8.0 blob whose last instruction can fall through, as PolkaVM HEAD
 * does; the GP text accepts it. */
enum { PVM_DECODE_POLKAVM_END = 1,
       /* deblob's general walk alone (for the tests: the reference its walk of valid 0.8.0 blobs
        * is held to; the same program either way) */
       PVM_DECODE_GENERAL = 2 };
pvm_err pvm_program_decode_flags(pvm_program *p, pvm_isa isa, unsigned flags, const uint8_t *blob,
                                 size_t len, const char *name, pvm_errbuf *e);
void pvm_program_fini(pvm_program *p);
/* Re-encode a program as a §2 blob (byte-identical to the decoded input). Caller frees *out. */
pvm_err pvm_program_encode(const pvm_program *p, uint8_t **out, size_t *len);
/* The positions with is_start set, in increasing order: the instruction starts, then code_len
 * (returned for ever after). pvm_starts it = pvm_starts_of(p); pc = pvm_starts_next(&it) ...
 * Pops the set bits of the bitmask one word at a time. */
typedef struct pvm_starts { const pvm_program *p; size_t w, nw; uint64_t x; } pvm_starts;
static inline pvm_starts pvm_starts_of(const pvm_program *p)
{
	return (pvm_starts){ p, SIZE_MAX, ((size_t)p->code_len + 63) >> 6, 0 };
}
static inline uint32_t pvm_starts_next(pvm_starts *it)
{
	while (!it->x) {
		if (++it->w >= it->nw) {
			it->w = it->nw;
			return it->p->code_len;
		}
		memcpy(&it->x, it->p->bitmask + 8 * it->w, 8); /* (padding bits past code_len are 0) */
	}
	uint32_t s = (uint32_t)(64 * it->w + (unsigned)__builtin_ctzll(it->x));
	it->x &= it->x - 1;
	return s;
}
/* The positions with is_start set: the instruction starts and code_len. */
uint32_t pvm_count_starts(const pvm_program *p);
/* Decode the instruction at pc (used by decode, exposed for the disassembler and tests). */
pvm_inst pvm_decode_at(const pvm_program *p, uint32_t pc);
/* Instruction at pc for execution: trap for pc > code_len. */
static inline const pvm_inst *pvm_inst_at(const pvm_program *p, uint32_t pc)
{
	extern const pvm_inst pvm_trap_inst;
	return pc <= p->code_len ? &p->inst[pc] : &pvm_trap_inst;
}

/* ---- the GP 0.8.0 gas cost model (pvm/cost.c, ISA-NOTES-0.8 §6) ------------------------- */

enum pvm_cost_rw { PVM_RW_NONE, PVM_RW_WA, PVM_RW_RA, PVM_RW_RA_WD, PVM_RW_RAB, PVM_RW_RB_WA,
                   PVM_RW_RAB_WD };
enum pvm_cost_dkind { PVM_D_FIX, PVM_D_P, PVM_D_PS };
enum { PVM_CYC_MEM = 255, PVM_CYC_BRANCH = 254, PVM_MEM_LATENCY = 25 };
/* One row of cost.def. */
typedef struct pvm_costinfo {
	uint8_t defined;       /* 1 for the 139 0.8.0 instructions */
	uint8_t rw;            /* enum pvm_cost_rw */
	uint8_t cycles;        /* latency, or PVM_CYC_MEM / PVM_CYC_BRANCH */
	uint8_t dkind, d1, d2; /* decode slots (enum pvm_cost_dkind) */
	uint8_t units[5];      /* ALU, load, store, mul, div */
} pvm_costinfo;
extern const pvm_costinfo pvm_costs[PVM_NUM_OPS]; /* indexed by pvm_opcode */
/* ϱΔ(c, k, s): the gas cost of the block starting at pc s of a 0.8.0 program,
 * max(cycles - 3, 1) of the pipeline simulation (A.48-A.60). s need not be in ϖ: the simulation
 * runs from s to the first terminator, as the formula does. */
uint32_t pvm_block_cost(const pvm_program *p, uint32_t s);
/* The same by the cycle-by-cycle simulation alone (A.54-A.60 step by step; no fast path, no memo):
 * the reference the tests hold the faster ways to. */
uint32_t pvm_block_cost_sim(const pvm_program *p, uint32_t s);
/* The same for many block starts of one program (deblob): a block whose instructions are, in
 * order, those of a block already asked about (opcode, registers and model latency alike:
 * everything the simulation reads) gets that block's cost without a simulation. */
typedef struct pvm_cost_memo pvm_cost_memo;
pvm_cost_memo *pvm_cost_memo_new(const pvm_program *p);
uint32_t pvm_block_cost_memo(pvm_cost_memo *m, uint32_t s);
void pvm_cost_memo_free(pvm_cost_memo *m);
/* L(pc) (A.6): the largest block start ≤ pc, or UINT32_MAX if there is none. */
uint32_t pvm_block_of(const pvm_program *p, uint32_t pc);

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
/* The first mapped page in [page, end] (end < PVM_NUM_PAGES), or end + 1 if there is none: a walk
 * of the tables' bitmaps (what is mapped, not the pages between). */
uint32_t pvm_mem_next_mapped(const pvm_mem *m, uint32_t page, uint32_t end);
/* The same for the first page that is not mapped. */
uint32_t pvm_mem_next_unmapped(const pvm_mem *m, uint32_t page, uint32_t end);
/* Page data (4096 bytes) or NULL when unmapped. */
uint8_t *pvm_mem_page(pvm_mem *m, uint32_t page);
const uint8_t *pvm_mem_page_c(const pvm_mem *m, uint32_t page);
/* Calls fn for every mapped page in ascending order. */
/* A mapped page's data (as pvm_mem_each passes it) is the shared zero page: never written, all zero. */
bool pvm_mem_page_untouched(const uint8_t *data);
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
	PVM_LIMIT, /* not the PVM's: the engine stopped a run that outlived the thread's run limit
	              (pvm_set_run_limit); the state is then undefined. Never in a vector. */
} pvm_status;
/* "halt", "panic", "out-of-gas", "page-fault", "host-call"; PVM_LIMIT "time-limit" */
const char *pvm_status_name(pvm_status s);
int pvm_status_by_name(const char *s);     /* a PVM exit's name (not "time-limit"), or -1 */

typedef struct pvm_state {
	uint64_t regs[PVM_NUM_REGS];
	uint32_t pc;
	int64_t gas;
	pvm_mem *mem;          /* owned by the state */
	uint32_t heap_base;    /* sbrk: h (0 without a container) */
	uint32_t heap_top;     /* sbrk: current end of the heap (starts at heap_base) */
	uint32_t heap_limit;   /* grow_heap (0.8.0, §7): b * Z_P, one past the last page the
	                          read-write region may grow to (0 without a container) */
	bool gas_charged;      /* 0.8.0: the gas-charged flag g̃ (§4); false in a fresh state */
	uint8_t reading;       /* GP 0.7.2 readings (PVM_READING_*): 0 = jitproof's (the w3f vectors') */
} pvm_state;

/* The two things the GP 0.7.2 text leaves open, read differently by the peers (README § GP 0.7.2
 * readings; the switch is --reading). Bits of pvm_state.reading; every engine honours them.
 * - PVM_READING_GAS_INSN: gas is charged instruction by instruction (typeberry, anan-as): out of
 *   gas stops at the first instruction that cannot be paid, gas 0, registers as before it; a
 *   fault charges the instructions up to and including the faulting one. Without it (PolkaVM,
 *   the w3f vectors) a whole gas region is charged on entry.
 * - PVM_READING_SBRK_BREAK: sbrk moves a break pointer (heap_top, which a container starts at
 *   the end of its heap pages): it returns the old break and opens the pages up to the new one.
 *   Without it sbrk returns the lowest address from which the size is wholly unmapped. */
enum { PVM_READING_GAS_INSN = 1, PVM_READING_SBRK_BREAK = 2,
       PVM_READING_PEERS = PVM_READING_GAS_INSN | PVM_READING_SBRK_BREAK };
/* Parses a --reading value: "peers", "w3f", or comma-separated "gas:instruction", "gas:region",
 * "sbrk:break", "sbrk:unmapped" applied to *r (which holds the default). False on junk. */
bool pvm_reading_parse(const char *s, uint8_t *r);
const char *pvm_reading_name(uint8_t r); /* "peers", "w3f", "gas:instruction,sbrk:unmapped", ... */

void pvm_state_init(pvm_state *s);            /* zeroed, empty memory */
void pvm_state_fini(pvm_state *s);
void pvm_state_copy(pvm_state *dst, const pvm_state *src); /* deep copy (dst uninitialised) */
/* sbrk (GP 0.7.2) for every engine: size 0 returns heap_top unchanged; otherwise the lowest
 * x >= max(heap_base, 0x10000) such that [x, x+size) holds no mapped byte is mapped writable
 * (rounded out to pages), heap_top = max(heap_top, x+size), returns x; 0 if nothing fits. */
uint64_t pvm_sbrk(pvm_state *s, uint64_t size);
/* sbrk under PVM_READING_SBRK_BREAK (the peers' reading: anan-as assembly/memory.ts Memory.sbrk,
 * typeberry memory.ts Memory.sbrk): the size is the register's low 32 bits; *result = the break
 * heap_top; size 0 changes nothing; otherwise the break moves by size and the pages up to it
 * (rounded up to a page) become writable; a break that would pass the limit (the stack's start,
 * heap_limit + 2^16, for a container; 2^32 - 1 without one) changes nothing and returns false: the
 * instruction panics. Without a container (heap_top 0) the break starts at the end of the highest
 * writable page, at least 0x10000 (anan-as's raw-memory rule). */
bool pvm_sbrk_break(pvm_state *s, uint64_t size, uint64_t *result);
/* sbrk as the state's reading says, for every engine: false when it panics (break reading only). */
static inline bool pvm_sbrk_exec(pvm_state *s, uint64_t size, uint64_t *result)
{
	if (s->reading & PVM_READING_SBRK_BREAK) return pvm_sbrk_break(s, size, result);
	*result = pvm_sbrk(s, size);
	return true;
}

/* GP 0.8.0 host call ids (ISA-NOTES-0.8 §7): gas 0, grow_heap 1, every later one moved up by 1. */
enum { PVM_HOST_GAS = 0, PVM_HOST_GROW_HEAP = 1, PVM_GROW_HEAP_BASE = 100, PVM_GROW_HEAP_PAGE = 10 };
/* grow_heap (§7) on a state stopped at its ecalli: r7 = the wanted end page (exclusive) of the
 * read-write region [a, b) = [heap_base, heap_limit) / 4096; c = its writable pages. gas < 100:
 * returns false (out-of-gas; gas and r7 unchanged). Else if max(a, r7) <= b and gas >= 100 +
 * 10 * max(0, r7 - a - c): pages [a, max(a, r7)) become writable, that much gas is charged and
 * r7 = max(a + c, max(a, r7)); otherwise gas -= 100 and r7 = a + c. Returns true. */
bool pvm_grow_heap(pvm_state *s);

/* Exit record. On every exit state->pc is the pc of the exiting instruction (for out-of-gas:
 * the region entry); registers/memory are as DESIGN.md says. For PVM_HOST, resume by setting
 * state->pc = exit.next and running again. */
typedef struct pvm_exit {
	pvm_status status;
	uint32_t fault_addr;   /* PVM_FAULT: page start of the lowest offending address */
	uint32_t host_id;      /* PVM_HOST: ecalli immediate */
	uint32_t next;         /* PVM_HOST: pc to resume at */
} pvm_exit;
/* Whether exit x of a run of p is a grow_heap call the GP answers (a GP 0.8.0 program stopped at
 * an ecalli 1): the one test run, replay, lockstep and the case driver ask. */
bool pvm_host_is_grow_heap(const pvm_program *p, const pvm_exit *x);
/* The perturbing host, for tests: answers the host call x (status PVM_HOST) of s by changing every
 * register, the gas and memory, as a function of the state at the call only (two engines that
 * agree there get the same answer): r_i += 0xa5a5a5a5a5a5a5a5 + i (mod 2^64) for i = 0..12,
 * gas -= 17, and each of the first 8 bytes of the lowest writable page (if any) += 0xa5 (mod
 * 256), so that a second call does not undo the first; then s->pc = x->next. Less than 17 gas:
 * returns false, out of gas at the call (gas left negative, nothing else changed). `run` and
 * `replay --host perturb`, validate's host-resume items, the fuzz differential and
 * tests/asm/host_perturb.pvmasm answer with it. */
enum { PVM_PERTURB_GAS = 17 };
#define PVM_PERTURB_ADD 0xa5a5a5a5a5a5a5a5ull
bool pvm_host_perturb(pvm_state *s, const pvm_exit *x);

/* Compare two final states and exits as `replay` does: exit reason, pc, the 13 registers, gas,
 * fault address / host id, every page's permission and every byte. Returns true if identical;
 * otherwise writes one line naming the first difference with both values, e.g.
 * "interp{exit=halt r7=0x5} vs jit{exit=halt r7=0x6}" (names a and b label the two sides). */
bool pvm_state_compare(const char *a, const pvm_state *sa, pvm_exit xa,
                       const char *b, const pvm_state *sb, pvm_exit xb, char *why, size_t n);

/* ---- engines ----------------------------------------------------------------------------- */

/* A guest page whose host protection (an engine's sandbox) differs from a page map. */
typedef struct pvm_perm_diff {
	uint32_t addr;               /* page start */
	pvm_perm map, host;          /* the page map's permission, the sandbox's protection */
} pvm_perm_diff;
const char *pvm_perm_name(pvm_perm p); /* "none", "ro", "rw" */

/* Every engine (interp, jit, spec) implements this. load() prepares a program once (pre-decode,
 * compile); run() executes from state->pc until an exit, mutating *state; free() releases.
 * perm_check, NULL for engines without a host sandbox: compares the sandbox's page protections
 * with a page map. m NULL: the stops inside the last run (its start, each sbrk), each with the
 * run's own page map at that moment; m given: the last stop of the last run with m. True and
 * *d filled at the first difference. */
typedef struct pvm_engine {
	const char *name;
	void *(*load)(const pvm_program *p, pvm_errbuf *e);
	pvm_exit (*run)(void *prepared, pvm_state *state);
	void (*free)(void *prepared);
	bool (*perm_check)(const void *prepared, const pvm_mem *m, pvm_perm_diff *d);
} pvm_engine;
/* The thread's run limit: an engine that honours it (the JIT engines; the interpreter and the spec
 * engine always end, their gas bounds them) stops a run that has used more than ns of the thread's
 * CPU time and returns PVM_LIMIT. 0: no limit (the default). A JIT whose gas charges are wrong can
 * loop without end where the interpreter runs out of gas; the comparisons below see that as an
 * exit that differs instead of waiting for ever. */
void pvm_set_run_limit(uint64_t ns);
uint64_t pvm_run_limit(void);
/* The thread's CPU time in ns. */
uint64_t pvm_thread_ns(void);
/* One stop of a comparison: a runs, then b under a run limit of PVM_LIMIT_BASE_NS plus
 * PVM_LIMIT_FACTOR times a's CPU time (b's engine is never that much slower when it works: the
 * JIT is faster than the interpreter; 1 s first, for what each run pays once, ASan included); the
 * thread's own limit back after. What replay and the differential fuzz target run. */
enum { PVM_LIMIT_FACTOR = 100 };
#define PVM_LIMIT_BASE_NS 1000000000ull
uint64_t pvm_limit_after(uint64_t ns); /* that limit, after a's run took ns */
void pvm_run_pair(const pvm_engine *ea, void *pa, pvm_state *sa, pvm_exit *xa,
                  const pvm_engine *eb, void *pb, pvm_state *sb, pvm_exit *xb);
/* The permission comparison of replay and vectors at a stop, for each engine with a sandbox:
 * inside (the stops inside the run, which come before the state comparison) or not (the last
 * stop against the other side's page map, after it). false + one line
 * "a{perm[0x23000]=none} vs b{perm[0x23000]=rw}" at the first difference. */
bool pvm_perm_compare(const pvm_engine *ea, const void *pa, const pvm_state *sa,
                      const pvm_engine *eb, const void *pb, const pvm_state *sb, bool inside,
                      char *why, size_t n);

/* ---- standard program container (§8) ----------------------------------------------------- */

/* Parse a standard program blob, decode its code into *p and build the initial state (memory
 * layout, registers, heap) with the given argument bytes. */
pvm_err pvm_container_load(const uint8_t *blob, size_t len, const uint8_t *args, size_t args_len,
                           const char *name, pvm_program *p, pvm_state *s, pvm_errbuf *e);
/* The same, decoding the code as the given revision (pvm_container_load is 0.7.2). */
pvm_err pvm_container_load_isa(const uint8_t *blob, size_t len, const uint8_t *args,
                               size_t args_len, pvm_isa isa, const char *name, pvm_program *p,
                               pvm_state *s, pvm_errbuf *e);

/* ---- w3f test vectors -------------------------------------------------------------------- */

typedef struct pvm_chunk { uint32_t address; uint32_t len; uint8_t *data; } pvm_chunk;
typedef struct pvm_pagemap { uint32_t address; uint32_t length; bool writable; } pvm_pagemap;

typedef struct pvm_vector {
	char *name;
	pvm_isa isa;           /* the program's revision where the vector was built for one (the validator's
	                          counterexamples; the w3f format itself is GP 0.7.2) */
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
	/* Not in the JSON format (a .pvmasm file's .reading and .heap; a state's): */
	uint8_t reading;       /* pvm_state.reading (PVM_READING_*) */
	bool has_heap;         /* heap_base, heap_top, heap_limit as pvm_state's */
	uint32_t heap_base, heap_top, heap_limit;
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
 * permission, initial-memory = the non-zero bytes as contiguous chunks; the heap fields and the
 * reading too (which the JSON format does not carry: a written vector loses them). */
void pvm_vector_set_initial(pvm_vector *v, const char *name, const pvm_state *s);
/* Compare a final state/exit with the expected-* fields. Returns true if equal; otherwise
 * writes one line naming the first differing field, e.g. "expected-regs[7]: want 0x.. got 0x..". */
bool pvm_vector_check(const pvm_vector *v, const pvm_state *s, pvm_exit x, char *why, size_t n);

/* ---- GP 0.8 step vectors (pvm/vector08.c; ../shared/vectors/pvm-0.8/SOURCE.md) ---------------- */

typedef enum pvm_step_kind {
	PVM_STEP_MAP, PVM_STEP_WRITE, PVM_STEP_SET_REG, PVM_STEP_RUN, PVM_STEP_ASSERT
} pvm_step_kind;

typedef struct pvm_step {
	pvm_step_kind kind;
	uint32_t line;                        /* line of the step in its file (messages) */
	uint32_t address, length; bool writable;  /* map (address also for write) */
	uint8_t *contents; uint32_t len;      /* write */
	unsigned reg; uint64_t value;         /* set-reg */
	pvm_status status;                    /* assert: status "ecalli" is PVM_HOST */
	int64_t gas;
	uint32_t pc;
	uint64_t regs[PVM_NUM_REGS];
	pvm_chunk *memory; size_t n_memory;   /* non-zero byte runs of the mapped regions */
	bool has_fault_addr; uint32_t fault_addr;
	bool has_host_id; uint32_t host_id;   /* "hostcall" */
} pvm_step;

typedef struct pvm_block_gas { uint32_t pc, cost; } pvm_block_gas;

/* A step vector (name, initial-pc, initial-gas, program, steps, block-gas-costs) or an
 * integration program (name, program, block-gas-costs). Two spellings are read: `kind` objects
 * with snake_case step fields and block-gas-costs as an object keyed by pc, and the externally
 * tagged spelling of today's spectool ({"run": {}}, kebab-case, block-gas-costs as an array of
 * {"pc", "cost"}); `tagged` says which one a file used (and which one write produces). */
typedef struct pvm_vector08 {
	char *name;
	bool tagged;
	bool has_steps;        /* initial-pc, initial-gas and steps present */
	uint32_t initial_pc;
	int64_t initial_gas;
	uint8_t *program; size_t program_len;
	pvm_step *steps; size_t n_steps;
	bool has_costs;
	pvm_block_gas *costs; size_t n_costs;
} pvm_vector08;

/* Which vector format a JSON text is: 1 = a GP 0.8 step vector (has "steps" or
 * "block-gas-costs"), 0 = anything else (the w3f 0.7.2 reader then reports what is wrong). */
int pvm_json_is_vector08(const char *text, size_t len);
pvm_err pvm_vector08_parse(pvm_vector08 *v, const char *text, size_t len, const char *name,
                           pvm_errbuf *e);
pvm_err pvm_vector08_read(pvm_vector08 *v, const char *path, pvm_errbuf *e);
void pvm_vector08_fini(pvm_vector08 *v);
pvm_err pvm_vector08_write(const pvm_vector08 *v, FILE *out);
/* Checks block-gas-costs against the cost model: the listed pcs are exactly ϖ and every cost is
 * ϱΔ. Returns true, or false with one line naming the first difference. *checked counts the
 * blocks compared. */
bool pvm_vector08_check_costs(const pvm_vector08 *v, const pvm_program *p, size_t *checked,
                              char *why, size_t n);
/* Runs the steps on a prepared engine from the SOURCE.md starting state (pc, gas, flag false, zero
 * registers, no memory) and checks every assert. Returns true, or false with one line naming the
 * step and the first difference. */
bool pvm_vector08_run(const pvm_vector08 *v, const pvm_engine *eng, void *prepared,
                      char *why, size_t n);
/* Build a step vector from one run: map/write/set-reg steps recreating init, one run, one assert
 * of (fin, x), and the block costs of p. program is copied. */
void pvm_vector08_from_run(pvm_vector08 *v, const char *name, const uint8_t *program,
                           size_t program_len, const pvm_program *p, const pvm_state *init,
                           const pvm_state *fin, pvm_exit x);

/* ---- on-chain service blobs (pvm/trace.c) ------------------------------------------------- */

/* A service blob as stored on chain is E(|m|) m x: a variable-length natural length, that many
 * metadata bytes, then the standard container x (README § On-chain blobs). A plain container
 * satisfies 11 + |o| + |w| + 4 + |c| = size exactly; so does the x after a metadata prefix.
 * pvm_meta_split: mode 0 decides (exactly one of the two shapes must hold: both is an ambiguous
 * blob, neither a broken one, each PVM_EINVAL naming why), 1 requires the prefix, -1 forbids it.
 * On success *off = where x starts (0 without metadata). */
pvm_err pvm_meta_split(const uint8_t *b, size_t len, int mode, const char *name, size_t *off,
                       pvm_errbuf *e);
/* Whether b is a container by its lengths alone (the size equation above). */
bool pvm_container_shape(const uint8_t *b, size_t len);
/* The metadata bytes m as one comment line's text (jam-pvm-build's layout: a version byte 0, then
 * name, version and licence as length-prefixed strings, a count and that many author strings;
 * anything else as hex). Returns the length written (snprintf's rule). */
int pvm_meta_describe(const uint8_t *m, size_t len, char *out, size_t n);

/* ---- JIP-7 "PVM ecalli traces" (pvm/trace.c; README § Traces) -------------------------------- */

/* A run of a real program with every host call's effects: the program as stored on chain, the
 * memory written before the start, the start state, each host call (the state at its ecalli,
 * then what the host read, wrote, set and charged) and the end. */
typedef struct pvm_trace_io { uint32_t line, addr, len; uint8_t *data; } pvm_trace_io;
typedef struct pvm_trace_set { uint32_t line; uint8_t reg; uint64_t value; } pvm_trace_set;
typedef struct pvm_trace_state { uint32_t line, pc; int64_t gas; uint64_t regs[PVM_NUM_REGS]; } pvm_trace_state;
typedef struct pvm_trace_call {
	pvm_trace_state at;    /* the ecalli line: pc of the ecalli, gas after it was paid */
	uint32_t id;
	pvm_trace_io *reads; size_t n_reads;     /* memread: what the host read (checked) */
	pvm_trace_io *writes; size_t n_writes;   /* memwrite: what it wrote */
	pvm_trace_set *sets; size_t n_sets;      /* setreg */
	bool has_gas; uint32_t gas_line; int64_t gas; /* setgas: the gas after the call */
} pvm_trace_call;
enum pvm_trace_end { PVM_TRACE_HALT, PVM_TRACE_OOG, PVM_TRACE_PANIC };
typedef struct pvm_trace {
	char *name;            /* the file, for messages */
	uint8_t *program; size_t program_len; uint32_t program_line;
	pvm_trace_io *init; size_t n_init;       /* memwrite lines before start */
	pvm_trace_state start;
	pvm_trace_call *calls; size_t n_calls;
	int end;               /* enum pvm_trace_end */
	uint64_t panic_arg;    /* PANIC=ARG: 0, or the page of a page fault */
	pvm_trace_state fin;   /* the HALT/OOG/PANIC line */
} pvm_trace;

/* 1 if the first line the format knows is `program 0x` (unknown lines and prefixes skipped). */
int pvm_trace_sniff(const char *text, size_t len);
/* Parse a trace: unknown lines are ignored and a known line may carry a prefix; registers omitted
 * are 0; after each ecalli the order is memread, memwrite, setreg, setgas. A malformed trace is
 * PVM_EINVAL with "FILE:LINE:COL: reason". */
pvm_err pvm_trace_parse(pvm_trace *t, const char *text, size_t len, const char *name, pvm_errbuf *e);
pvm_err pvm_trace_read(pvm_trace *t, const char *path, pvm_errbuf *e);
void pvm_trace_fini(pvm_trace *t);
/* Write t in the format's canonical spelling (no prefixes; addresses as 8 hex digits, register
 * values without leading zeros, zero registers omitted, gas and pcs in decimal). */
pvm_err pvm_trace_write(const pvm_trace *t, FILE *out);

/* Replaying: check a stop of an engine against the trace. pvm_trace_host checks that (s, x) is
 * host call k (0-based) of t: status, id, pc, gas and the 13 registers, then every memread
 * against s's memory; then applies the call's memwrites, setregs and setgas and sets s->pc to
 * x->next. pvm_trace_fin checks (s, x) against the end line (a page fault is PANIC=its page).
 * Both return true, or false with one line "ecalli #N (pc P, line L): FIELD: want W got G"
 * (N 1-based) or "end (line L): ...". */
bool pvm_trace_host(const pvm_trace *t, size_t k, pvm_state *s, const pvm_exit *x, char *why, size_t n);
bool pvm_trace_fin(const pvm_trace *t, size_t k, const pvm_state *s, const pvm_exit *x, char *why, size_t n);
/* Run t on a prepared engine from s (the trace's start state), answering every host call from the
 * trace; rec (NULL: none) records the run as a trace. True if the run is the trace's. */
bool pvm_trace_replay(const pvm_trace *t, const pvm_engine *eng, void *prep, pvm_state *s,
                      pvm_trace *rec, char *why, size_t n);
/* Recording a run as a trace (run --trace-out): begin with the program bytes, the memory written
 * before the start and the start state; one call per answered host call (at: the state at the
 * ecalli; after: once answered; ans: the trace call that answered it, whose reads are recorded
 * with at's bytes, or NULL: the registers that changed and the gas if it changed); the end. */
void pvm_trace_rec_begin(pvm_trace *rec, const uint8_t *program, size_t len, const pvm_trace_io *init,
                         size_t n_init, const pvm_state *start);
void pvm_trace_rec_call(pvm_trace *rec, uint32_t id, const pvm_state *at, const pvm_state *after,
                        const pvm_trace_call *ans);
/* False when x cannot end a trace (a host call left unanswered): nothing recorded. */
bool pvm_trace_rec_end(pvm_trace *rec, const pvm_state *s, const pvm_exit *x);

/* ---- assembler / disassembler -------------------------------------------------------------- */

/* Assemble a .pvmasm text (format in README.md) into a vector whose initial-* fields and
 * program are set (expected-* left for the caller to fill by running an engine). */
pvm_err pvm_asm(const char *text, size_t len, const char *name, pvm_vector *out, pvm_errbuf *e);
/* The same, encoding for revision isa (pvm_asm: GP 0.7.2), which out->isa records; an instruction
 * the revision lacks is an error at its line. */
pvm_err pvm_asm_isa(const char *text, size_t len, pvm_isa isa, const char *name, pvm_vector *out,
                    pvm_errbuf *e);
/* Disassemble a program (and, if v != NULL, its initial state) as .pvmasm text. */
pvm_err pvm_disasm(const pvm_program *p, const pvm_vector *v, FILE *out);

/* ---- files -------------------------------------------------------------------------------- */

/* Read a whole file. Caller frees *buf. */
pvm_err pvm_read_file(const char *path, uint8_t **buf, size_t *len, pvm_errbuf *e);

#endif
