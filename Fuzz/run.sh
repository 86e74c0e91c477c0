#!/usr/bin/env bash
# Runs one libFuzzer target of cdrstore's parsers for SECONDS (default 600) on a working copy of
# its seed corpus (Fuzz/corpus/TARGET), and prints libFuzzer's figures. Not part of CI.
#   Fuzz/run.sh TARGET [SECONDS]
# Targets: csv-feeds json-feeds kamailio cdr-jsonl tariffs serve-config
# A crash input is written to Fuzz/findings/TARGET/; keep it as a regression test once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
targets="csv-feeds json-feeds kamailio cdr-jsonl tariffs serve-config"
target=${1:-}
seconds=${2:-600}
if [ -z "$target" ] || ! grep -qw -- "$target" <<<"$targets"; then
    echo "usage: Fuzz/run.sh TARGET [SECONDS]; the targets: $targets" >&2
    exit 2
fi
# serve-config has a binary of its own (ConfigFuzz): the parsers' binary (CDRFuzz) then carries no
# coverage counters of the HTTP server's packages, which libFuzzer would scan after every input.
product=CDRFuzz
[ "$target" = serve-config ] && product=ConfigFuzz
CDRSTORE_FUZZ=1 swift build -c release --build-path .build-fuzz --product "$product" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >&2
binary=.build-fuzz/release/$product
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "Fuzz/corpus/$target/." "$work/"
mkdir -p "Fuzz/findings/$target"
CDRSTORE_FUZZ_TARGET=$target "$binary" "$work" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 \
    -artifact_prefix="Fuzz/findings/$target/" -print_final_stats=1
