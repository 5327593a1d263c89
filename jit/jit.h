/* jit/jit.h: the x86-64 recompiler: templates, block compiler, runtime, and the API the
 * validator uses to prove every template (DESIGN.md § The JIT, § How a template is proved).
 * Emission of one template or one block is pure (no mmap, no globals); only jit_engine's
 * run() touches the sandbox, the signal handler and executable memory. */
#ifndef JITPROOF_JIT_H
#define JITPROOF_JIT_H

#include "pvm/pvm.h"
#include "jit/x64.h"

/* ---- the machine model the templates assume ----------------------------------------------

 * Host registers:
 *   - guest register i lives in jit_reg_map[i] for its whole life (13 registers);
 *   - JIT_MEMBASE (r15) holds the sandbox base: guest address a is [r15 + zext32(a)];
 *   - JIT_SCRATCH (rax) is the only free register; it is dead between templates;
 *   - JIT_GASREG (rsp) holds the gas counter inside JIT code: the entry trampoline loads it
 *     from ctx.gas (after saving the host stack pointer in ctx.host_rsp), region prologues
 *     charge it (an out-of-gas stub gives the charge back), the common exit stores it back.
 *     JIT code never uses the stack (no push, pop or call), and the fault handler runs on the
 *     thread's SS_AUTODISARM signal stack with the other signals that have handlers held back
 *     while JIT code runs (jit/runtime.c), so rsp is an ordinary register here. Templates never
 *     touch it.
 * The context (struct jit_ctx) sits immediately below the sandbox: field f is at
 * [r15 + JIT_CTX(f)], a small negative displacement. Templates that need rcx (shift counts)
 * or rdx (mul/div) save the guest register living there to ctx.spill and restore it.
 * The jump table (host addresses of block entries, 0 for entries that are not blocks) sits
 * below the context: entry i at [r15 - sizeof(jit_ctx) - 8 * |j| + 8 * i].
 * Register aliasing (rd == ra, a guest register living in rcx or rdx, ...) is the only kind of
 * case an emitter distinguishes; enumerating all register assignments reaches every case.
 * Every template is shown with its assembly in a comment in jit/templates.c.
 * Templates are straight-line code: no internal jumps; every jmp/jcc leaves the template
 * through a rel32 exit listed in jit_tpl.exits. Falling off the end = next instruction.
 * Only the context (spill slots) and guest memory are written; flags are dead between templates.
 */
#define JIT_MEMBASE X64_R15
#define JIT_SCRATCH X64_RAX
#define JIT_GASREG X64_RSP
extern const enum x64_reg jit_reg_map[PVM_NUM_REGS];

typedef struct jit_ctx {
	uint64_t regs[PVM_NUM_REGS]; /* guest registers while outside JIT code */
	uint64_t host_rsp;           /* host stack pointer saved by the entry trampoline */
	uint32_t exit_kind, exit_pc; /* enum jit_exit_kind, guest pc */
	uint64_t spill_a, spill_b;   /* template temporaries */
	uint64_t spill_rcx, spill_rdx;
	int64_t gas;                 /* remaining gas while outside JIT code (inside: JIT_GASREG) */
} jit_ctx;
#define JIT_CTX(field) ((int32_t)offsetof(jit_ctx, field) - (int32_t)sizeof(jit_ctx))

/* ---- immediates ----------------------------------------------------------------------------

 * Each guest immediate (X = inst.imm, Y = inst.imm2) the template depends on is written into
 * fixed-width byte fields whose encoding is one of these; the bytes of a field are a function
 * of the immediate only, so the lifter can make them symbolic. */
typedef enum jit_imm_enc {
	JIT_IMM_SEXT32,      /* 4 bytes LE = low 32 bits of X; the CPU sign-extends (X is X_4) */
	JIT_IMM_LOW32,       /* 4 bytes LE = low 32 bits of X, used as a 32-bit value */
	JIT_IMM_64,          /* 8 bytes LE = X */
	JIT_IMM_LOW16,       /* 2 bytes LE = low 16 bits */
	JIT_IMM_LOW8,        /* 1 byte = low 8 bits */
	JIT_IMM_LOW8_MASK63, /* 1 byte = X & 63 */
	JIT_IMM_LOW8_MASK31, /* 1 byte = X & 31 */
} jit_imm_enc;

typedef struct jit_imm_field {
	uint16_t off;        /* byte offset in the template */
	uint8_t width;       /* bytes */
	uint8_t enc;         /* enum jit_imm_enc */
	uint8_t which;       /* 0 = X (imm), 1 = Y (imm2) */
} jit_imm_field;

/* Immediate classes: the emitter's only decisions on an immediate value. A program's compile
 * emits each instruction in the last class of jit_op_classes that holds for its immediates;
 * validate and prove prove every class of every opcode, each for every value the class holds. */
typedef enum jit_imm_class {
	JIT_CLASS_ANY,       /* every X (of the decoder's domain: X_n of up to 4 bytes, or any u64 for
	                        load_imm_64) and every Y */
	JIT_CLASS_S8,        /* X = sext8(X) (-128..127), any Y: the imm8/disp8 forms (83 /op ib,
	                        [base + disp8]), one byte field LOW8 that the CPU sign-extends */
	JIT_CLASS_COUNT
} jit_imm_class;
/* The values on both sides of class c's edges (in it and just outside), for tests and seeds:
 * how many written to out (at most max); ANY has none. */
size_t jit_class_edges(jit_imm_class c, uint64_t *out, size_t max);
/* Does (X, Y) belong to class c? */
bool jit_class_holds(jit_imm_class c, uint64_t x, uint64_t y);
/* Classes of opcode op: writes up to max and returns how many. */
size_t jit_op_classes(unsigned op, jit_imm_class *out, size_t max);
const char *jit_class_name(jit_imm_class c);

/* ---- exits -------------------------------------------------------------------------------- */

typedef enum jit_exit_kind {
	JIT_EXIT_NONE = 0,
	JIT_EXIT_BRANCH,     /* taken branch to guest pc `target` (the block compiler sends a
	                        target that is not a block start to a PANIC at pc instead) */
	JIT_EXIT_PANIC,      /* panic at pc */
	JIT_EXIT_HALT,       /* halt at pc (dynamic jump to 0xFFFF0000) */
	JIT_EXIT_OOG,        /* out of gas; pc = region entry; arg = the cost the prologue took from
	                        the gas register, which the exit's stub adds back: nothing charged */
	JIT_EXIT_HOST,       /* ecalli at pc; host id = arg */
	JIT_EXIT_SBRK,       /* sbrk at pc: the runtime runs it and resumes at the next instruction */
	JIT_EXIT_DJUMP,      /* dynamic jump from pc; 32-bit guest target address in register reg */
	JIT_EXIT_FAULT,      /* memory fault at pc (raised by the signal handler, never a rel32) */
	JIT_EXIT_KIND_COUNT
} jit_exit_kind;
const char *jit_exit_name(jit_exit_kind k);

typedef struct jit_exit {
	uint32_t off;        /* byte offset of the rel32 field (the jump's end is off + 4) */
	uint8_t kind;        /* enum jit_exit_kind */
	uint8_t reg;         /* DJUMP: enum x64_reg holding the target address (zero-extended) */
	uint32_t pc;         /* guest pc of the instruction (region entry for OOG) */
	uint32_t target;     /* BRANCH: guest target pc */
	uint64_t arg;        /* OOG: the region's cost, which the stub adds back to the gas register
	                        (the proofs: at an OOG exit the gas handed over is rsp + arg); HOST:
	                        the host-call id (informational: the runtime reads the instruction) */
} jit_exit;

/* ---- options ------------------------------------------------------------------------------ */

typedef struct jit_features {
	bool bmi1;           /* andn, tzcnt */
	bool bmi2;           /* shlx/shrx/sarx, rorx */
	bool lzcnt, popcnt;
} jit_features;
/* What this CPU supports (cpuid). */
jit_features jit_cpu_features(void);
/* No extension: the portable sequences. */
static inline jit_features jit_no_features(void) { return (jit_features){ 0 }; }

/* ---- one template (for the validator) -------------------------------------------------------

 * jit_emit_template writes the code for one instruction with no gas prologue. The result lists
 * the bytes, immediate fields, exits and the instructions the encoder meant to write. */
enum { JIT_TPL_MAX = 256, JIT_TPL_MAX_INSNS = 48, JIT_TPL_MAX_IMMS = 4, JIT_TPL_MAX_EXITS = 4 };
typedef struct jit_tpl {
	uint8_t bytes[JIT_TPL_MAX];
	size_t len;
	jit_imm_field imms[JIT_TPL_MAX_IMMS];
	size_t n_imms;
	jit_exit exits[JIT_TPL_MAX_EXITS];
	size_t n_exits;
	x64_insn insns[JIT_TPL_MAX_INSNS];
	size_t n_insns;
} jit_tpl;

typedef enum jit_err {
	JIT_OK = 0,
	JIT_EINVAL,          /* undefined opcode, register > 12, class not valid for opcode */
	JIT_EOVERFLOW,       /* the code did not fit the buffer */
	JIT_ENOMEM,
	JIT_ETOOBIG,         /* program too large (jump table or code size) */
} jit_err;
const char *jit_strerror(jit_err e);

/* Emit the template of `in` (op, ra/rb/rd, imm, imm2, pc, target as decoded) for class c. */
jit_err jit_emit_template(const pvm_inst *in, jit_imm_class c, jit_features f, jit_tpl *out);
/* The same without the listing (n_insns 0, insns untouched): the same bytes, immediate fields and
 * exits (recording only reads what the encoder writes; ctest jit_templates compares the two), for
 * what needs only those (the proof store's keys, the variant-twin comparison). */
jit_err jit_emit_template_code(const pvm_inst *in, jit_imm_class c, jit_features f, jit_tpl *out);

/* ---- fusions ------------------------------------------------------------------------------

 * A fused pair is two instructions a, b (b the instruction at a->next) emitted as one piece of
 * code. The compile fuses a pair when jit_fuse_pair holds and b starts no block (so nothing jumps
 * to b); the pc map then gives b the host offset of a (an empty piece for a), and `prove` proves
 * the piece against the two specs composed (README § Fusions). A run that must start or stop
 * between the two (a start at b; GP 0.7.2's per-instruction gas stopping at b) runs on the
 * program compiled without fusions (jit/runtime.c). */
bool jit_fuse_pair(const pvm_inst *a, const pvm_inst *b);
/* The fused code of a pair for which jit_fuse_pair holds (no immediate fields, no exits). */
jit_err jit_emit_fused(const pvm_inst *a, const pvm_inst *b, jit_features f, jit_tpl *out);
/* Does a program's compile fuse the instruction at pc with the next (the compile's own test)? */
bool jit_fused_at(const pvm_program *p, uint32_t pc);

/* ---- chains -------------------------------------------------------------------------------

 * A block that can only be entered by falling from the block before it (no static branch or jump
 * names it, no jump-table entry holds it; reached after a `fallthrough` or on the not-taken side
 * of a forward branch other than branch_ne*) is a chain member: it has no gas prologue, the
 * prologue of its chain's head charges the whole chain. Inside a chain the gas register is the
 * spec's gas less the chain's prepaid gas for the blocks after the current one; a branch taken
 * out of a chain gives that back (add rsp, prepaid ; jmp entry), the runtime does at every exit,
 * and a chain the gas cannot pay runs on the twin (jit_program_new_unfused: no fusions, no
 * chains). A chain whose last block ends in a branch back to the head of an earlier chain (a
 * loop's latch) prepays that head's charge too: the branch enters the head past its prologue, and
 * the not-taken side gives the charge back (add rsp, k) before the next region's entry. README §
 * Gas chains; `prove` reads the chains from the compiled program. */

/* ---- one block / gas region (for block proofs) --------------------------------------------- */

typedef struct jit_pcmap { uint32_t host_off, guest_pc; } jit_pcmap;

typedef struct jit_block {
	uint8_t *bytes;      /* malloc'ed */
	size_t len;
	uint32_t entry_pc, cost; /* region entry and its gas cost (charged by the prologue) */
	jit_exit *exits; size_t n_exits;      /* malloc'ed; includes the OOG exit of the prologue */
	jit_pcmap *map; size_t n_map;         /* one row per guest instruction, ascending offsets */
} jit_block;

/* Compile the gas region entered at pc: prologue (sub rsp, cost ; jl OOG: the gas register
 * charged, its OOG exit's stub adding the cost back; a chain's head charges the chain's cost, a
 * member has no prologue: § chains), then each instruction's template (or a fused
 * pair's code) up to and including the first terminator or ecalli. Falling off the end means
 * "continue at the next instruction". */
jit_err jit_block_compile(const pvm_program *p, uint32_t pc, jit_features f, jit_block *out);
/* The same without fusions or chains: the region as the twin program (jit_program_new_unfused) has it. */
jit_err jit_block_compile_unfused(const pvm_program *p, uint32_t pc, jit_features f, jit_block *out);
/* The dispatcher of the dynamic jump at pc alone (guest address zero-extended in rax; exits:
 * halt, panic, and `jmp rax` to the host entry read from the jump table at JIT_JT). */
jit_err jit_dispatch_compile(const pvm_program *p, uint32_t pc, jit_block *out);
void jit_block_fini(jit_block *b);
/* The dynamic-jump table of a program with n entries: entry i is the 8-byte host address of the
 * gas region at jump_table[i] (0 if that is not a block start), at [r15 + JIT_JT(n, i)], just
 * below the context. */
#define JIT_JT(n, i) (-(int32_t)sizeof(jit_ctx) - 8 * (int32_t)(n) + 8 * (int32_t)(i))

/* ---- the trampolines (for the validator) ---------------------------------------------------

 * Every run enters JIT code through `enter` and leaves it through the common exit, laid out at the
 * start of every compiled program. enter(membase = rdi, target = rsi), a System V call from
 * jit_program_run, saves rbx, rbp, r12-r15 on the host stack and rsp in ctx.host_rsp, sets r15 :=
 * membase, loads jit_reg_map[i] := ctx.regs[i] (i = 0..12) and jumps to target. The common exit
 * stores ctx.regs[i] := jit_reg_map[i], restores rsp from ctx.host_rsp, pops the callee-saved
 * registers and returns to enter's caller. Every rel32 exit reaches it through a stub
 * (mov dword [ctx.exit_kind], kind ; mov dword [ctx.exit_pc], pc ; jmp exit); the stub of a
 * prologue's out-of-gas exit first gives the prologue's charge back (add rsp, cost: imm8 when cost
 * < 128, else imm32). The signal handler writes the two fields itself and resumes at the exit. */
enum { JIT_TRAMP_MAX = 512 };
typedef struct jit_tramp {
	uint8_t bytes[JIT_TRAMP_MAX];
	size_t len;
	size_t enter_off;            /* enter: [enter_off, exit_off) */
	size_t exit_off;             /* the common exit: [exit_off, stub_off) */
	size_t stub_off;             /* one exit stub: [stub_off, oog_off[0]), its jmp going to exit_off */
	jit_imm_field stub_kind, stub_pc; /* the stub's two 4-byte immediates (JIT_IMM_LOW32) */
	size_t oog_off[3];           /* out-of-gas stubs, [oog_off[0], oog_off[1]) with an imm8 cost,
	                                [oog_off[1], oog_off[2] = len) with an imm32 cost */
	jit_imm_field oog_cost[2], oog_pc[2]; /* their cost (JIT_IMM_LOW8, JIT_IMM_LOW32) and pc fields */
} jit_tramp;
/* The trampolines as jit_program_new emits them for features f, with one stub of each shape (any
 * kind; out of gas with an imm8 cost; with an imm32 cost). */
jit_err jit_tramp_emit(jit_features f, jit_tramp *out);

/* ---- whole programs and the engine ------------------------------------------------------- */

typedef struct jit_program jit_program;
typedef struct jit_stats { uint64_t compile_ns; uint32_t n_insts; size_t code_bytes; } jit_stats;
/* Compile a whole program into executable (W^X) memory. */
/* Forget what this thread keeps between compiles (its template cache and code mapping): its next
 * compile is a thread's first (the bench's cold figure). */
void jit_thread_forget(void);
jit_err jit_program_new(const pvm_program *p, jit_features f, jit_program **out);
/* The same program compiled without fusions or chains: the twin a run that starts or stops between
 * a fused pair's halves, or that a chain's gas cannot pay, runs on (§ fusions, § chains); `prove`
 * proves its blocks too. */
jit_err jit_program_new_unfused(const pvm_program *p, jit_features f, jit_program **out);
/* Did the compile fuse any pair? */
bool jit_program_has_fusions(const jit_program *jp);
void jit_program_free(jit_program *jp);
/* Run from state->pc until an exit (the pvm_engine contract). */
pvm_exit jit_program_run(jit_program *jp, pvm_state *s);
jit_stats jit_program_stats(const jit_program *jp);
/* Host-to-guest pc map of a compiled program (one row per instruction, ascending): copies up
 * to max rows into out and returns the total number of rows. */
size_t jit_program_pcmap(const jit_program *jp, jit_pcmap *out, size_t max);
/* The emitted code, for the validator's linking proof (read-only): its bytes and size. */
const uint8_t *jit_program_code(const jit_program *jp, size_t *size);
/* Host offset of the gas-region entry at guest pc (its prologue), or UINT32_MAX if none. */
uint32_t jit_program_entry(const jit_program *jp, uint32_t pc);
/* Host offset of the code of the instruction at guest pc (after any prologue), or UINT32_MAX. */
uint32_t jit_program_code_at(const jit_program *jp, uint32_t pc);
/* The gas the runtime gives back at an exit at guest pc, and takes at a start there: what the
 * chain holding it has prepaid for its later blocks (§ chains; 0 outside chains). */
uint32_t jit_program_prepaid(const jit_program *jp, uint32_t pc);
/* The trampolines of a compiled program as they are in its code (enter at 0, then the common
 * exit), with one stub of each shape emitted after them as its stubs are (jit_tramp). */
jit_err jit_program_tramp(const jit_program *jp, jit_tramp *out);
/* Host offset of the common exit trampoline that every exit stub jumps to. */
size_t jit_program_exit_off(const jit_program *jp);
/* Jump-table slot i as the runtime holds it: the host offset it sends a dynamic jump to, or
 * UINT32_MAX for an empty slot (0: not a block start). */
uint32_t jit_program_jt_slot(const jit_program *jp, uint32_t i);

/* ---- steps ----------------------------------------------------------------------------------

 * A byte-reduction loop (jit/step.c: a sum of bytes and a count of those equal to K, one byte a
 * turn, its branch back a latch) runs JIT_STEP_TURNS turns a step: the latch enters a guard and the
 * step instead of its head's code; where the guard fails (fewer than that many turns left before
 * the bound, too little gas for them, their bytes not on one page) the head's code past its
 * prologue. The step's 8-byte load is in the program's fault map as the loop's load_ind_u8, the
 * only access of the step that can fault and the first the loop would make. README § Steps. */
enum { JIT_STEP_TURNS = 16 }; /* the turns a step runs: two 8-byte words */
typedef struct jit_step_shape {
	uint32_t head, load, add, skip, latch; /* the loop's pcs: H, its load_ind_u8, ADD, SKIP, the branch back */
	uint8_t b, i, n, s, c, a, v;           /* guest registers: base, index, bound, sum, count, address, value */
	uint8_t k;                             /* the byte counted */
} jit_step_shape;
/* Is the branch at pc the latch of a byte-reduction loop (the shape only; whether the program's
 * compile makes it a step also depends on its chains: jit_step_compile)? */
bool jit_step_loop(const pvm_program *p, uint32_t pc, jit_step_shape *out);
/* The step as the program's compile emits it for the latch at pc, alone: its exits are branches
 * to the loop head past its prologue (pc = the latch, target = the head): every exit of the guard
 * (exits[0..n-2]) and the jump back to the step's own start (the last). map: the first 8-byte
 * load's offset with the load_ind_u8's pc (the fault map's row), then for each word the offset
 * right after its load (the validator's cuts). JIT_EINVAL when the program's compile makes no step
 * there. */
jit_err jit_step_compile(const pvm_program *p, uint32_t pc, jit_features f, jit_block *out);
/* The latches of jp's compile that have a step (ascending pcs): copies up to max into out and
 * returns how many there are. */
size_t jit_program_steps(const jit_program *jp, uint32_t *out, size_t max);

/* ---- the sandbox's page protections ------------------------------------------------------

 * The runtime keeps a shadow of what it asked the kernel for each guest page of the sandbox
 * (every mprotect of guest pages goes through one function that records it): PVM_NONE for
 * PROT_NONE, PVM_READ for PROT_READ, PVM_WRITE for PROT_READ|PROT_WRITE. ctest jit_sandbox_perms
 * checks the shadow against the kernel's view (/proc/self/maps); replay and vectors compare it
 * with pvm_mem's page map at every stop. */
typedef struct jit_perms jit_perms;
pvm_perm jit_perms_get(const jit_perms *p, uint32_t page);
/* Calls fn for every maximal run [first, end) of pages with one protection other than PVM_NONE,
 * ascending. */
void jit_perms_each(const jit_perms *p, void (*fn)(void *ctx, uint32_t first, uint32_t end, pvm_perm perm),
                    void *ctx);
/* First page (ascending) whose protection in p differs from m's page map: false when none. */
bool jit_perms_diff(const jit_perms *p, const pvm_mem *m, uint32_t *page);

/* A stop of a run, seen while the sandbox exists: "start" (sandbox mirrored from the state),
 * "sbrk" (after each sbrk), "exit" (the run's last stop, before the sandbox is unmapped). */
typedef struct jit_stop {
	const char *what;
	uint32_t pc;                 /* guest pc of the stop */
	const uint8_t *membase;      /* guest address 0 of the sandbox */
	const jit_perms *perms;      /* the shadow at this stop */
	const pvm_state *state;      /* the run's state (its page map) at this stop */
} jit_stop;
typedef void jit_stop_hook(void *ud, const jit_stop *stop);
/* Call hook at every stop of every later run of jp (tests: the kernel cross-check). */
void jit_program_set_hook(jit_program *jp, jit_stop_hook *hook, void *ud);
/* The shadow at the last stop of the last run of jp (empty before any run). */
const jit_perms *jit_program_perms(const jit_program *jp);
/* The first stop inside the last run (start or an sbrk) at which the shadow differed from the
 * run's own page map: page address and both protections; false if there was none. */
bool jit_program_stop_diff(const jit_program *jp, pvm_perm_diff *d);

extern const pvm_engine jit_engine;          /* "jit": CPU features from cpuid */
extern const pvm_engine jit_portable_engine; /* "jit-portable": no BMI/LZCNT/POPCNT */
/* The same two compiling without fusions or chains ("jit-unfused", "jit-portable-unfused"): every
 * run on the twin (replays of `prove`'s counterexamples in a twin's block). */
extern const pvm_engine jit_unfused_engine, jit_portable_unfused_engine;

#endif
