/* validator/store.c: the persistent proof store (store.h). Layout: DIR/v1/ab/cdef... (the key's
 * 64 hex digits, split after two), one small text file per PROVED entry:
 *   jitproof proof store v1
 *   key <the key's 64 hex digits>
 *   verdict PROVED
 *   item <what was proved, for people>
 *   sum <SHA-256 of the four lines above>
 * An entry is trusted only if it is exactly that, with its own key and a sum that checks. A key is
 * the SHA-256 of the store's identity followed by the item's fields, each written at a fixed width
 * or with its length first, so two different field lists never hash the same bytes. */
#include <errno.h>
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

#define STORE_LAYOUT "v1"
#define STORE_MAGIC "jitproof proof store " STORE_LAYOUT
enum { ENTRY_MAX = 1024, WHAT_MAX = 200, DIR_MAX = 4000 };

struct tv_store {
	char *dir;                 /* DIR/v1 */
	const char *cmd;           /* for the warning line */
	uint8_t identity[32];
	atomic_size_t reused, stored, ignored;
	atomic_bool warned;        /* a failed write has been reported */
	/* the digest of put_entries' stream, per spec (the first two seen), opcode and reading */
	pthread_mutex_t lock;
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
	bool ok = tv_template_code(in0, cls, sem_spec_isa(sp), f, &in, t, why, sizeof why);
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
	size_t n;
	const pvm_mutant *m = pvm_mutants(&n);
	pvm_mutant_id id = pvm_mutant_active();
	put_str(&c, id != PVM_MUT_NONE && m && (size_t)id <= n ? m[id - 1].name : "");
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
	size_t n;
	const pvm_mutant *m = pvm_mutants(&n);
	pvm_mutant_id id = pvm_mutant_active();
	put_str(&c, id != PVM_MUT_NONE && m && (size_t)id <= n && m[id - 1].hook != PVM_HOOK_NONE ? m[id - 1].name : "");
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
	/* a probe file: the folder must take new entries */
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
	return s;
}

void tv_store_close(tv_store *s)
{
	if (!s) return;
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}

const char *tv_store_dir(const tv_store *s) { return s->dir; }

tv_store_counts tv_store_get_counts(const tv_store *s)
{
	return (tv_store_counts){ atomic_load(&s->reused), atomic_load(&s->stored), atomic_load(&s->ignored) };
}

/* ---- entries ------------------------------------------------------------------------------- */

/* The folder DIR/v1/ab of key k, and its file's path (the store's folder is at most DIR_MAX long). */
typedef struct entry_path { char hex[65], sub[DIR_MAX + 8], path[DIR_MAX + 80], tmp[DIR_MAX + 24]; } entry_path;
static void entry_paths(const tv_store *s, const tv_key *k, entry_path *e)
{
	tv_sha256_hex(k->d, e->hex);
	snprintf(e->sub, sizeof e->sub, "%s/%.2s", s->dir, e->hex);
	snprintf(e->path, sizeof e->path, "%s/%s", e->sub, e->hex + 2);
	snprintf(e->tmp, sizeof e->tmp, "%s/.tmp-XXXXXX", e->sub);
}

/* The entry's text for key hex: the four lines, then the sum line. Returns its length. */
static size_t entry_text(const char *hex, const char *what, char out[ENTRY_MAX])
{
	char item[WHAT_MAX + 1];
	size_t i = 0;
	for (; what[i] && i < WHAT_MAX; i++) item[i] = what[i] >= 0x20 && what[i] < 0x7f ? what[i] : '?';
	item[i] = 0;
	int body = snprintf(out, ENTRY_MAX, STORE_MAGIC "\nkey %s\nverdict PROVED\nitem %s\n", hex, item);
	uint8_t d[32];
	char sum[65];
	tv_sha256(out, (size_t)body, d);
	tv_sha256_hex(d, sum);
	return (size_t)body + (size_t)snprintf(out + body, ENTRY_MAX - body, "sum %s\n", sum);
}

/* Does text[0..n) check as the entry of key hex? (the item line is whatever it is: the sum covers it) */
static bool entry_checks(const char *text, size_t n, const char *hex)
{
	char head[128];
	int h = snprintf(head, sizeof head, STORE_MAGIC "\nkey %s\nverdict PROVED\nitem ", hex);
	if (n >= ENTRY_MAX || n < (size_t)h || memcmp(text, head, (size_t)h)) return false;
	const char *eol = memchr(text + h, '\n', n - (size_t)h);
	if (!eol) return false;
	size_t body = (size_t)(eol + 1 - text);
	uint8_t d[32];
	char want[80];
	tv_sha256(text, body, d);
	tv_sha256_hex(d, want + 4);
	memcpy(want, "sum ", 4);
	want[68] = '\n';
	return n - body == 69 && !memcmp(text + body, want, 69);
}

bool tv_store_get(tv_store *s, const tv_key *k)
{
	entry_path e;
	entry_paths(s, k, &e);
	int fd = open(e.path, O_RDONLY);
	if (fd < 0) {
		if (errno != ENOENT) atomic_fetch_add(&s->ignored, 1);
		return false;
	}
	char text[ENTRY_MAX];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof text && (r = read(fd, text + n, sizeof text - n)) > 0) n += (size_t)r;
	close(fd);
	if (!entry_checks(text, n, e.hex)) {
		atomic_fetch_add(&s->ignored, 1);
		return false;
	}
	atomic_fetch_add(&s->reused, 1);
	return true;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return false;
		p += w, n -= (size_t)w;
	}
	return true;
}

void tv_store_put(tv_store *s, const tv_key *k, const char *what)
{
	entry_path e;
	entry_paths(s, k, &e);
	char text[ENTRY_MAX];
	size_t n = entry_text(e.hex, what, text);
	/* a temporary name in the same folder, then rename: a reader sees no entry or a whole one */
	int fd = mkdir(e.sub, 0777) == 0 || errno == EEXIST ? mkstemp(e.tmp) : -1;
	if (fd < 0) {
		warn(s, "cannot write an entry", e.sub, errno);
		return;
	}
	bool ok = write_all(fd, text, n);
	int err = errno;
	ok = close(fd) == 0 && ok;
	if (ok && rename(e.tmp, e.path) == 0) {
		atomic_fetch_add(&s->stored, 1);
		return;
	}
	err = ok ? errno : err;
	unlink(e.tmp);
	warn(s, "cannot write an entry", e.path, err);
}

/* ---- verdicts of the commands' results ---------------------------------------------------- */

tv_verdict tv_store_reused(tv_result *res)
{
	snprintf(res->detail, sizeof res->detail, "unsat (from the proof store)");
	res->ms = 0;
	return TV_PROVED;
}

void tv_store_put_result(tv_store *s, const tv_key *k, const tv_result *res)
{
	char what[160];
	int n = snprintf(what, sizeof what, "%s", pvm_ops[res->op].name);
	for (int j = 0; j < res->nregs; j++) n += snprintf(what + n, sizeof what - n, "%sr%u", j ? "," : " ", res->regs[j]);
	snprintf(what + n, sizeof what - n, " [%s, %s, GP %s, reading %s]", res->what, tv_variant_name(res->variant),
	         pvm_isa_name((pvm_isa)res->isa), pvm_reading_name(res->reading));
	tv_store_put(s, k, what);
}

void tv_report_store(tv_report *rep, const tv_store *s)
{
	if (!s) return;
	tv_store_counts c = tv_store_get_counts(s);
	rep->store = true;
	rep->store_reused = c.reused;
	rep->store_stored = c.stored;
	rep->store_ignored = c.ignored;
}
