#!/usr/bin/env bash
# The same generated traffic through the same scenario on a single PostgreSQL and on a local Citus
# cluster (a coordinator and two workers, deploy/citus/cluster.sh), then the two stores compared
# row for row and invoice for invoice.
#
# Scenario, on each, every step as a login of the role it needs: migrate (--citus on the cluster)
# and set up the roles; ingest a file killed with `kill -9` three times in the middle, then again
# to its end; ingest a copy of it (all duplicates); ingest a
# second file, timed (rows/s); a legal hold on the busiest number; tariffs, every account on a plan,
# last month billed; retention with a 1-month ceiling (the older days dropped, the held calls
# preserved, exact to the second); a legal request registered by one officer and approved by
# another, then audited lookups of the held number (its calls outlive the ceiling) and of others,
# timed (p95); `audit verify`.
#
# Compared: every stored call, preserved call and reject; the invoices and their lines; the daily
# statistics; what each retention step removed and preserved; each lookup's calls and result digest;
# the audit chain's verdict and its entries (all but their moments and hashes). Also tries, as an
# officer with psql, each shard of the call tables on the workers. Prints each difference (nothing
# when there is none) and exits 1 on any.
#
# Needs a Citus-enabled PostgreSQL (citus.so in `pg_config --pkglibdir`, or CITUS_PG_CONFIG): says so
# and exits 1 without one. Citus is not in Debian's registry; see the README's "Scaling out on Citus".
#
# Usage: Benchmarks/citus-check.sh [--calls N] [--binary PATH]
set -Eeuo pipefail
cd "$(dirname "$0")/.."
calls=100000
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls="$2"; shift 2 ;;
        --binary) export CDRSTORE_BIN="$2"; shift 2 ;;
        *) echo "citus-check.sh: unknown option '$1' (use --calls N, --binary PATH)" >&2; exit 2 ;;
    esac
done
pg_config=${CITUS_PG_CONFIG:-$(command -v pg_config || true)}
if [ -z "$pg_config" ] || [ ! -f "$("$pg_config" --pkglibdir)/citus.so" ]; then
    echo "citus-check.sh: Citus is not installed for this PostgreSQL (no citus.so in its library folder);" \
        "install a Citus-enabled PostgreSQL or set CITUS_PG_CONFIG (see the README's Scaling out on Citus)" >&2
    exit 1
fi
command -v psql >/dev/null || { echo "citus-check.sh: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }

# shellcheck source=Benchmarks/private-postgres.sh
. Benchmarks/private-postgres.sh
export CITUS_CLUSTER_DIR="$work/citus" CITUS_PORT=9800
chmod 755 "$work"
trap 'deploy/citus/cluster.sh stop >/dev/null 2>&1 || true; "$bin" embedded stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
trap 'echo "citus-check.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
deploy/citus/cluster.sh start >/dev/null
psql -q "$socket dbname=postgres" -c "CREATE DATABASE single_node" >/dev/null
single="$socket dbname=single_node"
cluster="host=127.0.0.1 port=$CITUS_PORT dbname=cdrstore user=postgres"

today=$(date -u +%Y-%m-%d)
"$bin" generate --calls "$calls" --days 60 --accounts 20 --seed 11 --end "$today" --tz Europe/Stockholm \
    --out "$work/a.csv" 2>/dev/null
printf 'not,a,record\n' >> "$work/a.csv"
"$bin" generate --calls "$calls" --days 10 --accounts 20 --seed 12 --end "$today" --tz Europe/Stockholm \
    --out "$work/b.csv" 2>/dev/null
cp "$work/a.csv" "$work/a-copy.csv"
cat > "$work/rates.csv" <<'CSV'
plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,currency
check,46,Sweden fixed,0,0.1200,60,60,2020-01-01,SEK
check,467,Sweden mobile,0.0500,0.3500,30,6,2020-01-01,SEK
check,46900,Sweden premium,0.5000,2.5000,1,1,2020-01-01,SEK
CSV
last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)

q() { psql -X -qtA -v ON_ERROR_STOP=1 "$1" -c "$2"; }
ingest() { # ingest CONNINFO FILE [extra args]: the feed's ingest command
    local db=$1 file=$2; shift 2
    "$bin" ingest --db "$db user=feeder" --feed pbx --format asterisk-csv --tz Europe/Stockholm --country-code 46 "$@" "$file"
}

scenario() { # scenario NAME CONNINFO [--citus]: runs everything on one store, writes NAME.* files
    local name=$1 db=$2 flag=${3:-} out="$work/$1"
    "$bin" migrate --db "$db" $flag >/dev/null
    "$bin" roles setup --db "$db" >/dev/null
    "$bin" grant officer_a cdrstore_officer --db "$db" >/dev/null
    "$bin" grant officer_b cdrstore_officer --db "$db" >/dev/null
    "$bin" grant auditor cdrstore_auditor --db "$db" >/dev/null
    # Each step as a login of the role it needs, as in production (on Citus: through the workers).
    "$bin" grant feeder cdrstore_ingest --db "$db" >/dev/null
    "$bin" grant biller cdrstore_billing --db "$db" >/dev/null
    "$bin" grant keeper cdrstore_admin --db "$db" >/dev/null

    # Ingest killed with kill -9 three times, each time once it has committed a batch more than the
    # last run did, then run again to the end.
    local round pid committed
    for round in 1 2 3; do
        committed=$(q "$db" "SELECT coalesce(max(committed_offset), 0) FROM cdr.ingest_ledger")
        ingest "$db" "$work/a.csv" --batch-size 5000 > "$out.killed-ingest" 2>&1 &
        pid=$!
        until [ "$(q "$db" "SELECT coalesce(max(committed_offset), 0) > $committed FROM cdr.ingest_ledger")" = t ]; do
            kill -0 "$pid" 2>/dev/null || {
                echo "citus-check.sh: $name: ingest run $round ended before a commit: $(cat "$out.killed-ingest")" >&2
                exit 1
            }
            sleep 0.05
        done
        kill -9 "$pid"; wait "$pid" 2>/dev/null || true
        echo "$name: ingest run $round killed with $(q "$db" "SELECT count(*) FROM cdr.call") calls stored" >&2
    done
    ingest "$db" "$work/a.csv" > "$out.ingest-resumed"
    ingest "$db" "$work/a-copy.csv" > "$out.ingest-copy"
    local start end
    start=$(now); ingest "$db" "$work/b.csv" > /dev/null; end=$(now)
    echo "$(awk -v n="$calls" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')" > "$out.rate"

    "$bin" hold place --db "$db user=keeper" --reason "case 1" --identifier "$busiest" --from 2020-01-01 --to 2030-01-01 \
        --country-code 46 > /dev/null
    "$bin" tariff import --db "$db user=biller" "$work/rates.csv" > /dev/null
    for account in $(q "$db" "SELECT DISTINCT account FROM cdr.call WHERE account IS NOT NULL ORDER BY 1"); do
        "$bin" account set --db "$db user=biller" "$account" --plan check > /dev/null
    done
    "$bin" bill --db "$db user=biller" --period "$last_month" > /dev/null
    "$bin" retention policy --db "$db user=keeper" --ceiling-months 1 --floor-months 1 --i-know > /dev/null
    "$bin" retention run --db "$db user=keeper" --as-of "${today}T00:00:00Z" > /dev/null

    local request
    "$bin" request create --db "$db user=officer_a" --country SE --authority "Police" --number "K-1" \
        --legal-basis "LEK 6:22" --decision-by "Court" --decision-ref "B 1-26" --authorised-from 2020-01-01 \
        --authorised-to 2030-01-01 > /dev/null
    request=$(q "$db" "SELECT max(id) FROM lawful.request")
    "$bin" request approve --db "$db user=officer_b" "$request" > /dev/null
    : > "$out.lookups"
    : > "$out.lookup-ms"
    for identifier in "$busiest" $others; do
        start=$(now)
        "$bin" lookup --db "$db user=officer_a" --request "$request" --identifier "$identifier" --format json \
            2> /dev/null | sed 's/"audit_entry":[0-9]*,//; s/"looked_up_at":"[^"]*",//' >> "$out.lookups"
        end=$(now)
        awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", (e - s) * 1000 }' >> "$out.lookup-ms"
    done
    # The verdict and the entries, but not their hashes: each entry's hash covers its moment.
    { "$bin" audit verify --db "$db user=auditor" 2>&1 || true; } | sed 's/, head hash [0-9a-f]*//' > "$out.audit"
    q "$db" "COPY (SELECT seq, login, action, request_id, criteria, records, encode(result_sha256, 'hex')
              FROM lawful.audit ORDER BY seq) TO STDOUT" >> "$out.audit"

    q "$db" "COPY (SELECT feed, encode(record_hash, 'hex'), start_time, answer_time, end_time, duration_s, billable_s,
                source, destination, source_ip, call_type, disposition, equipment, account, record_key, linked_key
              FROM cdr.call ORDER BY feed, record_hash, start_time) TO STDOUT" > "$out.calls"
    q "$db" "COPY (SELECT feed, encode(record_hash, 'hex'), start_time, source, destination, hold_ids
              FROM cdr.preserved_call ORDER BY feed, record_hash, start_time) TO STDOUT" > "$out.preserved"
    q "$db" "COPY (SELECT feed, source_name, byte_offset, line_number, encode(raw, 'hex'), reason
              FROM cdr.reject ORDER BY byte_offset, source_name) TO STDOUT" | sed "s|$work/||" > "$out.rejects"
    q "$db" "COPY (SELECT i.account, i.period, i.plans, i.currency, i.calls, i.unanswered, i.total, l.line, l.item, l.calls, l.billable_s,
                l.billed_s, l.amount, l.adjusts_invoice IS NOT NULL FROM billing.invoice AS i JOIN billing.invoice_line AS l ON l.invoice_id = i.id
              ORDER BY i.account, i.period, l.line) TO STDOUT" > "$out.invoices"
    q "$db" "COPY (SELECT * FROM stats.daily_traffic ORDER BY 1, 2, 3, 4, 5) TO STDOUT" > "$out.stats"
    q "$db" "COPY (SELECT day, action, rows_removed, rows_preserved, preserved_by_hold, stats_rows
              FROM cdr.retention_log ORDER BY day NULLS LAST, action) TO STDOUT" > "$out.retention"
    sed "s|$work/||" "$out.ingest-resumed" "$out.ingest-copy" | sed 's/ in [0-9.]* s//' > "$out.ingests"
}

# The numbers looked up: the busiest source (held), and 19 others, chosen from the file alone.
busiest=$("$bin" parse --format asterisk-csv --tz Europe/Stockholm --country-code 46 --as json "$work/a.csv" 2>/dev/null \
    | sed -n 's/.*"source":"\([^"]*\)".*/\1/p' | sort | uniq -c | sort -k1,1nr -k2 | awk 'NR == 1 { print $2 }')
others=$("$bin" parse --format asterisk-csv --tz Europe/Stockholm --country-code 46 --as json "$work/b.csv" 2>/dev/null \
    | sed -n 's/.*"destination":"\([^"]*\)".*/\1/p' | sort -u | awk 'NR % 97 == 1 && ++n <= 19')

scenario single "$single"
scenario cluster "$cluster" --citus

differences=0
# An officer with psql on a worker: every shard of the call tables refuses them.
shards=$(q "$cluster" "SELECT nodeport || ' ' || shard_name FROM citus_shards
                       WHERE table_name IN ('cdr.call'::regclass, 'cdr.preserved_call'::regclass, 'cdr.identifier_day'::regclass)")
while read -r port shard; do
    if PGOPTIONS="-c citus.override_table_visibility=off" \
        q "host=127.0.0.1 port=$port dbname=cdrstore user=officer_a" "SELECT 1 FROM $shard LIMIT 1" > /dev/null 2>&1; then
        differences=$((differences + 1))
        echo "DIFFERENT: officer_a may read $shard on the worker at port $port"
    fi
done <<< "$shards"
for part in ingests calls preserved rejects invoices stats retention lookups audit; do
    if ! diff -q "$work/single.$part" "$work/cluster.$part" > /dev/null; then
        differences=$((differences + 1))
        echo "DIFFERENT: $part (< single node, > Citus), first lines:"
        diff "$work/single.$part" "$work/cluster.$part" | head -8 || true
    fi
done
p95() { sort -n "$1" | awk '{ v[NR] = $1 } END { i = int(NR * 0.95 + 0.999); if (i < 1) i = 1; print v[i] }'; }
printf 'compared: %s calls, %s preserved, %s rejects, %s invoice lines, %s statistics rows, %s retention steps, %s lookups\n' \
    "$(wc -l < "$work/single.calls")" "$(wc -l < "$work/single.preserved")" "$(wc -l < "$work/single.rejects")" \
    "$(wc -l < "$work/single.invoices")" "$(wc -l < "$work/single.stats")" "$(wc -l < "$work/single.retention")" \
    "$(wc -l < "$work/single.lookup-ms")"
printf 'an officer with psql on a worker: refused by each of the %s shards of the call tables\n' "$(wc -l <<< "$shards")"
printf 'ingest of %s calls: single node %s rows/s, Citus (coordinator + 2 workers, same 2 cores) %s rows/s\n' \
    "$calls" "$(cat "$work/single.rate")" "$(cat "$work/cluster.rate")"
printf 'lookup from a new process, p95: single node %s ms, Citus %s ms\n' "$(p95 "$work/single.lookup-ms")" \
    "$(p95 "$work/cluster.lookup-ms")"
printf 'audit verify: single node "%s", Citus "%s"\n' "$(head -1 "$work/single.audit")" "$(head -1 "$work/cluster.audit")"
if [ "$differences" -gt 0 ]; then
    echo "citus-check: $differences parts differ"
    exit 1
fi
echo "citus-check: no difference"
