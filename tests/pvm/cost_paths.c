/* tests/pvm/cost_paths.c: deblob's way of computing the GP 0.8.0 block costs (each block's words
 * gathered during the decode walk, the memo, the entry-by-entry schedule) against the plain one
 * (pvm_block_cost_sim: the words read again from the block start, the cycle-by-cycle simulation,
 * no memo), and pvm_block_cost (words from the start, schedule or simulation) against both, at
 * every pc of every GP 0.8 vector in the folders given and of seeded random programs: blocks of
 * every 0.8.0 instruction with repeated blocks (memo hits), register aliasing, branches whose
 * neighbours are trap or unlikely (hints), skips over 24 (a block cut into a trap between starts),
 * undefined opcode bytes and a block running into the end of the code; every eighth program one
 * long block of hundreds of instructions, every eighth one of loads, stores, multiplies and
 * divides on few registers, every eighth blocks of 20-45 such instructions.
 * usage: pvm_cost_paths N DIR... (N random programs). Prints "cost paths: N programs, N blocks, N failures". */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"
#include "tests/jit/each_vector08.h"
#include "pvm/cost_word.h"

static size_t programs, blocks, failures;

static void check(const pvm_program *p, const char *name)
{
	programs++;
	uint32_t b = UINT32_MAX, sim = 0; /* L(pc) and its simulated cost */
	for (uint32_t pc = 0; pc <= p->code_len; pc++) {
		if (pc < p->code_len && p->is_block[pc]) b = pc, sim = pvm_block_cost_sim(p, pc);
		uint32_t want = pc == p->code_len || b == UINT32_MAX ? 0 : sim;
		if (p->gas_cost[pc] != want) {
			if (failures++ < 20)
				printf("FAIL %s: pc %u (block %u): deblob's cost %u, the simulation's %u\n", name, pc, b,
				       p->gas_cost[pc], want);
		}
		if (pc < p->code_len && p->is_block[pc]) {
			blocks++;
			uint32_t c = pvm_block_cost(p, pc);
			if (c != want && failures++ < 20)
				printf("FAIL %s: block %u: pvm_block_cost %u, the simulation's %u\n", name, pc, c, want);
		}
	}
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random 0.8.0 blob: instructions of random opcodes with random operand bytes and skips,
 * blocks often copied from earlier ones, the bitmask's gaps sometimes over 24 bytes. Shapes:
 * MIXED that; LONG no terminator and no gap over 24, so the one block runs to the end of the code
 * (hundreds of instructions: every unit saturated, the schedule's skips over full cycles, costs
 * past its horizon); BUSY the same of mostly loads, stores, multiplies and divides on 4 registers
 * (long chains, starts waiting for units for hundreds of cycles); EDGES blocks of 20-45
 * instructions of that kind and ALU operations (around 32 words and 64 cycles, where the fast
 * schedules hand over). */
enum shape { MIXED, LONG, BUSY, EDGES };
static unsigned busy_op(void)
{
	static const uint8_t busy[] = { PVM_OP_load_ind_u64, PVM_OP_load_u32, PVM_OP_store_ind_u64, PVM_OP_store_u8,
		PVM_OP_store_imm_ind_u32, PVM_OP_mul_64, PVM_OP_mul_imm_32, PVM_OP_mul_upper_s_u, PVM_OP_div_u_64,
		PVM_OP_rem_s_32, PVM_OP_add_64, PVM_OP_add_imm_64, PVM_OP_trailing_zero_bits_64, PVM_OP_move_reg,
		PVM_OP_load_imm, PVM_OP_set_lt_u, PVM_OP_cmov_iz };
	return busy[next_rand() % sizeof busy];
}
static size_t random_blob(uint8_t *blob, size_t cap, enum shape shape)
{
	enum { CODE = 1500 };
	static uint8_t code[CODE + 64], mask[CODE / 8 + 16];
	const uint8_t *ops = pvm_isa_ops(PVM_ISA_080);
	uint8_t trap = pvm_byte(PVM_ISA_080, PVM_OP_trap), unlikely = pvm_byte(PVM_ISA_080, PVM_OP_unlikely);
	size_t n = 0, len = 200 + next_rand() % (CODE - 300);
	memset(mask, 0, sizeof mask);
	uint32_t starts[CODE];
	size_t n_starts = 0;
	while (n < len) {
		if (n_starts > 8 && next_rand() % 4 == 0) { /* repeat an earlier run of instructions */
			uint64_t r1 = next_rand(), r2 = next_rand();
			if (repeat_run08(code, mask, starts, &n, &n_starts, len, r1, r2)) continue;
		}
		unsigned r = next_rand() % 100;
		uint8_t op = r < 3 ? (uint8_t)next_rand() : r < 8 ? trap : r < 10 ? unlikely :
		             pvm_byte(PVM_ISA_080, ops[next_rand() % PVM_NUM_OPCODES]);
		size_t skip = next_rand() % 50 == 0 ? 25 + next_rand() % 8 : next_rand() % 10;
		if (shape == LONG) {
			unsigned o;
			do o = ops[next_rand() % PVM_NUM_OPCODES];
			while (pvm_op_is_term(o));
			op = pvm_byte(PVM_ISA_080, o);
			skip = next_rand() % 10;
		} else if (shape == BUSY || shape == EDGES) {
			op = pvm_byte(PVM_ISA_080, shape == EDGES && n_starts % 32 == 31 - next_rand() % 12 ? PVM_OP_jump :
			                           shape == EDGES && next_rand() % 3 == 0 ? ops[next_rand() % PVM_NUM_OPCODES] :
			                           busy_op());
			if (pvm_op_is_term(pvm_op_decode(PVM_ISA_080, op)) && shape == EDGES && n_starts % 32 < 18)
				op = pvm_byte(PVM_ISA_080, PVM_OP_add_64);
			skip = 2 + next_rand() % 4;
		}
		if (n + 1 + skip > len) skip = len - n - 1;
		starts[n_starts++] = (uint32_t)n;
		mask[n / 8] |= (uint8_t)(1u << n % 8);
		code[n++] = op;
		for (size_t i = 0; i < skip; i++) {
			/* register nibbles often equal (aliasing), offsets often small (targets in the code);
			 * BUSY, EDGES: registers 0-3 */
			uint8_t b = (uint8_t)next_rand();
			code[n++] = shape >= BUSY ? (uint8_t)(b % 4 | (b >> 4) % 4 << 4) :
			            next_rand() % 3 ? (uint8_t)(b % 13 | (b % 13) << 4) : next_rand() % 2 ? (uint8_t)(b % 64) : b;
		}
	}
	return pack_blob08(code, mask, len, blob, cap);
}


/* The blob decoded as GP 0.8.0 and checked (a blob that does not decode: a FAIL line). */
static void decode_check(const uint8_t *blob, size_t len, const char *name)
{
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode_isa(&p, PVM_ISA_080, blob, len, name, &e)) {
		printf("FAIL %s\n", e.msg);
		failures++;
		return;
	}
	check(&p, name);
	pvm_program_fini(&p);
}

/* Random blocks given as words (cost_word.h): each schedule that decides against the cycle
 * simulation, directly. Lengths 1-30, 1-60 and 1-400, registers from a few (long dependency
 * chains), the busy_op mix with ecalli and unlikely, and a terminator last (trap, jump, jump_ind or a
 * branch, hinted or not; none before: a block's words end at its first terminator). Counts the blocks each schedule decided. */
static size_t words_checked, by_short, by_long;
static void check_words(long n_blocks)
{
	pvm_program p;
	memset(&p, 0, sizeof p);
	p.isa = PVM_ISA_080;
	cost_table t;
	cost_table_init(&t, &p);
	static uint64_t w[400];
	for (long k = 0; k < n_blocks; k++) {
		size_t n = 1 + next_rand() % (k % 3 == 0 ? 30 : k % 3 == 1 ? 60 : 400);
		unsigned regs = 2 + next_rand() % 6;
		for (size_t i = 0; i < n; i++) {
			unsigned op = busy_op(), r = next_rand() % 16;
			if (r == 1) op = PVM_OP_ecalli;
			else if (r == 2) op = PVM_OP_unlikely;
			if (i + 1 == n) op = r < 4 ? PVM_OP_trap : r < 8 ? PVM_OP_jump : r < 12 ? PVM_OP_branch_lt_u : PVM_OP_jump_ind;
			uint64_t x = op | (uint64_t)(next_rand() % regs) << 8 | (uint64_t)(next_rand() % regs) << 16 |
			             (uint64_t)(next_rand() % regs) << 24;
			if (t.row[op].branch) x |= (next_rand() & 1) << 32;
			w[i] = x;
		}
		uint32_t c[3];
		cost_words_ways(&t, w, n, c);
		words_checked++;
		by_short += c[0] != UINT32_MAX;
		by_long += c[1] != UINT32_MAX;
		for (int j = 0; j < 2; j++)
			if (c[j] != UINT32_MAX && c[j] != c[2] && failures++ < 20)
				printf("FAIL words block %ld (%zu words): schedule %d's cost %u, the simulation's %u\n", k, n, j, c[j], c[2]);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	check_words(30000);
	if (each_vector08(argc - 1, argv + 1, decode_check, &failures)) failures++; /* (argv[1]: the count) */
	static uint8_t blob[4096];
	for (long i = 0, n = atol(argv[1]); i < n; i++) {
		size_t len = random_blob(blob, sizeof blob, i % 8 == 3 ? LONG : i % 8 == 5 ? BUSY : i % 8 == 7 ? EDGES : MIXED);
		char name[32];
		snprintf(name, sizeof name, "random %ld", i);
		decode_check(blob, len, name);
	}
	printf("cost paths: %zu programs, %zu blocks; %zu blocks of words (%zu by the short schedule, %zu by the "
	       "schedule); %zu failures\n", programs, blocks, words_checked, by_short, by_long, failures);
	if (by_short < words_checked / 10 || by_long < words_checked / 3) {
		printf("FAIL the schedules decided too few blocks of words\n");
		failures++;
	}
	return failures ? 1 : 0;
}
