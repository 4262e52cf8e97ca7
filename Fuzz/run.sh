#!/usr/bin/env bash
# make fuzz: libFuzzer over the problem-file reader (ProblemFile.decode) and the notebook parser
# (NotebookParser.parse), FUZZ_SECONDS (default 60) each.
#
# The library targets are built by SwiftPM into .build-fuzz with `-sanitize=fuzzer` (coverage
# instrumentation, passed on the command line: the package's targets carry no unsafe flags), and
# each Fuzz/*Fuzz.swift entry point is linked against their objects by swiftc with libFuzzer.
# Seeds: Fuzz/corpus/NAME (committed); what the fuzzer adds goes to .build-fuzz/corpus/NAME, crash,
# timeout and out-of-memory inputs to Fuzz/artifacts/NAME/ (git-ignored). Exits 1 when this run
# wrote an artifact.
#
#   FUZZ_SECONDS=60       seconds per target
#   FUZZ_TARGETS="problem-file notebook"
#   FUZZ_TIMEOUT=10       seconds after which one input counts as a hang
#   FUZZ_RSS_MB=2048      memory after which one input counts as out of memory
#   FUZZ_CONFIG=release   SwiftPM configuration of the instrumented build
#   FUZZ_UTF8_ONLY=0      1: the problem-file target skips inputs that are not UTF-8 (past a known trap)
#   FUZZ_FORK=1           keep going after a crash (libFuzzer -fork=1 -ignore_crashes=1 …); 0 stops at the first
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"problem-file notebook"}
config=${FUZZ_CONFIG:-release}
build=.build-fuzz
products=$build/$config

# Swift's own backtracer would take the crash signal first, and libFuzzer would then write no artifact.
export SWIFT_BACKTRACE=enable=no

swift build --build-path "$build" -c "$config" -Xswiftc -sanitize=fuzzer --target NotebookEngine
# The engine no longer depends on the library (a notebook's kernel is built apart): build it too.
swift build --build-path "$build" -c "$config" -Xswiftc -sanitize=fuzzer --target ImplicitRegularization

objects() { for module in "$@"; do find "$products/$module.build" -name '*.o' | sort; done; }
status=0
for name in $targets; do
    case $name in
        problem-file) source=Fuzz/ProblemFileFuzz.swift; modules="LinearAlgebra ImplicitRegularization" ;;
        notebook) source=Fuzz/NotebookParserFuzz.swift
                  modules="LinearAlgebra ImplicitRegularization NotebookRuntime CYaml Yams Ink Plot GnuplotBridge NotebookEngine" ;;
        *) echo "make fuzz: unknown target '$name' (problem-file, notebook)" >&2; exit 2 ;;
    esac
    binary=$build/fuzz-$name
    # shellcheck disable=SC2046
    swiftc -O -parse-as-library -sanitize=fuzzer -module-name "Fuzz_${name//-/_}" "$source" \
        -I "$products/Modules" -I Sources/COpenBLAS -I "$build/checkouts/Yams/Sources/CYaml/include" \
        -I Sources/GnuplotBridge/include \
        $(objects $modules) -lopenblas -llapacke -lboost_iostreams -lboost_filesystem -lstdc++ -o "$binary"
    mkdir -p "$build/corpus/$name" "Fuzz/artifacts/$name"
    before=$(ls "Fuzz/artifacts/$name" | wc -l)
    fork=()
    [ "${FUZZ_FORK:-1}" = 1 ] && fork=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    echo "make fuzz: $name for $seconds s"
    "$binary" "$build/corpus/$name" "Fuzz/corpus/$name" "${fork[@]}" -dict="Fuzz/$name.dict" \
        -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -artifact_prefix="Fuzz/artifacts/$name/" -print_final_stats=1 || true
    after=$(ls "Fuzz/artifacts/$name" | wc -l)
    if [ "$after" -gt "$before" ]; then
        echo "make fuzz: $name wrote $((after - before)) new artifact(s) into Fuzz/artifacts/$name/:" >&2
        ls -t "Fuzz/artifacts/$name" | head -n $((after - before)) >&2
        status=1
    fi
done
exit $status
