/* validator/opts.c: the options both commands start from, and what each CPU-feature variant
 * means (the features its code is emitted with, the engine that runs it). */
#include "interp/interp.h"
#include "validator/tv.h"

jit_features tv_variant_features(int v) { return v == TV_VAR_PORTABLE ? jit_no_features() : jit_cpu_features(); }
const pvm_engine *tv_variant_engine(int v) { return v == TV_VAR_PORTABLE ? &jit_portable_engine : &jit_engine; }
const pvm_engine *tv_engine_for(const tv_opts *o, int v)
{
	if (!o || !o->unfused) return tv_variant_engine(v);
	return v == TV_VAR_PORTABLE ? &jit_portable_unfused_engine : &jit_unfused_engine;
}

int tv_first_variant(const tv_opts *o)
{
	for (int v = 0; v < TV_NUM_VARIANTS; v++)
		if (o->variants >> v & 1) return v;
	return TV_VAR_CPUID;
}

tv_opts tv_opts_default(void)
{
	return (tv_opts){ .jobs = 1, .timeout_ms = 120000, .rlimit = 20000000, .shard_n = 1,
	                  .variants = (1u << TV_NUM_VARIANTS) - 1, .isas = (1u << PVM_ISA_COUNT) - 1,
	                  .fallback_states = 1000, .seed = 0x6a697470726f6f66ull, .memo = true, .readings = 3,
	                  .max_cex = 3, .progress_every = 30,
	                  .recheck_timeout_ms = 10000 };
}
