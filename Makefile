# Thin wrapper over CMake. `make test` and `make validate` install what is missing first.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
# cvc5: the second solver of --recheck (README § A second solver) and its ctests
PKGS = build-essential cmake pkg-config libz3-dev libcapstone-dev libyaml-dev clang libclang-rt-dev cvc5
FUZZ_PKGS = $(PKGS) afl++
# What only `make test` adds: a headless browser for the HTML report's test (ctest
# validate_report_browser; about 122 MB to fetch, 414 MB installed, without recommends).
# `make test TEST_PKGS=` leaves it out: that test then reports itself skipped.
TEST_PKGS ?= chromium
FUZZ_TIME ?= 60
FUZZ_ENGINE ?= libfuzzer

.PHONY: all deps test-deps configure test test-scrambled validate bench asan fuzz clean

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

deps:
	@missing=""; for p in $(PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all installed"; \
	elif [ "$$(id -u)" = 0 ]; then echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_FLAGS) $$missing; \
	else echo "deps: missing packages; run as root:"; echo "  apt-get install -y$$missing"; exit 1; fi

test-deps: deps
	@$(MAKE) --no-print-directory PKGS="$(TEST_PKGS)" APT_FLAGS=--no-install-recommends deps

test: test-deps all
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure

validate: deps all
	./$(BUILD)/jitproof validate -j $(JOBS)

bench: deps all
	./bench/run.sh $(BUILD)

# the suite that proves no code outside pvm/opcodes.def knows an opcode number
test-scrambled: test-deps
	$(MAKE) BUILD=build-scrambled CMAKE_FLAGS="-DJITPROOF_SCRAMBLE=ON" all
	cd build-scrambled && ctest -j$(JOBS) --output-on-failure

# Build the fuzz targets (fuzz/) for FUZZ_ENGINE (libfuzzer or afl) with ASan + UBSan and run
# each for FUZZ_TIME seconds from seed corpora made from the vectors, cases and spec-path seeds.
FUZZ_TARGETS ?= diff blob container vector vector08 trace asm spec
fuzz:
	@$(MAKE) --no-print-directory PKGS="$(FUZZ_PKGS)" deps
	@$(MAKE) --no-print-directory all
	FUZZ_TARGETS="$(FUZZ_TARGETS)" sh fuzz/run.sh $(BUILD) $(FUZZ_ENGINE) $(FUZZ_TIME)

asan:
	$(MAKE) BUILD=build-asan CMAKE_FLAGS="-DJITPROOF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug" test

clean:
	rm -rf $(BUILD) build-asan build-scrambled build-fuzz-libfuzzer build-fuzz-afl fuzz-out
