/* pvm/state.c: machine state lifetime and the one-line comparison of two final states
 * (used by replay, `vectors --engine both` and the differential tests). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "pvm.h"

void pvm_state_init(pvm_state *s)
{
	memset(s, 0, sizeof *s);
	s->mem = pvm_mem_new();
}

void pvm_state_fini(pvm_state *s)
{
	pvm_mem_free(s->mem);
	s->mem = NULL;
}

void pvm_state_copy(pvm_state *dst, const pvm_state *src)
{
	*dst = *src;
	dst->mem = pvm_mem_clone(src->mem);
}

const char *pvm_perm_name(pvm_perm p)
{
	return p == PVM_WRITE ? "rw" : p == PVM_READ ? "ro" : "none";
}

/* Writes "a{exit=.. FIELD} vs b{exit=.. FIELD}" and returns false. */
static bool differ(char *why, size_t n, const char *a, pvm_exit xa, const char *fa,
                   const char *b, pvm_exit xb, const char *fb)
{
	snprintf(why, n, "%s{exit=%s %s} vs %s{exit=%s %s}", a, pvm_status_name(xa.status), fa, b,
	         pvm_status_name(xb.status), fb);
	return false;
}

bool pvm_state_compare(const char *a, const pvm_state *sa, pvm_exit xa,
                       const char *b, const pvm_state *sb, pvm_exit xb, char *why, size_t n)
{
	char fa[64], fb[64];
#define DIFF(fmt, va, vb) \
	do { snprintf(fa, sizeof fa, fmt, va); snprintf(fb, sizeof fb, fmt, vb); \
	     return differ(why, n, a, xa, fa, b, xb, fb); } while (0)
	if (xa.status != xb.status || sa->pc != sb->pc) DIFF("pc=%" PRIu32, sa->pc, sb->pc);
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		if (sa->regs[i] == sb->regs[i]) continue;
		snprintf(fa, sizeof fa, "r%d=0x%" PRIx64, i, sa->regs[i]);
		snprintf(fb, sizeof fb, "r%d=0x%" PRIx64, i, sb->regs[i]);
		return differ(why, n, a, xa, fa, b, xb, fb);
	}
	if (sa->gas != sb->gas) DIFF("gas=%" PRId64, sa->gas, sb->gas);
	if (xa.status == PVM_FAULT && xa.fault_addr != xb.fault_addr)
		DIFF("fault=0x%" PRIx32, xa.fault_addr, xb.fault_addr);
	if (xa.status == PVM_HOST && xa.host_id != xb.host_id)
		DIFF("host-id=%" PRIu32, xa.host_id, xb.host_id);
	if (xa.status == PVM_HOST && xa.next != xb.next) DIFF("next=%" PRIu32, xa.next, xb.next);
	if (sa->heap_top != sb->heap_top) DIFF("heap-top=0x%" PRIx32, sa->heap_top, sb->heap_top);
	uint32_t addr;
	int va, vb;
	if (pvm_mem_diff(sa->mem, sb->mem, &addr, &va, &vb)) {
		pvm_perm pa = pvm_mem_perm(sa->mem, addr >> PVM_PAGE_SHIFT);
		pvm_perm pb = pvm_mem_perm(sb->mem, addr >> PVM_PAGE_SHIFT);
		if (pa != pb) {
			snprintf(fa, sizeof fa, "page[0x%" PRIx32 "]=%s", addr, pvm_perm_name(pa));
			snprintf(fb, sizeof fb, "page[0x%" PRIx32 "]=%s", addr, pvm_perm_name(pb));
		} else {
			snprintf(fa, sizeof fa, "mem[0x%" PRIx32 "]=0x%02x", addr, va);
			snprintf(fb, sizeof fb, "mem[0x%" PRIx32 "]=0x%02x", addr, vb);
		}
		return differ(why, n, a, xa, fa, b, xb, fb);
	}
#undef DIFF
	if (n) why[0] = 0;
	return true;
}

static void top_writable(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	(void)data;
	if (perm == PVM_WRITE) *(uint64_t *)ctx = ((uint64_t)page + 1) << PVM_PAGE_SHIFT;
}

bool pvm_sbrk_break(pvm_state *s, uint64_t size, uint64_t *result)
{
	if (!s->heap_top && !s->heap_base) { /* no container: after the highest writable page */
		uint64_t top = PVM_LOW_LIMIT;
		pvm_mem_each(s->mem, top_writable, &top);
		s->heap_top = top > UINT32_MAX ? UINT32_MAX : (uint32_t)(top < PVM_LOW_LIMIT ? PVM_LOW_LIMIT : top);
	}
	uint64_t brk = s->heap_top, end = brk + (uint32_t)size;
	uint64_t limit = s->heap_limit ? (uint64_t)s->heap_limit + PVM_LOW_LIMIT : UINT32_MAX;
	*result = brk;
	if ((uint32_t)size == 0) return true;
	if (end > limit) return false;
	uint64_t first = (brk + PVM_PAGE - 1) >> PVM_PAGE_SHIFT, last = (end + PVM_PAGE - 1) >> PVM_PAGE_SHIFT;
	if (last > first)
		pvm_mem_map(s->mem, (uint32_t)(first << PVM_PAGE_SHIFT), (last - first) << PVM_PAGE_SHIFT, PVM_WRITE);
	s->heap_top = (uint32_t)end;
	return true;
}

bool pvm_reading_parse(const char *str, uint8_t *r)
{
	if (!strcmp(str, "peers")) { *r = PVM_READING_PEERS; return true; }
	if (!strcmp(str, "w3f")) { *r = 0; return true; }
	uint8_t v = *r;
	for (const char *p = str; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 15 && !strncmp(p, "gas:instruction", n)) v |= PVM_READING_GAS_INSN;
		else if (n == 10 && !strncmp(p, "gas:region", n)) v &= (uint8_t)~PVM_READING_GAS_INSN;
		else if (n == 10 && !strncmp(p, "sbrk:break", n)) v |= PVM_READING_SBRK_BREAK;
		else if (n == 13 && !strncmp(p, "sbrk:unmapped", n)) v &= (uint8_t)~PVM_READING_SBRK_BREAK;
		else return false;
		p += n;
		if (*p && !*++p) return false; /* a trailing comma */
	}
	if (!*str) return false;
	*r = v;
	return true;
}

const char *pvm_reading_name(uint8_t r)
{
	static const char *const names[4] = { "w3f", "gas:instruction,sbrk:unmapped", "gas:region,sbrk:break", "peers" };
	return names[r & 3];
}

uint64_t pvm_sbrk(pvm_state *s, uint64_t size)
{
	if (size == 0) return s->heap_top;
	if (size > (1ull << 32)) return 0;
	uint64_t x = s->heap_base > PVM_LOW_LIMIT ? s->heap_base : PVM_LOW_LIMIT;
	while (x + size <= (1ull << 32)) {
		uint64_t last = (x + size - 1) >> PVM_PAGE_SHIFT;
		uint64_t pn = pvm_mem_next_mapped(s->mem, (uint32_t)(x >> PVM_PAGE_SHIFT), (uint32_t)last); /* (last < 2^20) */
		if (pn > last) {
			uint64_t end = x + size;
			pvm_mem_map(s->mem, (uint32_t)x, size, PVM_WRITE);
			if (end > s->heap_top) s->heap_top = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
			return x;
		}
		/* past the mapped run that page starts (the first unmapped page after it; none: no room) */
		x = (uint64_t)pvm_mem_next_unmapped(s->mem, (uint32_t)pn, PVM_NUM_PAGES - 1) << PVM_PAGE_SHIFT;
	}
	return 0;
}

static bool perm_line(char *why, size_t n, const char *a, pvm_perm va, const char *b, pvm_perm vb,
                      uint32_t addr)
{
	snprintf(why, n, "%s{perm[0x%" PRIx32 "]=%s} vs %s{perm[0x%" PRIx32 "]=%s}", a, addr,
	         pvm_perm_name(va), b, addr, pvm_perm_name(vb));
	return false;
}

bool pvm_perm_compare(const pvm_engine *ea, const void *pa, const pvm_state *sa,
                      const pvm_engine *eb, const void *pb, const pvm_state *sb, bool inside,
                      char *why, size_t n)
{
	pvm_perm_diff d;
	/* inside the run each sandbox is compared with its run's own page map (the one the state
	 * comparison compares with the other side's), so the other side shows the map's value;
	 * at the last stop each sandbox is compared with the other side's page map */
	const pvm_mem *ma = inside ? NULL : sa->mem, *mb = inside ? NULL : sb->mem;
	if (eb->perm_check && eb->perm_check(pb, ma, &d)) return perm_line(why, n, ea->name, d.map, eb->name, d.host, d.addr);
	if (ea->perm_check && ea->perm_check(pa, mb, &d)) return perm_line(why, n, ea->name, d.host, eb->name, d.map, d.addr);
	if (n) why[0] = 0;
	return true;
}
