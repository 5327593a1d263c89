/* validator/store.c: the persistent proof store (store.h). Layout: DIR/v2/pack-<32 hex digits>,
 * packs of records, each a text file:
 *   jitproof proof store v2
 *   <key: 64 hex digits> PROVED <item: what was proved, for people> <sum: 64 hex digits>
 *   <key: 64 hex digits> AGREED <item: what was run, for people> <sum: 64 hex digits>
 *   ...
 * the sum being the SHA-256 of the header line and the record up to the item. PROVED records a
 * Z3 unsat, AGREED a concrete fallback's agreement (store.h); the word is part of what the sum
 * covers, and a key is looked up for one word only. A record is trusted
 * only if it is exactly that and its sum checks. A run reads every pack when it opens the store
 * (into a set of keys), writes what it proves as new packs (every FLUSH_EVERY records and at the
 * end), and merges the packs into one when they pile up or one held a record that did not check.
 * A key is the SHA-256 of the store's identity followed by the item's fields, each written at a
 * fixed width or with its length first, so two different field lists never hash the same bytes. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <capstone/capstone.h>
#include <z3.h>
#include "jitproof_source_hash.h" /* generated at build time (cmake/source_hash.cmake) */
#include "pvm/mutant.h"
#include "validator/code.h"
#include "validator/sha256.h"
#include "validator/store.h"

#define STORE_LAYOUT "v2"
#define STORE_MAGIC "jitproof proof store " STORE_LAYOUT
/* RECORD_MAX: a record's longest line; FLUSH_EVERY: records per pack written during a run;
 * COMPACT_AFTER: packs beyond which closing the store merges them into one */
enum { RECORD_MAX = 512, WHAT_MAX = 200, DIR_MAX = 4000, FLUSH_EVERY = 20000, COMPACT_AFTER = 16 };

/* A set of keys (below: ks_*), each with its record's word (used[i]: 0 free, else a WORD_*). */
enum { WORD_PROVED = 1, WORD_AGREED = 2 };
static const char *const words[] = { [WORD_PROVED] = " PROVED ", [WORD_AGREED] = " AGREED " };
typedef struct keyset { tv_key *keys; uint8_t *used; size_t n, cap; } keyset;
struct tv_store {
	char *dir;                 /* DIR/v2 */
	const char *cmd;           /* for the warning line */
	uint8_t identity[32];
	atomic_size_t reused, stored, ignored, agreed_reused, agreed_stored;
	atomic_bool warned;        /* a failed write has been reported */
	pthread_mutex_t lock;      /* the set, the pending records and the pack lists */
	keyset held;               /* every key of a record that checked, every key put */
	char *pending;             /* records put and not yet written (after the pack header) */
	size_t pending_len, pending_cap, pending_n, pending_agreed; /* (pending_agreed of them AGREED) */
	char **read, **mine;       /* the packs loaded at open; the packs this run wrote */
	size_t n_read, cap_read, n_mine, cap_mine;
	bool dirty;                /* a loaded pack held a record that did not check */
	/* the digest of put_entries' stream, per spec (the first two seen), opcode and reading */
	const sem_spec *_Atomic specs[2];
	atomic_bool ready[2][PVM_NUM_OPS][4];
	uint8_t digest[2][PVM_NUM_OPS][4][32];
};

/* ---- the key ------------------------------------------------------------------------------- */

static void put(tv_sha256_ctx *c, const void *p, size_t n) { tv_sha256_update(c, p, n); }

static void put_u64(tv_sha256_ctx *c, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
	put(c, b, 8);
}

static void put_bytes(tv_sha256_ctx *c, const void *p, size_t n)
{
	put_u64(c, n);
	put(c, p, n);
}

static void put_str(tv_sha256_ctx *c, const char *s) { put_bytes(c, s, s ? strlen(s) : 0); }

static void put_inst(tv_sha256_ctx *c, const pvm_inst *in)
{
	uint64_t f[] = { in->op, in->ra, in->rb, in->rd, in->pc, in->next, in->target, in->imm, in->imm2,
	                 pvm_ops[in->op].form };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) put_u64(c, f[i]);
}

static void put_features(tv_sha256_ctx *c, int variant, jit_features f)
{
	put_u64(c, (uint64_t)variant);
	put_u64(c, (uint64_t)f.bmi1 | (uint64_t)f.bmi2 << 1 | (uint64_t)f.lzcnt << 2 | (uint64_t)f.popcnt << 3);
}

/* A node of an effect tree, preorder: every field sem_insn_same compares (position aside). */
static void put_node(tv_sha256_ctx *c, const sem_node *n)
{
	uint64_t f[] = { n->kind, n->op, n->operand, n->nargs, (uint64_t)(int64_t)n->width, n->p0, n->p1,
	                 (uint64_t)n->value, (uint64_t)(n->value >> 64) };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) put_u64(c, f[i]);
	for (unsigned i = 0; i < n->nargs; i++) put_node(c, n->arg[i]);
}

/* A spec entry in canonical form (NULL: none). */
static void put_entry(tv_sha256_ctx *c, const sem_insn *si)
{
	if (!si) {
		put_u64(c, UINT64_MAX);
		return;
	}
	put_u64(c, si->opcode);
	put_u64(c, si->form);
	put_u64(c, si->terminator);
	put_u64(c, si->n_effects);
	for (size_t i = 0; i < si->n_effects; i++) put_node(c, si->effects[i]);
}

/* The entries a query of opcode op under `reading` reads: the reading's, and the plain one when
 * that differs (the sbrk exit contract asks whether it does). */
static void put_entries_stream(tv_sha256_ctx *c, const sem_spec *sp, unsigned op, uint8_t reading)
{
	put_u64(c, op);
	put_entry(c, sem_spec_get_reading(sp, op, reading));
	put_u64(c, sem_spec_reading_differs(sp, op, reading));
	if (sem_spec_reading_differs(sp, op, reading)) put_entry(c, sem_spec_get(sp, op));
}

/* put_entries_stream's SHA-256 in its place: a key holds the digest of the entries, which is
 * computed once per spec, opcode and reading (the store s keeps it; NULL: every time), not once
 * per key. */
static void put_entries(const tv_store *cs, tv_sha256_ctx *c, const sem_spec *sp, unsigned op, uint8_t reading)
{
	tv_store *s = (tv_store *)cs; /* the digests are a cache: the store's meaning does not change */
	int k = -1;
	if (s && op < PVM_NUM_OPS && reading < 4) {
		for (int i = 0; i < 2 && k < 0; i++)
			if (atomic_load(&s->specs[i]) == sp) k = i;
		if (k < 0) {
			pthread_mutex_lock(&s->lock);
			for (int i = 0; i < 2 && k < 0; i++) {
				const sem_spec *at = atomic_load(&s->specs[i]);
				if (at == sp) k = i;
				else if (!at) atomic_store(&s->specs[i], sp), k = i;
			}
			pthread_mutex_unlock(&s->lock);
		}
	}
	uint8_t d[32];
	if (k >= 0 && atomic_load_explicit(&s->ready[k][op][reading], memory_order_acquire)) {
		memcpy(d, s->digest[k][op][reading], 32);
	} else {
		tv_sha256_ctx e;
		tv_sha256_init(&e);
		put_entries_stream(&e, sp, op, reading);
		tv_sha256_final(&e, d);
		if (k >= 0) {
			pthread_mutex_lock(&s->lock);
			if (!atomic_load(&s->ready[k][op][reading])) {
				memcpy(s->digest[k][op][reading], d, 32);
				atomic_store_explicit(&s->ready[k][op][reading], true, memory_order_release);
			}
			pthread_mutex_unlock(&s->lock);
		}
	}
	put(c, d, sizeof d);
}

/* Exits, and the sbrk entries when one of them is an sbrk exit (its contract reads them). */
static void put_exits(const tv_store *s, tv_sha256_ctx *c, const sem_spec *sp, uint8_t reading, const jit_exit *ex, size_t n)
{
	bool sbrk = false;
	put_u64(c, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t f[] = { ex[i].off, ex[i].kind, ex[i].reg, ex[i].pc, ex[i].target, ex[i].arg };
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) put_u64(c, f[k]);
		sbrk |= ex[i].kind == JIT_EXIT_SBRK;
	}
	put_u64(c, sbrk);
	if (sbrk) put_entries(s, c, sp, PVM_OP_sbrk, reading);
}

/* The entries of every opcode p holds, in opcode order. */
static void put_program_entries(const tv_store *s, tv_sha256_ctx *c, const sem_spec *sp, const pvm_program *p, uint8_t reading)
{
	bool has[PVM_NUM_OPS] = { 0 };
	for (uint32_t pc = 0; pc <= p->code_len; pc++)
		if (p->is_start[pc]) has[pvm_inst_at(p, pc)->op] = true;
	for (unsigned op = 0; op < PVM_NUM_OPS; op++)
		if (has[op]) put_entries(s, c, sp, op, reading);
}

/* The active mutant's name ("" for none); with hooks_only, only a mutant that acts at a hook point
 * (one whose change no key field holds). */
static const char *mutant_name(bool hooks_only)
{
	size_t n;
	const pvm_mutant *m = pvm_mutants(&n);
	pvm_mutant_id id = pvm_mutant_active();
	if (id == PVM_MUT_NONE || !m || (size_t)id > n) return "";
	return !hooks_only || m[id - 1].hook != PVM_HOOK_NONE ? m[id - 1].name : "";
}

/* What every key starts with: the identity, the kind of proof, revision, variant, reading. */
static void key_begin(tv_sha256_ctx *c, const tv_store *s, const char *kind, const sem_spec *sp, int variant,
                      jit_features f, uint8_t reading)
{
	tv_sha256_init(c);
	put(c, s->identity, sizeof s->identity);
	put_str(c, kind);
	put_u64(c, sem_spec_isa(sp));
	put_features(c, variant, f);
	put_u64(c, reading);
}

bool tv_store_key_template(const tv_store *s, const sem_spec *sp, const pvm_inst *in0, jit_imm_class cls,
                           int variant, jit_features f, uint8_t reading, tv_key *k)
{
	pvm_inst in;
	jit_tpl *t = pvm_xmalloc(sizeof *t);
	char why[200];
	bool ok = tv_template_code(in0, cls, sem_spec_isa(sp), f, false, &in, t, why, sizeof why);
	if (ok) {
		tv_sha256_ctx c;
		key_begin(&c, s, "template", sp, variant, f, reading);
		put_u64(&c, cls);
		put_inst(&c, &in);
		put_bytes(&c, t->bytes, t->len);
		put_u64(&c, t->n_imms);
		for (size_t i = 0; i < t->n_imms; i++) {
			uint64_t fl[] = { t->imms[i].off, t->imms[i].width, t->imms[i].enc, t->imms[i].which };
			for (size_t j = 0; j < sizeof fl / sizeof fl[0]; j++) put_u64(&c, fl[j]);
		}
		put_exits(s, &c, sp, reading, t->exits, t->n_exits);
		put_entries(s, &c, sp, in.op, reading);
		tv_sha256_final(&c, k->d);
	}
	free(t);
	return ok;
}

bool tv_store_key_fused(const tv_store *s, const sem_spec *sp, const pvm_inst *a0, const pvm_inst *b0, int variant,
                        jit_features f, uint8_t reading, tv_key *k)
{
	pvm_inst a, b;
	jit_tpl *t = pvm_xmalloc(sizeof *t);
	char why[200];
	bool ok = tv_fused_code(a0, b0, sem_spec_isa(sp), f, &a, &b, t, why, sizeof why);
	if (ok) {
		tv_sha256_ctx c;
		key_begin(&c, s, "fused", sp, variant, f, reading);
		put_u64(&c, a.imm & 63); /* the class: every X with these low bits */
		a.imm = 0;
		put_inst(&c, &a);
		put_inst(&c, &b);
		put_bytes(&c, t->bytes, t->len);
		put_u64(&c, t->n_imms);
		put_exits(s, &c, sp, reading, t->exits, t->n_exits);
		put_entries(s, &c, sp, a.op, reading);
		put_entries(s, &c, sp, b.op, reading);
		tv_sha256_final(&c, k->d);
	}
	free(t);
	return ok;
}

void tv_store_key_tramp(const tv_store *s, const jit_tramp *t, int part, uint8_t isa, int variant, uint8_t reading,
                        tv_key *k)
{
	tv_sha256_ctx c;
	tv_sha256_init(&c);
	put(&c, s->identity, sizeof s->identity);
	put_str(&c, "trampoline");
	uint64_t f[] = { (uint64_t)part, isa, (uint64_t)variant, reading, t->enter_off, t->exit_off, t->stub_off,
	                 t->stub_kind.off, t->stub_kind.width, t->stub_kind.enc, t->stub_kind.which,
	                 t->stub_pc.off, t->stub_pc.width, t->stub_pc.enc, t->stub_pc.which,
	                 t->oog_off[0], t->oog_off[1], t->oog_off[2],
	                 t->oog_cost[0].off, t->oog_cost[0].width, t->oog_cost[0].enc,
	                 t->oog_cost[1].off, t->oog_cost[1].width, t->oog_cost[1].enc,
	                 t->oog_pc[0].off, t->oog_pc[1].off };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) put_u64(&c, f[i]);
	put_bytes(&c, t->bytes, t->len);
	tv_sha256_final(&c, k->d);
}

bool tv_store_key_fallback(const tv_store *s, const sem_spec *sp, const char *kind, const pvm_inst *in,
                           jit_imm_class cls, int variant, jit_features f, uint8_t reading, uint64_t seed,
                           unsigned states, tv_key *k)
{
	tv_sha256_ctx c;
	key_begin(&c, s, "fallback", sp, variant, f, reading);
	/* the engines that run (jit/, interp/; pvm/ and validator/ are in the identity) and the
	 * mutant, any: a replacement template changes what runs, not only a hook */
	put_str(&c, JITPROOF_JIT_HASH);
	put_str(&c, JITPROOF_INTERP_HASH);
	put_str(&c, mutant_name(false));
	put_str(&c, kind);
	put_u64(&c, cls);
	put_inst(&c, in);
	put_u64(&c, seed);
	put_u64(&c, states);
	/* every entry of the revision: a state's test program may hold other opcodes, whose entries
	 * decide the region (its cost) */
	for (unsigned op = 0; op < PVM_NUM_OPS; op++)
		if (pvm_ops[op].name) put_entries(s, &c, sp, op, reading);
	tv_sha256_final(&c, k->d);
	return true;
}

bool tv_store_key_program(const tv_store *s, const sem_spec *sp, const pvm_program *p, const uint8_t *bytes,
                          size_t len, const pvm_inst *in, bool dispatch, int variant, jit_features f,
                          uint8_t reading, tv_key *k)
{
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	jit_err je = dispatch ? jit_dispatch_compile(p, in->pc, &blk) : jit_block_compile(p, 0, f, &blk);
	if (je != JIT_OK) {
		jit_block_fini(&blk);
		return false;
	}
	tv_sha256_ctx c;
	key_begin(&c, s, dispatch ? "dispatch" : "region", sp, variant, f, reading);
	put_u64(&c, p->isa);
	put_bytes(&c, bytes, len);
	put_inst(&c, in);
	put_u64(&c, dispatch ? 0 : tv_region_cost(sp, p, 0));
	put_bytes(&c, blk.bytes, blk.len);
	put_u64(&c, (uint64_t)blk.entry_pc << 32 | blk.cost);
	put_u64(&c, blk.n_map);
	for (size_t i = 0; i < blk.n_map; i++) put_u64(&c, (uint64_t)blk.map[i].host_off << 32 | blk.map[i].guest_pc);
	put_exits(s, &c, sp, reading, blk.exits, blk.n_exits);
	put_program_entries(s, &c, sp, p, reading);
	tv_sha256_final(&c, k->d);
	jit_block_fini(&blk);
	return true;
}

void tv_store_program_digest(const tv_store *s, const sem_spec *sp, const pvm_program *p, int variant, jit_features f,
                             uint8_t reading, bool whole_block, bool no_cross_check, bool memo, uint8_t out[32])
{
	tv_sha256_ctx c;
	key_begin(&c, s, "program", sp, variant, f, reading);
	put_str(&c, mutant_name(false));
	put_str(&c, JITPROOF_JIT_HASH); /* the linking proof reads the whole program as jit/ compiles it */
	put_u64(&c, (uint64_t)whole_block | (uint64_t)no_cross_check << 1 | (uint64_t)memo << 2);
	put_u64(&c, p->isa);
	put_bytes(&c, p->code, p->code_len);
	put_bytes(&c, p->bitmask, ((size_t)p->code_len + 7) / 8);
	put_u64(&c, p->jt_len);
	for (uint32_t i = 0; i < p->jt_len; i++) put_u64(&c, p->jump_table[i]);
	tv_sha256_final(&c, out);
}

void tv_store_key_block(const uint8_t digest[32], const sem_spec *sp, const pvm_program *p, uint32_t pc,
                        uint8_t reading, tv_key *k)
{
	tv_sha256_ctx c;
	tv_sha256_init(&c);
	put(&c, digest, 32);
	put_str(&c, "block");
	put_u64(&c, pc);
	/* the region's instructions as tv_region_len walks them (a block proof checks the JIT's
	 * block is exactly these; the walk is bounded: at most every instruction once) */
	const pvm_inst *in = pvm_inst_at(p, pc);
	for (uint32_t n = 0; n <= p->code_len + 1; n++, in = pvm_inst_at(p, in->next)) {
		put_u64(&c, in->pc);
		put_entries(NULL, &c, sp, in->op, reading);
		if (pvm_op_ends_region(in->op)) break;
	}
	tv_sha256_final(&c, k->d);
}

/* The prover's identity: what makes the same key mean the same query and the same solver. */
static void identity(uint8_t out[32])
{
	tv_sha256_ctx c;
	tv_sha256_init(&c);
	put_str(&c, STORE_MAGIC);
	put_str(&c, JITPROOF_SOURCE_HASH);
	/* what a query reads from jit/ besides the emitted code (which the keys hold): the register
	 * map (defined in jit/templates.c; the rest of these are jit.h's, in the digest too) */
	for (int i = 0; i < PVM_NUM_REGS; i++) put_u64(&c, jit_reg_map[i]);
	int64_t layout[] = { JIT_MEMBASE, JIT_SCRATCH, JIT_CTX(gas), JIT_CTX(exit_kind), JIT_CTX(exit_pc), JIT_JT(1, 0) };
	for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) put_u64(&c, (uint64_t)layout[i]);
	put_str(&c, Z3_get_full_version());
	int major = 0, minor = 0;
	cs_version(&major, &minor);
	put_u64(&c, (uint64_t)major << 32 | (uint32_t)minor);
	put_str(&c, __VERSION__);
#ifdef JITPROOF_SCRAMBLE
	put_str(&c, "scrambled opcode bytes");
#endif
	/* test-only: a different identity on demand (tests/store: everything is proved again) */
	put_str(&c, getenv("JITPROOF_STORE_IDENTITY_SALT"));
	/* a hook mutant changes values no key field holds (a replacement template changes the bytes) */
	put_str(&c, mutant_name(true));
	tv_sha256_final(&c, out);
}

/* ---- the folder ---------------------------------------------------------------------------- */

const char *tv_store_default_dir(char *buf, size_t n)
{
	const char *env = getenv("JITPROOF_CACHE"), *home = getenv("HOME");
	if (env && *env) snprintf(buf, n, "%s", env);
	else if (home && *home) snprintf(buf, n, "%s/.cache/jitproof", home);
	else return NULL;
	return buf;
}

/* mkdir -p: every missing folder of path. */
static bool make_dirs(const char *path)
{
	char *p = pvm_xstrdup(path);
	bool ok = true;
	for (char *q = p + 1; ok; q++) {
		if (*q && *q != '/') continue;
		char c = *q;
		*q = 0;
		ok = mkdir(p, 0777) == 0 || errno == EEXIST;
		*q = c;
		if (!c) break;
	}
	free(p);
	return ok;
}

static void warn(tv_store *s, const char *what, const char *path, int err)
{
	if (atomic_exchange(&s->warned, true)) return;
	fprintf(stderr, "jitproof %s: warning: proof store %s: %s (%s); going on without storing\n", s->cmd, path, what,
	        strerror(err));
}

/* ---- key sets ------------------------------------------------------------------------------- */

/* Open addressing over keys (their first 8 bytes are already uniform: SHA-256), at most half full. */

static size_t ks_slot(const keyset *ks, const tv_key *k)
{
	uint64_t h;
	memcpy(&h, k->d, 8);
	size_t i = (size_t)h & (ks->cap - 1);
	while (ks->used[i] && memcmp(ks->keys[i].d, k->d, 32)) i = (i + 1) & (ks->cap - 1);
	return i;
}

/* Is k in the set with word w? */
static bool ks_has(const keyset *ks, const tv_key *k, uint8_t w) { return ks->cap && ks->used[ks_slot(ks, k)] == w; }

/* Adds k with word w; false when k was there already (with its first word). */
static bool ks_add(keyset *ks, const tv_key *k, uint8_t w)
{
	if (2 * (ks->n + 1) > ks->cap) {
		keyset old = *ks;
		ks->cap = old.cap ? 2 * old.cap : 1024;
		ks->keys = pvm_xmalloc(ks->cap * sizeof *ks->keys);
		ks->used = pvm_xcalloc(ks->cap, 1);
		ks->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.used[i]) ks_add(ks, &old.keys[i], old.used[i]);
		free(old.keys);
		free(old.used);
	}
	size_t i = ks_slot(ks, k);
	if (ks->used[i]) return false;
	ks->keys[i] = *k;
	ks->used[i] = w;
	ks->n++;
	return true;
}

static void ks_free(keyset *ks)
{
	free(ks->keys);
	free(ks->used);
}

/* ---- records and packs ------------------------------------------------------------------------ */

/* A record: "KEY WORD ITEM SUM\n", KEY the key's 64 hex digits, WORD PROVED or AGREED, ITEM what
 * was proved or run (printable ASCII, for people), SUM the SHA-256 of STORE_MAGIC "\n" KEY " WORD "
 * ITEM. Returns its length (at most RECORD_MAX). */
static size_t record_text(const tv_key *k, uint8_t word, const char *what, char out[RECORD_MAX])
{
	char body[RECORD_MAX];
	int h = snprintf(body, sizeof body, STORE_MAGIC "\n");
	tv_sha256_hex(k->d, body + h);
	size_t n = (size_t)h + 64;
	n += (size_t)snprintf(body + n, sizeof body - n, "%s", words[word]);
	for (size_t i = 0; what[i] && i < WHAT_MAX; i++) body[n++] = what[i] >= 0x20 && what[i] < 0x7f ? what[i] : '?';
	uint8_t d[32];
	tv_sha256(body, n, d);
	size_t len = n - (size_t)h;
	memcpy(out, body + h, len);
	out[len++] = ' ';
	tv_sha256_hex(d, out + len);
	len += 64;
	out[len++] = '\n';
	return len;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Does the line [p, p + n) (without its newline) check as a record? Its key into *k, its word
 * into *w. */
static bool record_checks(const char *p, size_t n, tv_key *k, uint8_t *w)
{
	enum { HEAD = 64 + sizeof " PROVED " - 1, TAIL = 1 + 64 };
	if (n < HEAD + TAIL || n > RECORD_MAX || p[n - TAIL] != ' ') return false;
	*w = !memcmp(p + 64, words[WORD_PROVED], 8) ? WORD_PROVED : !memcmp(p + 64, words[WORD_AGREED], 8) ? WORD_AGREED : 0;
	if (!*w) return false;
	for (int i = 0; i < 32; i++) {
		int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);
		if (hi < 0 || lo < 0) return false;
		k->d[i] = (uint8_t)(hi << 4 | lo);
	}
	char body[RECORD_MAX + sizeof STORE_MAGIC];
	int h = snprintf(body, sizeof body, STORE_MAGIC "\n");
	memcpy(body + h, p, n - TAIL);
	uint8_t d[32];
	char want[65];
	tv_sha256(body, (size_t)h + n - TAIL, d);
	tv_sha256_hex(d, want);
	return !memcmp(p + n - 64, want, 64);
}

static bool read_file(const char *path, char **text, size_t *n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return false;
	struct stat st;
	if (fstat(fd, &st) || st.st_size < 0) {
		close(fd);
		return false;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *t = pvm_xmalloc(cap);
	ssize_t r;
	while (len < cap - 1 && ((r = read(fd, t + len, cap - 1 - len)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0) len += (size_t)r;
	close(fd);
	t[len] = 0;
	*text = t, *n = len;
	return true;
}

/* Calls fn on every line of the pack at path that checks as a record (its key and its text with
 * the newline); returns the number of lines that do not (torn, edited, a wrong sum), every line
 * when the pack does not start with this layout's header. False when it cannot be read (gone
 * since the listing: another run compacted it; a miss, nothing more). */
static bool each_record(const char *path, size_t *bad,
                        void (*fn)(void *ctx, const tv_key *k, uint8_t w, const char *line, size_t n), void *ctx)
{
	char *t;
	size_t n, magic = sizeof STORE_MAGIC "\n" - 1;
	if (!read_file(path, &t, &n)) return false;
	bool header = n >= magic && !memcmp(t, STORE_MAGIC "\n", magic);
	*bad = header ? 0 : 1;
	for (const char *p = t + (header ? magic : n), *end = t + n; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);
		tv_key k;
		uint8_t w;
		if (eol && record_checks(p, len, &k, &w)) fn(ctx, &k, w, p, len + 1);
		else ++*bad;
		p += len + 1;
	}
	free(t);
	return true;
}

static void hold(void *ksv, const tv_key *k, uint8_t w, const char *line, size_t n)
{
	(void)line, (void)n;
	ks_add(ksv, k, w);
}

/* Loads packs from, from + step, ... of s->read: every record that checks into *ks, the others
 * counted in *bad. */
typedef struct loader { const tv_store *s; size_t from, step, bad; keyset ks; } loader;

static void *load_packs(void *lv)
{
	loader *l = lv;
	for (size_t i = l->from; i < l->s->n_read; i += l->step) {
		size_t bad = 0;
		if (each_record(l->s->read[i], &bad, hold, &l->ks)) l->bad += bad;
	}
	return NULL;
}

/* Every pack read at open: the odd ones by a second thread when there are several (checking each
 * record's sum is most of a warm run's time before its workers start), merged into s->held. */
static void load_all(tv_store *s)
{
	loader l[2] = { { s, 0, 2, 0, { 0 } }, { s, 1, 2, 0, { 0 } } };
	pthread_t th;
	bool two = s->n_read > 1 && pthread_create(&th, NULL, load_packs, &l[1]) == 0;
	if (!two) l[0].step = 1;
	load_packs(&l[0]);
	if (two) pthread_join(th, NULL);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < l[k].ks.cap; i++)
			if (l[k].ks.used[i]) ks_add(&s->held, &l[k].ks.keys[i], l[k].ks.used[i]);
		ks_free(&l[k].ks);
		atomic_fetch_add(&s->ignored, l[k].bad);
		if (l[k].bad) s->dirty = true;
	}
}

/* Writes the pending records (and, compacting, every key of the set) as a new pack: a temporary
 * name, then renamed to pack-<SHA-256 of its content>, so a reader sees no pack or a whole one and
 * two runs never overwrite each other's different packs. Called with the lock held. */
static bool write_pack(tv_store *s, const char *text, size_t n)
{
	char tmp[DIR_MAX + 32], path[DIR_MAX + 96], hex[65];
	snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", s->dir);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		warn(s, "cannot write a pack", s->dir, errno);
		return false;
	}
	bool ok = true;
	for (size_t off = 0; ok && off < n;) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0 && errno == EINTR) continue;
		ok = w > 0;
		if (ok) off += (size_t)w;
	}
	int err = errno;
	ok = close(fd) == 0 && ok;
	uint8_t d[32];
	tv_sha256(text, n, d);
	tv_sha256_hex(d, hex);
	snprintf(path, sizeof path, "%s/pack-%.32s", s->dir, hex);
	if (ok && rename(tmp, path) == 0) {
		if (s->n_mine == s->cap_mine) {
			s->cap_mine = s->cap_mine ? 2 * s->cap_mine : 8;
			s->mine = pvm_xrealloc(s->mine, s->cap_mine * sizeof *s->mine);
		}
		s->mine[s->n_mine++] = pvm_xstrdup(path);
		return true;
	}
	err = ok ? errno : err;
	unlink(tmp);
	warn(s, "cannot write a pack", path, err);
	return false;
}

/* The pending records as a pack (they count as stored once written). */
static void flush_locked(tv_store *s)
{
	if (!s->pending_n) return;
	if (write_pack(s, s->pending, s->pending_len)) {
		atomic_fetch_add(&s->stored, s->pending_n - s->pending_agreed);
		atomic_fetch_add(&s->agreed_stored, s->pending_agreed);
	}
	s->pending_len = sizeof STORE_MAGIC "\n" - 1; /* the header stays */
	s->pending_n = s->pending_agreed = 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

tv_store *tv_store_open(const char *dir, const char *cmd)
{
	if (strlen(dir) > DIR_MAX - sizeof "/" STORE_LAYOUT) {
		fprintf(stderr, "jitproof %s: warning: proof store %.100s...: the path is too long; running without the store\n",
		        cmd, dir);
		return NULL;
	}
	tv_store *s = pvm_xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	size_t n = strlen(dir) + sizeof "/" STORE_LAYOUT;
	s->dir = pvm_xmalloc(n);
	snprintf(s->dir, n, "%s/%s", dir, STORE_LAYOUT);
	s->cmd = cmd;
	identity(s->identity);
	/* a probe file: the folder must take new packs */
	char probe[DIR_MAX + 16];
	snprintf(probe, sizeof probe, "%s/.probe-XXXXXX", s->dir);
	int fd = make_dirs(s->dir) ? mkstemp(probe) : -1;
	if (fd < 0) {
		fprintf(stderr, "jitproof %s: warning: proof store %s: cannot create or write it (%s); running without the store\n",
		        cmd, dir, strerror(errno));
		tv_store_close(s);
		return NULL;
	}
	close(fd);
	unlink(probe);
	/* every pack there now (sorted: the same order for every run) */
	DIR *d = opendir(s->dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strncmp(e->d_name, "pack-", 5)) continue;
		if (s->n_read == s->cap_read) {
			s->cap_read = s->cap_read ? 2 * s->cap_read : 8;
			s->read = pvm_xrealloc(s->read, s->cap_read * sizeof *s->read);
		}
		size_t m = strlen(s->dir) + strlen(e->d_name) + 2;
		s->read[s->n_read] = pvm_xmalloc(m);
		snprintf(s->read[s->n_read++], m, "%s/%s", s->dir, e->d_name);
	}
	if (d) closedir(d);
	if (s->n_read) qsort(s->read, s->n_read, sizeof *s->read, by_name);
	load_all(s);
	s->pending_cap = 1 << 16;
	s->pending = pvm_xmalloc(s->pending_cap);
	s->pending_len = (size_t)snprintf(s->pending, s->pending_cap, STORE_MAGIC "\n");
	return s;
}

/* The text of a compacted pack: each key's first record, verbatim. */
typedef struct compacting { keyset seen; char *text; size_t len, cap; } compacting;

static void keep_record(void *cv, const tv_key *k, uint8_t w, const char *line, size_t n)
{
	compacting *c = cv;
	if (!ks_add(&c->seen, k, w)) return;
	if (c->len + n > c->cap) c->cap = 2 * (c->len + n), c->text = pvm_xrealloc(c->text, c->cap);
	memcpy(c->text + c->len, line, n);
	c->len += n;
}

/* One pack with every record that checks of the packs this run read and wrote, replacing them:
 * when a pack held a record that did not check (so that it is not counted again), or when packs
 * have piled up. A pack another run writes meanwhile is not touched; one it compacts away at the
 * same time holds nothing the new pack does not. */
static void compact_locked(tv_store *s)
{
	if (!s->dirty && s->n_read + s->n_mine <= COMPACT_AFTER) return;
	compacting c = { .cap = 1 << 16 };
	c.text = pvm_xmalloc(c.cap);
	c.len = (size_t)snprintf(c.text, c.cap, STORE_MAGIC "\n");
	size_t n_old = s->n_read + s->n_mine, bad;
	char **old = pvm_xmalloc((n_old + 1) * sizeof *old);
	memcpy(old, s->read, s->n_read * sizeof *old);
	memcpy(old + s->n_read, s->mine, s->n_mine * sizeof *old);
	for (size_t i = 0; i < n_old; i++) each_record(old[i], &bad, keep_record, &c);
	size_t at = s->n_mine;
	if (write_pack(s, c.text, c.len))
		for (size_t i = 0; i < n_old; i++)
			if (strcmp(old[i], s->mine[at])) unlink(old[i]); /* (a pack of the same content keeps its name) */
	free(old);
	free(c.text);
	ks_free(&c.seen);
}

void tv_store_close(tv_store *s)
{
	if (!s) return;
	if (s->pending) {
		pthread_mutex_lock(&s->lock);
		flush_locked(s);
		compact_locked(s);
		pthread_mutex_unlock(&s->lock);
	}
	for (size_t i = 0; i < s->n_read; i++) free(s->read[i]);
	for (size_t i = 0; i < s->n_mine; i++) free(s->mine[i]);
	free(s->read);
	free(s->mine);
	ks_free(&s->held);
	free(s->pending);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}

const char *tv_store_dir(const tv_store *s) { return s->dir; }

void tv_store_flush(tv_store *s)
{
	pthread_mutex_lock(&s->lock);
	flush_locked(s);
	pthread_mutex_unlock(&s->lock);
}

tv_store_counts tv_store_get_counts(const tv_store *s)
{
	return (tv_store_counts){ atomic_load(&s->reused), atomic_load(&s->stored), atomic_load(&s->ignored),
		                  atomic_load(&s->agreed_reused), atomic_load(&s->agreed_stored) };
}

/* ---- entries ------------------------------------------------------------------------------- */

static bool get_word(tv_store *s, const tv_key *k, uint8_t w, atomic_size_t *count)
{
	pthread_mutex_lock(&s->lock);
	bool hit = ks_has(&s->held, k, w);
	pthread_mutex_unlock(&s->lock);
	if (hit) atomic_fetch_add(count, 1);
	return hit;
}

bool tv_store_get(tv_store *s, const tv_key *k) { return get_word(s, k, WORD_PROVED, &s->reused); }
bool tv_store_get_agreed(tv_store *s, const tv_key *k) { return get_word(s, k, WORD_AGREED, &s->agreed_reused); }

static void put_word(tv_store *s, const tv_key *k, uint8_t w, const char *what)
{
	char r[RECORD_MAX];
	size_t n = record_text(k, w, what, r);
	pthread_mutex_lock(&s->lock);
	if (ks_add(&s->held, k, w)) {
		if (s->pending_len + n > s->pending_cap) {
			s->pending_cap *= 2;
			s->pending = pvm_xrealloc(s->pending, s->pending_cap);
		}
		memcpy(s->pending + s->pending_len, r, n);
		s->pending_len += n;
		/* written every FLUSH_EVERY records: a run that is killed keeps most of what it proved */
		if (w == WORD_AGREED) s->pending_agreed++;
		if (++s->pending_n >= FLUSH_EVERY) flush_locked(s);
	}
	pthread_mutex_unlock(&s->lock);
}

void tv_store_put(tv_store *s, const tv_key *k, const char *what) { put_word(s, k, WORD_PROVED, what); }

/* ---- verdicts of the commands' results ---------------------------------------------------- */

tv_verdict tv_store_reused(tv_result *res)
{
	snprintf(res->detail, sizeof res->detail, "unsat (from the proof store)");
	res->ms = 0;
	return TV_PROVED;
}

tv_verdict tv_store_reused_agreed(tv_result *res, unsigned states)
{
	snprintf(res->detail, sizeof res->detail, "%u states agree (from the proof store)", states);
	res->ms = 0;
	return TV_FALLBACK_AGREE;
}

static void put_result(tv_store *s, const tv_key *k, const tv_result *res, uint8_t w)
{
	char what[160];
	int n = snprintf(what, sizeof what, "%s", pvm_ops[res->op].name);
	for (int j = 0; j < res->nregs; j++) n += snprintf(what + n, sizeof what - n, "%sr%u", j ? "," : " ", res->regs[j]);
	snprintf(what + n, sizeof what - n, " [%s, %s, GP %s, reading %s]", res->what, tv_variant_name(res->variant),
	         pvm_isa_name((pvm_isa)res->isa), pvm_reading_name(res->reading));
	put_word(s, k, w, what);
}

void tv_store_put_result(tv_store *s, const tv_key *k, const tv_result *res) { put_result(s, k, res, WORD_PROVED); }
void tv_store_put_agreed(tv_store *s, const tv_key *k, const tv_result *res) { put_result(s, k, res, WORD_AGREED); }

void tv_report_store(tv_report *rep, tv_store *s)
{
	if (!s) return;
	tv_store_flush(s); /* stored counts what is written */
	tv_store_counts c = tv_store_get_counts(s);
	rep->store = true;
	rep->store_reused = c.reused;
	rep->store_stored = c.stored;
	rep->store_ignored = c.ignored;
	rep->store_agreed_reused = c.agreed_reused;
	rep->store_agreed_stored = c.agreed_stored;
}
