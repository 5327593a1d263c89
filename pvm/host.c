/* pvm/host.c: host calls the project answers itself. GP 0.8.0 grow_heap (host call 1;
 * ISA-NOTES-0.8 §7, as of the PR #508 text 96a14dd): grows the read-write region of a standard
 * program [a, h) in pages, price 100 + 10 per page beyond the current end, never shrinks. And the
 * perturbing host of the tests, which changes every register, the gas and memory. */
#include "pvm.h"
#include "mutant.h"

typedef struct count_ctx { uint32_t a, b, n; } count_ctx;

static void count_writable(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	count_ctx *c = ctx;
	if (perm == PVM_WRITE && page >= c->a && page < c->b) c->n++;
}

bool pvm_grow_heap(pvm_state *s)
{
	if (s->gas < PVM_GROW_HEAP_BASE) return false;
	uint64_t a = s->heap_base / PVM_PAGE, b = s->heap_limit / PVM_PAGE;
	if (b < a) b = a;
	count_ctx c = { (uint32_t)a, (uint32_t)b, 0 };
	pvm_mem_each(s->mem, count_writable, &c);
	uint64_t want = s->regs[7], end = a + c.n;
	uint64_t h = want > a ? want : a;
	if (h <= b) {
		uint64_t g = PVM_GROW_HEAP_BASE + PVM_GROW_HEAP_PAGE * (want > end ? want - end : 0);
		if ((uint64_t)s->gas >= g) {
			if (h > a) pvm_mem_map(s->mem, (uint32_t)(a * PVM_PAGE), (h - a) * PVM_PAGE, PVM_WRITE);
			s->gas -= (int64_t)g;
			s->regs[7] = end > h ? end : h;
			return true;
		}
	}
	s->gas -= PVM_GROW_HEAP_BASE;
	s->regs[7] = end;
	return true;
}

bool pvm_host_is_grow_heap(const pvm_program *p, const pvm_exit *x)
{
	/* the id (a mutant may answer the wrong one: pvm/mutants.def, class host) */
	uint64_t id = pvm_mutant_hook(PVM_HOOK_grow_heap_id, PVM_HOST_GROW_HEAP);
	return p->isa == PVM_ISA_080 && x->status == PVM_HOST && x->host_id == id;
}

static void lowest_writable(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	uint32_t *first = ctx;
	(void)data;
	if (perm == PVM_WRITE && *first == UINT32_MAX) *first = page;
}

bool pvm_host_perturb(pvm_state *s, const pvm_exit *x)
{
	s->gas -= PVM_PERTURB_GAS;
	if (s->gas < 0) return false;
	for (int i = 0; i < PVM_NUM_REGS; i++) s->regs[i] += PVM_PERTURB_ADD + (uint64_t)i;
	uint32_t page = UINT32_MAX;
	pvm_mem_each(s->mem, lowest_writable, &page);
	uint8_t *b = page != UINT32_MAX ? pvm_mem_ptr(s->mem, page * PVM_PAGE, 8, true) : NULL;
	for (int i = 0; b && i < 8; i++) b[i] += 0xa5;
	s->pc = x->next;
	return true;
}
