#!/usr/bin/env bash
# End-to-end ingest benchmark, all in one run on one private PostgreSQL, each database freshly
# migrated with the same daily partitions made beforehand:
#   (a) cdrstore ingest of a generated Asterisk Master.csv
#   (a1) the same into a database whose days were all indexed for lookups beforehand (`cdrstore
#        partitions index`), so that every call is a late call into an indexed day, which
#        cdr.ensure_partition takes off cdr.indexed_partition (and its triggers off its partition)
#        before the day's first batch: the most the identifier index costs ingest (calls into
#        days not indexed, as in (a), meet nothing of it); and the time `cdrstore partitions
#        index` then takes to index the days (a) stored
#   (b) psql \copy of the same calls, already normalised into cdr.call's columns (text COPY)
#   (c) one INSERT statement per row (autocommit), for a slice of the same calls
# and, with --memory-gb G, the peak resident memory of cdrstore ingest on a file of about G GiB.
# Prints rows/s for each and the ratios (a1)/(a), (a)/(b) and (a)/(c). (b) and (c) load the same
# table, triggers and indexes as (a).
#
# Usage: Benchmarks/ingest-vs-copy.sh [--calls 1000000] [--insert-calls 100000] [--memory-gb 0]
set -euo pipefail
cd "$(dirname "$0")/.."

calls=1000000
insert_calls=100000
memory_gb=0
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls="$2"; shift 2 ;;
        --insert-calls) insert_calls="$2"; shift 2 ;;
        --memory-gb) memory_gb="$2"; shift 2 ;;
        *) echo "ingest-vs-copy.sh: unknown option '$1' (use --calls N, --insert-calls N, --memory-gb G)" >&2; exit 2 ;;
    esac
done
command -v psql >/dev/null || { echo "ingest-vs-copy.sh: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }

# shellcheck source=Benchmarks/private-postgres.sh
. Benchmarks/private-postgres.sh
feed_options=(--format asterisk-csv --tz Europe/Stockholm --country-code 46)
end_day=$(date -u +%Y-%m-%d)
days=30

rate() { awk -v rows="$1" -v start="$2" -v end="$3" 'BEGIN { printf "%.0f", rows / (end - start) }'; }

fresh_database() {
    psql -q "$socket dbname=postgres" -c "CREATE DATABASE $1" >/dev/null
    "$bin" migrate --db "$socket dbname=$1" >/dev/null
    psql -q "$socket dbname=$1" -c \
        "SELECT count(cdr.ensure_partition(d::date)) FROM generate_series(date '$end_day' - $((days + 1)), date '$end_day' + 1, '1 day') AS d" >/dev/null
}

echo "generating $calls calls over $days days ending $end_day ..."
"$bin" generate --calls "$calls" --days "$days" --accounts 200 --seed 7 --end "$end_day" --tz Europe/Stockholm \
    --out "$work/Master.csv" 2>/dev/null
"$bin" parse "${feed_options[@]}" --as copy --feed bench "$work/Master.csv" > "$work/calls.copy"
columns="start_time, answer_time, end_time, duration_s, billable_s, source, destination, source_ip, call_type, disposition, equipment, account, feed, record_key, linked_key, record_hash"
size_mb=$(awk -v bytes="$(stat -c %s "$work/Master.csv")" 'BEGIN { printf "%.0f", bytes / 1048576 }')

fresh_database bench_ingest
fresh_database bench_late
"$bin" partitions index --db "$socket dbname=bench_late" >/dev/null
fresh_database bench_copy
fresh_database bench_insert
sync

start=$(now)
"$bin" ingest --db "$socket dbname=bench_ingest" --feed bench "${feed_options[@]}" --json "$work/Master.csv" > "$work/ingest.json"
end=$(now)
ingest_rate=$(rate "$calls" "$start" "$end")
ingest_seconds=$(seconds "$start" "$end")

start=$(now)
"$bin" ingest --db "$socket dbname=bench_late" --feed bench "${feed_options[@]}" --json "$work/Master.csv" > "$work/late.json"
end=$(now)
late_rate=$(rate "$calls" "$start" "$end")
late_seconds=$(seconds "$start" "$end")

start=$(now)
psql -q "$socket dbname=bench_copy" -c "\\copy cdr.call ($columns) FROM '$work/calls.copy'"
end=$(now)
copy_rate=$(rate "$calls" "$start" "$end")
copy_seconds=$(seconds "$start" "$end")

head -n "$insert_calls" "$work/calls.copy" | awk -F '\t' -v columns="$columns" '
    { line = "INSERT INTO cdr.call (" columns ") VALUES (";
      for (i = 1; i <= NF; i++) {
          value = $i
          if (value == "\\N") { value = "NULL" }
          else if (i == NF) { sub(/^\\\\/, "\\", value); value = "'"'"'" value "'"'"'::bytea" }
          else { gsub(/'"'"'/, "'"'"''"'"'", value); value = "'"'"'" value "'"'"'" }
          line = line (i > 1 ? ", " : "") value
      }
      print line ");" }' > "$work/inserts.sql"
start=$(now)
psql -q -v ON_ERROR_STOP=1 "$socket dbname=bench_insert" -f "$work/inserts.sql"
end=$(now)
insert_rate=$(rate "$insert_calls" "$start" "$end")
insert_seconds=$(seconds "$start" "$end")

for database in bench_ingest bench_late bench_copy; do
    stored=$(psql -tA "$socket dbname=$database" -c "SELECT count(*) FROM cdr.call")
    [ "$stored" = "$calls" ] || { echo "ingest-vs-copy.sh: $database holds $stored rows, expected $calls" >&2; exit 1; }
done

echo
echo "input: $calls calls, $size_mb MiB Asterisk CSV; PostgreSQL $(psql -tA "$socket dbname=postgres" -c 'SHOW server_version')"
printf '(a) cdrstore ingest (binary COPY)   %10s rows/s  %8s s\n' "$ingest_rate" "$ingest_seconds"
start=$(now)
"$bin" partitions index --db "$socket dbname=bench_ingest" > "$work/index.out"
end=$(now)
echo "then cdrstore partitions index on (a)'s database: $(seconds "$start" "$end") s: $(cat "$work/index.out")"
printf '(a1) the same into indexed days     %9s rows/s  %8s s\n' "$late_rate" "$late_seconds"
printf '(b) psql \\copy of normalised rows   %10s rows/s  %8s s\n' "$copy_rate" "$copy_seconds"
printf '(c) INSERT per row (%s rows)     %10s rows/s  %8s s\n' "$insert_calls" "$insert_rate" "$insert_seconds"
awk -v a="$ingest_rate" -v a1="$late_rate" -v b="$copy_rate" -v c="$insert_rate" \
    'BEGIN { printf "(a1)/(a) = %.2f  (goal >= 0.90: the identifier index costs at most 10 %%, late calls included)\n", a1 / a
             printf "(a)/(b) = %.2f   (goal >= 1.0)\n(a)/(c) = %.1f   (goal >= 10)\n", a / b, a / c }'

if [ "$memory_gb" != 0 ]; then
    big_calls=$(awk -v gb="$memory_gb" 'BEGIN { printf "%d", gb * 1073741824 / 266 }')
    echo
    echo "peak memory: generating about $memory_gb GiB ($big_calls calls) ..."
    "$bin" generate --calls "$big_calls" --days "$days" --accounts 200 --seed 8 --end "$end_day" --tz Europe/Stockholm \
        --out "$work/big.csv" 2>/dev/null
    rm -f "$work/calls.copy" "$work/inserts.sql"
    fresh_database bench_memory
    /usr/bin/time -v "$bin" ingest --db "$socket dbname=bench_memory" --feed bench "${feed_options[@]}" --json \
        "$work/big.csv" 2> "$work/time.txt" > "$work/big.json"
    peak_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    echo "cdrstore ingest of $(awk -v b="$(stat -c %s "$work/big.csv")" 'BEGIN { printf "%.2f GiB", b / 1073741824 }'):" \
        "peak resident memory $((peak_kb / 1024)) MiB (goal < 200 MB); $(cat "$work/big.json")"
fi
