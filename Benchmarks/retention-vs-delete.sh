#!/usr/bin/env bash
# Retention benchmark, in one run on one private PostgreSQL: two identical databases hold 60
# days of generated traffic and a few thousand held calls; expiring the oldest 30 days takes
#   (a) cdrstore retention run (preserve held calls, roll up statistics, detach and drop partitions)
#   (b) DELETE FROM cdr.call WHERE start_time < cutoff (after copying the held calls aside), then VACUUM
# It prints both times, the ratio, the table sizes after each, and checks the held calls survive.
#
# Usage: Benchmarks/retention-vs-delete.sh [--calls 3000000]
set -euo pipefail
cd "$(dirname "$0")/.."

calls=3000000
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls="$2"; shift 2 ;;
        *) echo "retention-vs-delete.sh: unknown option '$1' (use --calls N)" >&2; exit 2 ;;
    esac
done

# shellcheck source=Benchmarks/private-postgres.sh
. Benchmarks/private-postgres.sh

end_day=$(date -u +%Y-%m-%d)
echo "generating $calls calls over 60 days ending $end_day ..."
"$bin" generate --calls "$calls" --days 60 --accounts 2000 --seed 5 --end "$end_day" --out "$work/Master.csv" 2>/dev/null
psql -q "$socket dbname=postgres" -c "CREATE DATABASE bench_retention" >/dev/null
"$bin" migrate --db "$socket dbname=bench_retention" >/dev/null
"$bin" ingest --db "$socket dbname=bench_retention" --feed bench --format asterisk-csv --country-code 46 \
    "$work/Master.csv" >/dev/null
# Ingest refuses calls older than the ceiling, so the traffic is recent; a 1-month ceiling (with
# the override, as a rehearsal) makes its oldest 30 days expire now.
"$bin" retention policy --db "$socket dbname=bench_retention" --ceiling-months 1 --floor-months 0 --i-know >/dev/null
first_day=$(sql bench_retention "SELECT min(start_time)::date FROM cdr.call")
as_of=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cutoff=$(sql bench_retention "SELECT cdr.retention_cutoff('$as_of')")
# Holds on a few accounts' calls in the expiring days: a few thousand held calls.
for account in acct0007 acct0042 acct0777 acct1234 acct1999; do
    "$bin" hold place --db "$socket dbname=bench_retention" --reason "benchmark" --account "$account" \
        --from "$first_day" --to "$end_day" >/dev/null
done
held=$(sql bench_retention "SELECT count(*) FROM cdr.call c WHERE start_time < '$cutoff'
    AND account IN ('acct0007', 'acct0042', 'acct0777', 'acct1234', 'acct1999')")
psql -q "$socket dbname=postgres" -c "CREATE DATABASE bench_delete TEMPLATE bench_retention" >/dev/null
sql bench_retention "VACUUM ANALYZE" ; sql bench_delete "VACUUM ANALYZE"
rows=$(sql bench_retention "SELECT count(*) FROM cdr.call")
expiring=$(sql bench_retention "SELECT count(*) FROM cdr.call WHERE start_time < '$cutoff'")
size_before=$(sql bench_retention "SELECT pg_size_pretty(sum(total_bytes)) FROM cdr.partitions")

start=$(now)
"$bin" retention run --db "$socket dbname=bench_retention" --as-of "$as_of" --json > "$work/run.json"
end=$(now)
retention_seconds=$(seconds "$start" "$end")

start=$(now)
sql bench_delete "CREATE TABLE kept AS SELECT * FROM cdr.call WHERE start_time < '$cutoff'
    AND account IN ('acct0007', 'acct0042', 'acct0777', 'acct1234', 'acct1999');
    DELETE FROM cdr.call WHERE start_time < '$cutoff'" >/dev/null
sql bench_delete "VACUUM cdr.call" >/dev/null
end=$(now)
delete_seconds=$(seconds "$start" "$end")

preserved=$(sql bench_retention "SELECT count(*) FROM cdr.preserved_call")
left=$(sql bench_retention "SELECT count(*) FROM cdr.call WHERE start_time < '$cutoff'")
kept_size=$(sql bench_retention "SELECT pg_size_pretty(sum(total_bytes)) FROM cdr.partitions")
delete_size=$(sql bench_delete "SELECT pg_size_pretty(sum(total_bytes)) FROM cdr.partitions")
[ "$preserved" = "$held" ] || { echo "retention-vs-delete.sh: $preserved calls preserved, expected $held" >&2; exit 1; }
[ "$left" = 0 ] || { echo "retention-vs-delete.sh: $left expired calls left" >&2; exit 1; }

echo
echo "store: $rows calls over 60 days ($size_before); expiring 30 days as of $as_of: $expiring calls, $held of them held"
printf '(a) cdrstore retention run          %8s s   table size after: %s (held calls preserved: %s)\n' \
    "$retention_seconds" "$kept_size" "$preserved"
printf '(b) DELETE ... WHERE start_time <   %8s s   table size after: %s (after VACUUM; space not returned)\n' \
    "$delete_seconds" "$delete_size"
awk -v a="$retention_seconds" -v b="$delete_seconds" 'BEGIN { printf "(b)/(a) = %.1f   (goal >= 20)\n", b / a }'
