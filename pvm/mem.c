/* pvm/mem.c: sparse paged 2^32-byte guest memory. A two-level table (1024 × 1024 entries)
 * maps a page number to its permission and data; a mapped page shares one static zero page
 * until its first write. Each level keeps a bitmap of its used entries, so walking, cloning,
 * comparing and freeing a memory costs what is mapped, not the size of the table. All addresses
 * wrap mod 2^32. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "pvm.h"

enum { L2_BITS = 10, L2_SIZE = 1 << L2_BITS, L1_SIZE = PVM_NUM_PAGES >> L2_BITS, WORDS = L2_SIZE / 64 };

/* A mapped page points at its own 4 KiB or, until first written, at the shared zero page. */
typedef struct page {
	uint8_t *data;         /* NULL = unmapped */
	uint8_t perm;
} page;

typedef struct l2 {
	uint64_t used[WORDS];  /* bit j: pg[j] is mapped; an entry whose bit is clear is garbage */
	uint32_t sum;          /* bit w: used[w] is not zero (walks skip the empty words) */
	page pg[L2_SIZE];
} l2;

static inline bool has(const l2 *t, uint32_t j) { return t->used[j / 64] >> (j % 64) & 1; }

struct pvm_mem {
	uint64_t used[L1_SIZE / 64]; /* bit i: l1[i] is a table; an entry whose bit is clear is garbage */
	uint32_t sum;                /* bit w: used[w] is not zero */
	l2 *l1[L1_SIZE];
};

static inline l2 *level2(const pvm_mem *m, uint32_t i) { return m->used[i / 64] >> (i % 64) & 1 ? m->l1[i] : NULL; }

static const uint8_t zero_page[PVM_PAGE];

/* A thread keeps up to keep_max[kind] of each kind of block it freed (memories, second-level
 * tables: 8 to 16 KiB each, where malloc's bins and consolidation cost more than the work done on a
 * small state; pages) and takes them back before asking malloc: a block taken is initialised as a
 * fresh one is (the bitmaps cleared, a page zeroed or copied over), so nothing of its past is read.
 * Pages are kept up to 4 MiB: a run that writes megabytes frees as many when its state goes, and
 * malloc gave them back to the kernel (its heap trimmed), so the next state of the same size took
 * a page fault for each page again (bench memscan's JIT run 18.4 -> 12.7 ms on session 15's VM, where a
 * fault costs about 10 us: 466 faults a run). The kept blocks are freed when the thread ends. */
enum { BLK_MEM, BLK_L2, BLK_PAGE, BLK_KINDS, BLK_KEEP = 16, PAGE_KEEP = 1024 };
static const unsigned keep_max[BLK_KINDS] = { BLK_KEEP, BLK_KEEP, PAGE_KEEP };
typedef struct blk_keep {
	void *v[BLK_KINDS - 1][BLK_KEEP];
	void *pages[PAGE_KEEP];
	unsigned n[BLK_KINDS];
	bool freed_at_end;             /* kept_free is registered for this thread */
} blk_keep;
static __thread blk_keep kept;
static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;
/* The slots of kind's kept blocks. */
static inline void **slots(blk_keep *k, int kind) { return kind == BLK_PAGE ? k->pages : k->v[kind]; }
static void kept_free(void *p)
{
	blk_keep *k = p;
	for (int i = 0; i < BLK_KINDS; i++)
		while (k->n[i]) free(slots(k, i)[--k->n[i]]);
	k->freed_at_end = false;
}
static void kept_init(void) { pthread_key_create(&kept_key, kept_free); }

static void *blk_take(int kind, size_t size)
{
	return kept.n[kind] ? slots(&kept, kind)[--kept.n[kind]] : pvm_xmalloc(size);
}

static void blk_give(int kind, void *p)
{
	if (kept.n[kind] == keep_max[kind]) {
		free(p);
		return;
	}
	if (!kept.freed_at_end) {
		pthread_once(&kept_once, kept_init);
		pthread_setspecific(kept_key, &kept);
		kept.freed_at_end = true;
	}
	slots(&kept, kind)[kept.n[kind]++] = p;
}

static inline page *get_page(const pvm_mem *m, uint32_t pn)
{
	l2 *t = level2(m, (pn & (PVM_NUM_PAGES - 1)) >> L2_BITS);
	if (!t) return NULL;
	uint32_t j = pn & (L2_SIZE - 1);
	return has(t, j) ? &t->pg[j] : NULL;
}

/* Gives the page private storage before a write; aborts only when the host is out of memory. */
static inline uint8_t *own(page *pg)
{
	if (pg->data == zero_page) {
		pg->data = memset(blk_take(BLK_PAGE, PVM_PAGE), 0, PVM_PAGE);
	}
	return pg->data;
}

static void release(l2 *t, uint32_t j)
{
	page *pg = &t->pg[j];
	if (pg->data != zero_page) blk_give(BLK_PAGE, pg->data);
	pg->data = NULL;
	pg->perm = PVM_NONE;
	t->used[j / 64] &= ~(1ull << (j % 64));
	if (!t->used[j / 64]) t->sum &= ~(1u << (j / 64));
}

/* Calls body with the index of every set bit of the words w whose bits are set in sum, in
 * ascending order (the body is the rest of the arguments, commas and all). */
#define EACH_BIT(w, sum, idx, ...)                                                                 \
	for (uint32_t s_ = (sum); s_; s_ &= s_ - 1)                                                    \
		for (uint32_t w_ = (uint32_t)__builtin_ctz(s_), b0_ = 1; b0_; b0_ = 0)                     \
			for (uint64_t b_ = (w)[w_]; b_; b_ &= b_ - 1) {                                        \
				uint32_t idx = w_ * 64 + (uint32_t)__builtin_ctzll(b_);                            \
				__VA_ARGS__;                                                                       \
			}

bool pvm_mem_page_untouched(const uint8_t *data) { return data == zero_page; }

pvm_mem *pvm_mem_new(void)
{
	pvm_mem *m = blk_take(BLK_MEM, sizeof(pvm_mem));
	memset(m->used, 0, sizeof m->used);
	m->sum = 0;
	return m;
}

void pvm_mem_free(pvm_mem *m)
{
	if (!m) return;
	EACH_BIT(m->used, m->sum, i, {
		l2 *t = m->l1[i];
		EACH_BIT(t->used, t->sum, j, if (t->pg[j].data != zero_page) blk_give(BLK_PAGE, t->pg[j].data));
		blk_give(BLK_L2, t);
	});
	blk_give(BLK_MEM, m);
}

static l2 *table(pvm_mem *m, uint32_t i)
{
	if (!level2(m, i)) { /* only the bitmap is cleared: entries are written when their bit is set */
		m->l1[i] = blk_take(BLK_L2, sizeof(l2));
		memset(m->l1[i]->used, 0, sizeof m->l1[i]->used);
		m->l1[i]->sum = 0;
		m->used[i / 64] |= 1ull << (i % 64);
		m->sum |= 1u << (i / 64);
	}
	return m->l1[i];
}

pvm_mem *pvm_mem_clone(const pvm_mem *m)
{
	pvm_mem *c = pvm_mem_new();
	EACH_BIT(m->used, m->sum, i, {
		const l2 *s = m->l1[i];
		l2 *d = table(c, i);
		memcpy(d->used, s->used, sizeof d->used);
		d->sum = s->sum;
		EACH_BIT(s->used, s->sum, j, {
			d->pg[j].perm = s->pg[j].perm;
			d->pg[j].data = s->pg[j].data == zero_page ? (uint8_t *)zero_page
			                : memcpy(blk_take(BLK_PAGE, PVM_PAGE), s->pg[j].data, PVM_PAGE);
		});
	});
	return c;
}

void pvm_mem_map(pvm_mem *m, uint32_t addr, uint64_t len, pvm_perm perm)
{
	if (len == 0) return;
	uint64_t first = addr >> PVM_PAGE_SHIFT;
	uint64_t last = ((uint64_t)addr + len - 1) >> PVM_PAGE_SHIFT;
	if (last - first >= PVM_NUM_PAGES) last = first + PVM_NUM_PAGES - 1;
	for (uint64_t n = first; n <= last; n++) {
		uint32_t pn = (uint32_t)(n & (PVM_NUM_PAGES - 1)), i = pn >> L2_BITS, j = pn & (L2_SIZE - 1);
		if (perm == PVM_NONE) {
			if (level2(m, i) && has(m->l1[i], j)) release(m->l1[i], j);
			continue;
		}
		l2 *t = table(m, i);
		page *pg = &t->pg[j];
		if (!has(t, j)) {
			pg->data = (uint8_t *)zero_page;
			t->used[j / 64] |= 1ull << (j % 64);
			t->sum |= 1u << (j / 64);
		}
		pg->perm = (uint8_t)perm;
	}
}

/* The first page in [pn, end] whose mapped bit is `mapped`, or end + 1: a second-level table at a
 * time (an absent one: no page mapped), its bitmap a word at a time. */
static uint32_t next_page(const pvm_mem *m, uint32_t pn, uint32_t end, bool mapped)
{
	while (pn <= end) {
		uint32_t i = pn >> L2_BITS, j = pn & (L2_SIZE - 1);
		const l2 *t = level2(m, i);
		if (!t && !mapped) return pn;
		for (uint32_t w = j / 64; t && w < WORDS; w++) {
			uint64_t bits = (mapped ? t->used[w] : ~t->used[w]) & (w == j / 64 ? ~0ull << (j % 64) : ~0ull);
			if (bits) {
				uint32_t at = i << L2_BITS | (w * 64 + (uint32_t)__builtin_ctzll(bits));
				return at <= end ? at : end + 1;
			}
		}
		pn = (i + 1) << L2_BITS;
	}
	return end + 1;
}

uint32_t pvm_mem_next_mapped(const pvm_mem *m, uint32_t pn, uint32_t end) { return next_page(m, pn, end, true); }
uint32_t pvm_mem_next_unmapped(const pvm_mem *m, uint32_t pn, uint32_t end) { return next_page(m, pn, end, false); }

pvm_perm pvm_mem_perm(const pvm_mem *m, uint32_t pn)
{
	const page *pg = get_page(m, pn);
	return pg ? (pvm_perm)pg->perm : PVM_NONE;
}

uint8_t *pvm_mem_page(pvm_mem *m, uint32_t pn)
{
	page *pg = get_page(m, pn);
	return pg ? own(pg) : NULL;
}

const uint8_t *pvm_mem_page_c(const pvm_mem *m, uint32_t pn)
{
	const page *pg = get_page(m, pn);
	return pg ? pg->data : NULL;
}

void pvm_mem_each(const pvm_mem *m, void (*fn)(void *ctx, uint32_t page, pvm_perm perm,
                                              const uint8_t *data), void *ctx)
{
	EACH_BIT(m->used, m->sum, i, {
		const l2 *t = m->l1[i];
		EACH_BIT(t->used, t->sum, j, fn(ctx, i << L2_BITS | j, (pvm_perm)t->pg[j].perm, t->pg[j].data));
	});
}
uint8_t *pvm_mem_ptr(pvm_mem *m, uint32_t addr, uint32_t n, bool write)
{
	page *pg = get_page(m, addr >> PVM_PAGE_SHIFT);
	if (!pg || (addr & (PVM_PAGE - 1)) + n > PVM_PAGE) return NULL;
	if (!write) return pg->perm == PVM_NONE ? NULL : pg->data + (addr & (PVM_PAGE - 1));
	return pg->perm == PVM_WRITE ? own(pg) + (addr & (PVM_PAGE - 1)) : NULL;
}

bool pvm_mem_poke(pvm_mem *m, uint32_t addr, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	while (len) {
		page *pg = get_page(m, addr >> PVM_PAGE_SHIFT);
		uint32_t o = addr & (PVM_PAGE - 1), k = PVM_PAGE - o;
		if (k > len) k = len;
		if (!pg) return false;
		memcpy(own(pg) + o, s, k);
		s += k;
		len -= k;
		addr += k;
	}
	return true;
}

bool pvm_mem_peek(const pvm_mem *m, uint32_t addr, void *dst, uint32_t len)
{
	uint8_t *d = dst;
	while (len) {
		const page *pg = get_page(m, addr >> PVM_PAGE_SHIFT);
		uint32_t o = addr & (PVM_PAGE - 1), k = PVM_PAGE - o;
		if (k > len) k = len;
		if (!pg) return false;
		memcpy(d, pg->data + o, k);
		d += k;
		len -= k;
		addr += k;
	}
	return true;
}

/* Lowest offending address = smallest address value among the bad bytes (after wrapping). */
bool pvm_mem_check(const pvm_mem *m, uint32_t addr, uint32_t n, bool write, uint32_t *fault)
{
	bool ok = true;
	uint32_t low = 0;
	for (uint32_t i = 0; i < n;) {
		uint32_t a = addr + i;
		const page *pg = get_page(m, a >> PVM_PAGE_SHIFT);
		uint32_t k = PVM_PAGE - (a & (PVM_PAGE - 1));
		if (k > n - i) k = n - i;
		bool good = pg && (write ? pg->perm == PVM_WRITE : pg->perm != PVM_NONE);
		if (!good && (ok || a < low)) {
			low = a;
			ok = false;
		}
		i += k;
	}
	if (!ok && fault) *fault = low;
	return ok;
}

/* Compares the pages mapped in either memory, in ascending order: the union of both bitmaps. */
static bool page_diff(const page *pa, const page *pq, uint32_t base, uint32_t *addr, int *va, int *vb)
{
	if (!pa || !pq || pa->perm != pq->perm) {
		*addr = base;
		*va = pa ? pa->data[0] : -1;
		*vb = pq ? pq->data[0] : -1;
		return true;
	}
	if (pa->data == pq->data || !memcmp(pa->data, pq->data, PVM_PAGE)) return false;
	uint32_t k = 0;
	while (pa->data[k] == pq->data[k]) k++;
	*addr = base + k;
	*va = pa->data[k];
	*vb = pq->data[k];
	return true;
}

bool pvm_mem_diff(const pvm_mem *a, const pvm_mem *b, uint32_t *addr, int *va, int *vb)
{
	uint64_t used1[L1_SIZE / 64];
	for (uint32_t w = 0; w < L1_SIZE / 64; w++) used1[w] = a->used[w] | b->used[w];
	EACH_BIT(used1, a->sum | b->sum, i, {
		const l2 *ta = level2(a, i), *tb = level2(b, i);
		uint64_t used2[WORDS];
		for (uint32_t v = 0; v < WORDS; v++) used2[v] = (ta ? ta->used[v] : 0) | (tb ? tb->used[v] : 0);
		EACH_BIT(used2, (ta ? ta->sum : 0) | (tb ? tb->sum : 0), j, {
			if (page_diff(ta && has(ta, j) ? &ta->pg[j] : NULL, tb && has(tb, j) ? &tb->pg[j] : NULL,
			              (i << L2_BITS | j) << PVM_PAGE_SHIFT, addr, va, vb))
				return true;
		});
	});
	return false;
}
