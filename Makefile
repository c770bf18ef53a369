# Makefile - thin convenience layer over the CMake presets (see README.md).
#
#   make demo     install missing packages, build, run the bundled 12-argument example
#   make check    install missing packages, build and run every test: release and
#                 ASan+UBSan builds, then each fuzz target for FUZZ_SECONDS
#   make bench    build release and print the benchmark table
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)

.PHONY: all deps release debug asan fuzz demo test test-asan fuzz-run check bench clean

all: release

deps:
	@scripts/deps.sh

release debug asan fuzz: deps
	cmake --preset $@ >/dev/null
	cmake --build --preset $@ -j $(JOBS)

demo: release
	./build/release/stackbpf run examples/sum12.s

test: release
	ctest --preset release -j $(JOBS)

test-asan: asan
	ctest --preset asan -j $(JOBS)

fuzz-run: fuzz
	scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS)

check: test test-asan fuzz-run

bench: release
	cmake --build --preset release --target bench

clean:
	rm -rf build
