#!/bin/sh
# fuzz_smoke.sh: the fuzzing smoke test of `make test`. Builds the libFuzzer
# targets of tests/fuzz with clang, ASan and UBSan and runs each for a few
# seconds (`make fuzz-smoke`, FUZZ_SMOKE_SECONDS each); any crash, leak,
# undefined behaviour, hang, or a failing regression input fails the test.
# Exits 77 (skipped) when clang or its libFuzzer runtime is missing
# (Debian: apt-get install clang libclang-rt-dev; scripts/deps.sh test does it).
cd "$(dirname "$0")/../.." || exit 1

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    echo "SKIPPED: fuzz smoke: ${FUZZ_CC:-clang} is not installed"
    exit 77
fi
probe_dir=$(mktemp -d) || exit 1
trap 'rm -rf "$probe_dir"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$probe_dir/probe.c"
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined -o "$probe_dir/probe" \
        "$probe_dir/probe.c" >"$probe_dir/log" 2>&1; then
    echo "SKIPPED: fuzz smoke: ${FUZZ_CC:-clang} cannot link libFuzzer with ASan/UBSan" \
         "($(head -n 1 "$probe_dir/log")); install libclang-rt-dev"
    exit 77
fi

start=$(date +%s)
if ! make --no-print-directory fuzz-smoke; then
    echo "fuzz smoke: FAILED (inputs and logs in ${FUZZ_BUILD:-build-fuzz}/crashes/)"
    exit 1
fi
echo "fuzz smoke: passed in $(( $(date +%s) - start )) s"
