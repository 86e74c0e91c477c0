#!/usr/bin/env bash
# Billing benchmark, in one run on one private PostgreSQL: one month of generated traffic
# (--calls, --accounts), a plan of --prefixes destination prefixes for every account, then
#   (a) cdrstore bill --period <that month>: every call read once, rated by longest prefix, invoices issued
#   (b) the plain SQL that reads the same rows once: SELECT account, count(*), sum(billable_s) ... GROUP BY account
# It prints both times and the ratio (goal: (a) at most 2x (b)).
#
# Usage: Benchmarks/bill-vs-groupby.sh [--calls 10000000] [--accounts 2000] [--prefixes 5000]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=10000000
accounts=2000
prefixes=5000
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls="$2"; shift 2 ;;
        --accounts) accounts="$2"; shift 2 ;;
        --prefixes) prefixes="$2"; shift 2 ;;
        *) echo "bill-vs-groupby.sh: unknown option '$1' (use --calls N, --accounts N, --prefixes N)" >&2; exit 2 ;;
    esac
done
command -v psql >/dev/null || { echo "bill-vs-groupby.sh: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }

# shellcheck source=Benchmarks/private-postgres.sh
. Benchmarks/private-postgres.sh
month_end=$(date -u +%Y-%m-01)
period=$(date -u -d "$month_end -1 day" +%Y-%m)
days=$(date -u -d "$month_end -1 day" +%d)
db="$socket dbname=bench_bill"
psql -q "$socket dbname=postgres" -c "CREATE DATABASE bench_bill" >/dev/null
"$bin" migrate --db "$db" >/dev/null

echo "generating $calls calls of $accounts accounts over $period ..."
"$bin" generate --calls "$calls" --days "$days" --accounts "$accounts" --seed 3 --end "$month_end" --tz UTC \
    --out "$work/Master.csv" 2>/dev/null
"$bin" ingest --db "$db" --feed bench --format asterisk-csv --tz UTC --country-code 46 "$work/Master.csv" >/dev/null
rm "$work/Master.csv"

# A plan of distinct prefixes under +46 (lengths 2 to 7), each with its own price; a description
# (an invoice line) per 4-digit zone, as rate cards group destinations.
awk -v count="$prefixes" 'BEGIN {
    srand(1); print "plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,currency"
    print "bench,46,Sweden,0,0.1000,60,60,2020-01-01,SEK"; made["46"] = 1; n = 1
    while (n < count) {
        prefix = "46"; length_wanted = 3 + int(rand() * 5)
        while (length(prefix) < length_wanted) prefix = prefix int(rand() * 10)
        if (prefix in made) continue
        made[prefix] = 1; n++
        printf "bench,%s,Zone %s,0.%04d,0.%04d,%d,%d,2020-01-01,SEK\n", prefix, substr(prefix, 1, 4), int(rand() * 500), 100 + int(rand() * 9000), 30, 6
    }
}' > "$work/rates.csv"
"$bin" tariff import --db "$db" "$work/rates.csv"
sql bench_bill "INSERT INTO billing.account (account, currency) SELECT DISTINCT account, 'SEK' FROM cdr.call WHERE account IS NOT NULL" >/dev/null
sql bench_bill "INSERT INTO billing.account_plan (account, valid_from, plan) SELECT account, '-infinity', 'bench' FROM billing.account" >/dev/null
sql bench_bill "VACUUM ANALYZE cdr.call" >/dev/null

plain="SELECT account, count(*), sum(billable_s) FROM cdr.call WHERE start_time >= '$period-01' AND start_time < '$month_end' GROUP BY account"
sql bench_bill "$plain" >/dev/null   # warm the cache for both
start=$(now)
sql bench_bill "$plain" >/dev/null
end=$(now)
plain_seconds=$(seconds "$start" "$end")
start=$(now)
psql -q "$db" -c "\\copy (SELECT account, destination, start_time, billable_s, disposition FROM cdr.call WHERE start_time >= '$period-01' AND start_time < '$month_end') TO '/dev/null'"
end=$(now)
copy_seconds=$(seconds "$start" "$end")
start=$(now)
"$bin" bill --db "$db" --period "$period" --json > "$work/bill.json"
end=$(now)
bill_seconds=$(seconds "$start" "$end")
invoices=$(grep -c '"invoice"' "$work/bill.json" || true)
rated=$(sql bench_bill "SELECT sum(calls) FROM billing.invoice")
stored=$(sql bench_bill "SELECT count(*) FROM cdr.call WHERE start_time >= '$period-01' AND start_time < '$month_end'")
printf '(a) cdrstore bill --period %s: %s s, %s invoices, %s calls rated\n' "$period" "$bill_seconds" "$invoices" "$rated"
printf '(b) plain GROUP BY over the same %s rows: %s s\n' "$stored" "$plain_seconds"
printf '(c) psql \\copy of the columns bill reads, to /dev/null: %s s\n' "$copy_seconds"
printf 'ratio (a)/(b): %s (goal <= 2)\n' "$(awk -v a="$bill_seconds" -v b="$plain_seconds" 'BEGIN { printf "%.2f", a / b }')"
