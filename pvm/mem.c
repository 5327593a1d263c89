/* pvm/mem.c: sparse paged 2^32-byte guest memory. A two-level table (1024 × 1024 entries)
 * maps a page number to its permission and data; a mapped page shares one static zero page
 * until its first write. All addresses wrap mod 2^32. */
#include <stdlib.h>
#include <string.h>
#include "pvm.h"

enum { L2_BITS = 10, L2_SIZE = 1 << L2_BITS, L1_SIZE = PVM_NUM_PAGES >> L2_BITS };

/* A mapped page points at its own 4 KiB or, until first written, at the shared zero page. */
typedef struct page {
	uint8_t *data;         /* NULL = unmapped */
	uint8_t perm;
} page;

struct pvm_mem {
	page *l1[L1_SIZE];     /* each NULL or an array of L2_SIZE entries */
};

static const uint8_t zero_page[PVM_PAGE];

static inline page *get_page(const pvm_mem *m, uint32_t pn)
{
	page *l2 = m->l1[(pn & (PVM_NUM_PAGES - 1)) >> L2_BITS];
	if (!l2) return NULL;
	page *pg = &l2[pn & (L2_SIZE - 1)];
	return pg->data ? pg : NULL;
}

/* Gives the page private storage before a write; aborts only when the host is out of memory. */
static inline uint8_t *own(page *pg)
{
	if (pg->data == zero_page) {
		pg->data = pvm_xcalloc(1, PVM_PAGE);
	}
	return pg->data;
}

static void release(page *pg)
{
	if (pg->data != zero_page) free(pg->data);
	pg->data = NULL;
	pg->perm = PVM_NONE;
}

bool pvm_mem_page_untouched(const uint8_t *data) { return data == zero_page; }

pvm_mem *pvm_mem_new(void)
{
	return pvm_xcalloc(1, sizeof(pvm_mem));
}

void pvm_mem_free(pvm_mem *m)
{
	if (!m) return;
	for (size_t i = 0; i < L1_SIZE; i++) {
		if (!m->l1[i]) continue;
		for (size_t j = 0; j < L2_SIZE; j++)
			if (m->l1[i][j].data) release(&m->l1[i][j]);
		free(m->l1[i]);
	}
	free(m);
}

pvm_mem *pvm_mem_clone(const pvm_mem *m)
{
	pvm_mem *c = pvm_mem_new();
	for (size_t i = 0; i < L1_SIZE; i++) {
		if (!m->l1[i]) continue;
		c->l1[i] = pvm_xcalloc(L2_SIZE, sizeof(page));
		for (size_t j = 0; j < L2_SIZE; j++) {
			const page *src = &m->l1[i][j];
			page *dst = &c->l1[i][j];
			if (!src->data) continue;
			dst->perm = src->perm;
			dst->data = (uint8_t *)zero_page;
			if (src->data != zero_page) {
				dst->data = memcpy(pvm_xmalloc(PVM_PAGE), src->data, PVM_PAGE);
			}
		}
	}
	return c;
}

void pvm_mem_map(pvm_mem *m, uint32_t addr, uint64_t len, pvm_perm perm)
{
	if (len == 0) return;
	uint64_t first = addr >> PVM_PAGE_SHIFT;
	uint64_t last = ((uint64_t)addr + len - 1) >> PVM_PAGE_SHIFT;
	if (last - first >= PVM_NUM_PAGES) last = first + PVM_NUM_PAGES - 1;
	for (uint64_t n = first; n <= last; n++) {
		uint32_t pn = (uint32_t)(n & (PVM_NUM_PAGES - 1));
		page **l2 = &m->l1[pn >> L2_BITS];
		if (perm == PVM_NONE) {
			if (*l2 && (*l2)[pn & (L2_SIZE - 1)].data) release(&(*l2)[pn & (L2_SIZE - 1)]);
			continue;
		}
		if (!*l2) *l2 = pvm_xcalloc(L2_SIZE, sizeof(page));
		page *pg = &(*l2)[pn & (L2_SIZE - 1)];
		if (!pg->data) pg->data = (uint8_t *)zero_page;
		pg->perm = (uint8_t)perm;
	}
}

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
	for (uint32_t i = 0; i < L1_SIZE; i++) {
		if (!m->l1[i]) continue;
		for (uint32_t j = 0; j < L2_SIZE; j++) {
			const page *pg = &m->l1[i][j];
			if (pg->data) fn(ctx, i << L2_BITS | j, (pvm_perm)pg->perm, pg->data);
		}
	}
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

bool pvm_mem_diff(const pvm_mem *a, const pvm_mem *b, uint32_t *addr, int *va, int *vb)
{
	for (uint32_t pn = 0; pn < PVM_NUM_PAGES; pn++) {
		if (!a->l1[pn >> L2_BITS] && !b->l1[pn >> L2_BITS]) {
			pn |= L2_SIZE - 1;
			continue;
		}
		const page *pa = get_page(a, pn), *pb = get_page(b, pn);
		uint32_t base = pn << PVM_PAGE_SHIFT;
		if (!pa && !pb) continue;
		if (!pa || !pb || pa->perm != pb->perm) {
			*addr = base;
			*va = pa ? pa->data[0] : -1;
			*vb = pb ? pb->data[0] : -1;
			return true;
		}
		if (pa->data != pb->data && memcmp(pa->data, pb->data, PVM_PAGE)) {
			uint32_t k = 0;
			while (pa->data[k] == pb->data[k]) k++;
			*addr = base + k;
			*va = pa->data[k];
			*vb = pb->data[k];
			return true;
		}
	}
	return false;
}
