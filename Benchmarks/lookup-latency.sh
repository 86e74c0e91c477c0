#!/usr/bin/env bash
# Lawful-lookup latency, in one run on one private PostgreSQL: --days daily partitions ending
# yesterday hold --calls generated calls (loaded with SQL, not through ingest); officer_a registers
# a request over the whole window, officer_b approves it; then, for --lookups numbers that occur
# as a source, one lookup each from a new connection, including its audit entry:
#   (a) psql as officer_a, the two statements of a lookup, each committed on its own:
#       SELECT lawful.lookup(ID, NUMBER, ...) (the audit entry), then SELECT d.records FROM
#       lawful.disclose(ENTRY) AS d (the calls); and, from psql's \timing, each statement alone,
#       without process start and connection
#   (b) cdrstore lookup --request ID --identifier NUMBER --format csv (what an officer runs)
#   (c) cdrstore lookup --identifiers-file FILE of 100 other numbers, three times (a request's worth)
# over the whole authorised window and over one day on which the number has a call, side by side
# (alternating which goes first). psql's own start-up (SELECT 1) is timed too, as a baseline.
# Prints p50, p95 and max in ms, the audit entries written, `cdrstore audit verify`'s verdict and
# whether the goals are met: p95 of (b) <= 150 ms over the whole window and <= 30 ms over one day,
# (c) <= 3 s. Then the size of the identifier index (cdr.identifier_day, filled by `cdrstore
# partitions index` after the load) and what it costs ingest in this store (cdrstore ingest of
# calls into days not indexed and into indexed days, alternately, and indexing their days
# afterwards).
# Last, where a whole-window lookup's time goes: EXPLAIN (ANALYZE, BUFFERS) of the query
# lawful.calls_of runs on the days the index names, from a new connection and again on the same
# one (--explain FILE keeps the plans).
#
# Unlike the other scripts it does not build cdrstore: it runs --binary (default: .build/release/cdrstore,
# built with swift build -c release --product cdrstore; the Dockerfile's build adds --static-swift-stdlib,
# which starts 10 ms faster), so it can measure a binary built elsewhere. It says which it ran.
#
# --keep DIR leaves the store running in DIR (a new folder) at the end, to study it further; the
# script prints how to reach it and how to stop it.
#
# Usage: Benchmarks/lookup-latency.sh [--calls 10000000] [--days 730] [--lookups 50] [--binary PATH] [--explain FILE] [--keep DIR]
set -euo pipefail

calls=10000000
days=730
lookups=50
binary=
explain_file=
keep=
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls="$2"; shift 2 ;;
        --days) days="$2"; shift 2 ;;
        --lookups) lookups="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --explain) explain_file="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "lookup-latency.sh: unknown option '$1' (use --calls N, --days D, --lookups K, --binary PATH, --explain FILE, --keep DIR)" >&2
           exit 2 ;;
    esac
done
for value in "$calls" "$days" "$lookups"; do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "lookup-latency.sh: '$value' is not a positive whole number" >&2; exit 2; }
done
case "$binary" in "" | /*) ;; *) binary="$PWD/$binary" ;; esac   # relative to where the script was started
case "$explain_file" in "" | /*) ;; *) explain_file="$PWD/$explain_file" ;; esac
case "$keep" in "" | /*) ;; *) keep="$PWD/$keep" ;; esac
[ -z "$keep" ] || [ ! -e "$keep" ] || { echo "lookup-latency.sh: --keep $keep exists already; name a new folder" >&2; exit 2; }
cd "$(dirname "$0")/.."
bin="${binary:-$PWD/.build/release/cdrstore}"
[ -x "$bin" ] || { echo "lookup-latency.sh: no cdrstore binary at $bin (swift build -c release --product cdrstore, or --binary PATH)" >&2
                   exit 1; }
command -v psql >/dev/null || { echo "lookup-latency.sh: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }
# Debian's /usr/bin/psql is a Perl wrapper (pg_wrapper) that adds some 40 ms to every start; time
# the psql program itself.
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/psql" ] || bindir=$(find /usr/lib/postgresql -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname)
[ -n "$bindir" ] && [ -x "$bindir/psql" ] && PATH="$bindir:$PATH"

# The private PostgreSQL, as Benchmarks/private-postgres.sh starts it (which builds the binary
# itself; here the binary is given): cdrstore's embedded cluster in a temporary folder, run by an
# unprivileged user when this runs as root, stopped and removed on exit, even when interrupted
# (Ctrl-C cancels the running statement; a TERM to the script alone waits for it to end).
if [ -n "$keep" ]; then
    mkdir -p "$keep"
    work=$keep
else
    work=$(mktemp -d /tmp/cdrstore-bench.XXXXXX)
fi
chmod 755 "$work"
export CDRSTORE_HOME="$work/home"
finish() {
    if [ -n "$keep" ]; then
        echo "the store is still running: psql \"host=$work/home/run port=5432 user=cdrstore dbname=bench_lookup\"; stop it with CDRSTORE_HOME=$work/home $bin embedded stop"
    else
        "$bin" embedded stop >/dev/null 2>&1 || true
        rm -rf "$work"
    fi
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
"$bin" embedded start >/dev/null
socket="host=$work/home/run port=5432 user=cdrstore"
now() { date +%s.%N; }
seconds() { awk -v start="$1" -v end="$2" 'BEGIN { printf "%.2f", end - start }'; }
sql() { psql -X -qtA -v ON_ERROR_STOP=1 "$socket dbname=$1" -c "$2"; }

database=bench_lookup
db="$socket dbname=$database"
as() { echo "host=$work/home/run port=5432 dbname=$database user=$1"; }   # conninfo of a login
psql -X -q "$socket dbname=postgres" -c "CREATE DATABASE $database" >/dev/null
"$bin" migrate --db "$db" >/dev/null
"$bin" roles setup --db "$db" >/dev/null
"$bin" grant officer_a cdrstore_officer --db "$db" >/dev/null
"$bin" grant officer_b cdrstore_officer --db "$db" >/dev/null
"$bin" grant auditor_c cdrstore_auditor --db "$db" >/dev/null

# The calls: uniform over the days, from 200,000 subscribers (+46700000000 ...); half of the
# destinations are subscribers too, half other Swedish numbers; 80 % answered; a third carry a
# source IP (256 trunks). One INSERT per month, in time order as ingest would write them.
first_day=$(date -u -d "$days days ago" +%Y-%m-%d)
last_day=$(date -u -d "$first_day + $((days - 1)) days" +%Y-%m-%d)
end_day=$(date -u -d "$first_day + $days days" +%Y-%m-%d)   # the window's exclusive end
echo "loading $calls calls over $days daily partitions, $first_day to $last_day ..."
load_options="-c synchronous_commit=off -c maintenance_work_mem=1GB -c work_mem=256MB"
load_start=$(now)
offset=0
while [ "$offset" -lt "$days" ]; do
    chunk_start=$(date -u -d "$first_day + $offset days" +%Y-%m-%d)
    next_month=$(date -u -d "$(date -u -d "$chunk_start" +%Y-%m-01) + 1 month" +%Y-%m-%d)
    chunk_days=$(( ($(date -u -d "$next_month" +%s) - $(date -u -d "$chunk_start" +%s)) / 86400 ))
    [ $((offset + chunk_days)) -le "$days" ] || chunk_days=$((days - offset))
    low=$((calls * offset / days))
    high=$((calls * (offset + chunk_days) / days))
    chunk_started=$(now)
    PGOPTIONS="$load_options" psql -X -qtA -v ON_ERROR_STOP=1 "$db" \
        -c "SELECT count(cdr.ensure_partition(d::date))
            FROM generate_series(date '$chunk_start', date '$chunk_start' + $((chunk_days - 1)), '1 day') AS d" \
        -c "SELECT setseed(${offset}.0 / ($days + 1))" \
        -c "INSERT INTO cdr.call (start_time, answer_time, end_time, duration_s, billable_s, source, destination,
                                 source_ip, call_type, disposition, equipment, account, feed, record_key, record_hash)
            SELECT start_time,
                   CASE WHEN answered THEN start_time + ring * interval '1 second' END,
                   start_time + (ring + talk) * interval '1 second',
                   ring + talk, talk,
                   '+4670' || lpad(subscriber::text, 7, '0'),
                   CASE WHEN r_called < 0.5 THEN '+4670' || lpad(called::text, 7, '0')
                        ELSE '+468' || lpad(called::text, 7, '0') END,
                   CASE WHEN r_ip < 0.33 THEN ('10.20.' || (trunk / 16) || '.' || (trunk % 16 + 1))::inet END,
                   'voice', disposition,
                   'sbc' || i % 4, 'acct' || lpad((subscriber % 2000)::text, 4, '0'),
                   'bench', 'bench-' || i, substr(sha256(int8send(i)), 1, 16)
            FROM (SELECT i, start_time, subscriber, called, r_called, r_ip, trunk,
                         r_disposition < 0.80 AS answered,
                         CASE WHEN r_disposition < 0.80 THEN 'answered' WHEN r_disposition < 0.90 THEN 'no_answer'
                              WHEN r_disposition < 0.95 THEN 'busy' WHEN r_disposition < 0.98 THEN 'cancelled'
                              ELSE 'failed' END AS disposition,
                         CASE WHEN r_disposition < 0.80 THEN 1 + floor(r_ring * 20)::int
                              ELSE floor(r_ring * 45)::int END AS ring,
                         CASE WHEN r_disposition < 0.80 THEN least(1 + floor(-ln(1 - r_talk) * 150)::int, 14400)
                              ELSE 0 END AS talk
                  FROM (SELECT i,
                               timestamp '$chunk_start' AT TIME ZONE 'UTC'
                                   + floor(random() * $((chunk_days * 86400))) * interval '1 second' AS start_time,
                               floor(random() * 200000)::int AS subscriber,
                               floor(random() * 200000)::int AS called,
                               random() AS r_called, random() AS r_ip, floor(random() * 256)::int AS trunk,
                               random() AS r_disposition, random() AS r_ring, random() AS r_talk
                        FROM generate_series($((low + 1))::bigint, ${high}::bigint) AS i
                        OFFSET 0) AS drawn) AS c
            ORDER BY start_time" >/dev/null
    printf '  %s + %3d days: %9d calls  %6s s\n' "$chunk_start" "$chunk_days" $((high - low)) "$(seconds "$chunk_started" "$(now)")"
    offset=$((offset + chunk_days))
done
load_end=$(now)
echo "VACUUM ANALYZE cdr.call, CHECKPOINT ..."
PGOPTIONS="$load_options" sql "$database" "VACUUM (ANALYZE) cdr.call" >/dev/null
sql "$database" "CHECKPOINT" >/dev/null
vacuum_end=$(now)
echo "cdrstore partitions index (what the daily retention run does for finished days) ..."
"$bin" partitions index --db "$db" > "$work/index.out"
index_end=$(now)
stored=$(sql "$database" "SELECT count(*) FROM cdr.call")
partitions=$(sql "$database" "SELECT count(*) FROM cdr.partitions")
store_size=$(sql "$database" "SELECT pg_size_pretty(sum(total_bytes)) FROM cdr.partitions")
[ "$stored" = "$calls" ] || { echo "lookup-latency.sh: the store holds $stored calls, expected $calls" >&2; exit 1; }
[ "$partitions" = "$days" ] || { echo "lookup-latency.sh: $partitions partitions, expected $days" >&2; exit 1; }

# The request: the whole window, no identifier (any number may be looked up); four eyes.
"$bin" request create --db "$(as officer_a)" --country SE --authority "Benchmark authority" --number BENCH-1 \
    --legal-basis "benchmark" --decision-by "benchmark court" --decision-ref "BENCH-1" \
    --authorised-from "$first_day" --authorised-to "$last_day" >/dev/null
request=$(sql "$database" "SELECT id FROM lawful.request WHERE request_number = 'BENCH-1'")
"$bin" request approve "$request" --db "$(as officer_b)" >/dev/null
audit_before=$(sql "$database" "SELECT count(*) FROM lawful.audit")

# The numbers: distinct sources of a random sample of calls, each with the day of that call.
sample_percent=$(awk -v k="$lookups" -v n="$calls" 'BEGIN { p = 100 * k * 20 / n; printf "%.6f", (p > 100 ? 100 : p) }')
sql "$database" "SELECT source, day FROM (
        SELECT DISTINCT ON (source) source, (start_time AT TIME ZONE 'UTC')::date AS day
        FROM cdr.call TABLESAMPLE BERNOULLI ($sample_percent) REPEATABLE (11) ORDER BY source, start_time) AS s
    ORDER BY md5(source) LIMIT $lookups" | tr '|' ' ' > "$work/numbers"
picked=$(wc -l < "$work/numbers")
[ "$picked" = "$lookups" ] || { echo "lookup-latency.sh: sampled $picked numbers, expected $lookups" >&2; exit 1; }

# Wall time of one command in µs (bash's clock, no process of its own), appended to FILE.
timed() { # timed FILE COMMAND...
    local file=$1 start end
    shift
    start=${EPOCHREALTIME/./}
    "$@"
    end=${EPOCHREALTIME/./}
    echo $((end - start)) >> "$work/$file.us"
}
officer_a=$(as officer_a)
run_a() { # run_a NUMBER FROM TO: psql, lawful.lookup then lawful.disclose; the records, then psql's "Time: X ms" lines, into $work/a.out
    psql -X -qtA -v ON_ERROR_STOP=1 "$officer_a" > "$work/a.out" <<SQL
\\timing on
SELECT lawful.lookup($request, '$1', $2, $3) AS entry \\gset
SELECT d.records FROM lawful.disclose(:entry) AS d;
SQL
}
run_b() { # run_b NUMBER [--from DAY --to DAY]: cdrstore lookup; its summary line into $work/b.err
    local number=$1
    shift
    "$bin" lookup --db "$officer_a" --request "$request" --identifier "$number" "$@" --format csv \
        > /dev/null 2> "$work/b.err"
}
records_of_b() { sed -n 's/^legal request [0-9]*: \([0-9]*\) calls\{0,1\} of .*/\1/p' "$work/b.err"; }
check_same() { # check_same WINDOW NUMBER: (a) and (b) found the same calls
    local a b
    a=$(grep -v '^Time:' "$work/a.out" | head -n 1)
    b=$(records_of_b)
    [ "$a" = "$b" ] || { echo "lookup-latency.sh: $2 ($1): psql found '$a' calls, cdrstore lookup '$b'" >&2; exit 1; }
    echo "$a" >> "$work/records-$1"
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$work/a.out" | awk 'NR == 1 { printf "%d\n", $1 * 1000 }' >> "$work/a_$1_audit.us"
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$work/a.out" | awk 'NR == 2 { printf "%d\n", $1 * 1000 }' >> "$work/a_$1_disclose.us"
}

echo "timing $lookups lookups of each kind ..."
index=0
while read -r number day; do
    next_day=$(date -u -d "$day + 1 day" +%Y-%m-%d)
    timed baseline psql -X -qtA "$officer_a" -c "SELECT 1" > /dev/null
    if [ $((index % 2)) = 0 ]; then
        timed a_whole run_a "$number" NULL NULL
        timed b_whole run_b "$number"
    else
        timed b_whole run_b "$number"
        timed a_whole run_a "$number" NULL NULL
    fi
    check_same whole "$number"
    if [ $((index % 2)) = 0 ]; then
        timed a_day run_a "$number" "'${day}T00:00Z'" "'${next_day}T00:00Z'"
        timed b_day run_b "$number" --from "$day" --to "$day"
    else
        timed b_day run_b "$number" --from "$day" --to "$day"
        timed a_day run_a "$number" "'${day}T00:00Z'" "'${next_day}T00:00Z'"
    fi
    check_same day "$number"
    index=$((index + 1))
done < "$work/numbers"

# A request's worth of identifiers in one command: --identifiers-file of 100 other numbers, three
# times with different numbers, one audit entry each.
echo "timing 3 lookups of 100 identifiers each in one cdrstore lookup --identifiers-file ..."
hundred_percent=$(awk -v n="$calls" 'BEGIN { p = 100 * 100 * 20 / n; printf "%.6f", (p > 100 ? 100 : p) }')
for round in 1 2 3; do
    sql "$database" "SELECT source FROM (
            SELECT DISTINCT source FROM cdr.call TABLESAMPLE BERNOULLI ($hundred_percent) REPEATABLE ($((20 + round)))) AS s
        ORDER BY md5(source) LIMIT 100" > "$work/hundred-$round"
    [ "$(wc -l < "$work/hundred-$round")" = 100 ] || { echo "lookup-latency.sh: sampled fewer than 100 numbers" >&2; exit 1; }
    entries_before=$(sql "$database" "SELECT count(*) FROM lawful.audit")
    timed hundred "$bin" lookup --db "$officer_a" --request "$request" --identifiers-file "$work/hundred-$round" \
        --format json > /dev/null 2> "$work/hundred.err"
    entries=$(( $(sql "$database" "SELECT count(*) FROM lawful.audit") - entries_before ))
    [ "$entries" = 100 ] || { echo "lookup-latency.sh: 100 identifiers wrote $entries audit entries" >&2; exit 1; }
done

audit_after=$(sql "$database" "SELECT count(*) FROM lawful.audit")
verdict=$("$bin" audit verify --db "$(as auditor_c)" 2>&1) && intact=yes || intact=no

stats() { # stats NAME: "p50 p95 max" in ms (nearest rank)
    sort -n "$work/$1.us" | awk '{ v[NR] = $1 }
        END { i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++; i95 = int(NR * 0.95); if (i95 < NR * 0.95) i95++
              printf "%8.1f %8.1f %8.1f", v[i50] / 1000, v[i95] / 1000, v[NR] / 1000 }'
}
mean() { awk '{ s += $1 } END { printf "%.1f", s / NR }' "$work/$1"; }
p95_b_whole=$(stats b_whole | awk '{ print $2 }')

echo
echo "store: $stored calls in $partitions daily partitions ($store_size), $first_day to $last_day;" \
    "PostgreSQL $(sql postgres 'SHOW server_version'), shared_buffers $(sql postgres 'SHOW shared_buffers')"
if ldd "$bin" | grep -q libswiftCore; then linkage="the Swift runtime and Foundation linked dynamically"
else linkage="the Swift runtime and Foundation linked statically (--static-swift-stdlib)"; fi
echo "binary: $bin, $linkage"
echo "load: $(seconds "$load_start" "$load_end") s INSERT ... SELECT, then $(seconds "$load_end" "$vacuum_end") s VACUUM ANALYZE + CHECKPOINT," \
    "then $(seconds "$vacuum_end" "$index_end") s cdrstore partitions index: $(cat "$work/index.out")"
echo "request $request: whole window $first_day to $last_day (incl.); $lookups numbers; records per lookup:" \
    "$(mean records-whole) on average over the whole window, $(mean records-day) over one day"
echo
printf '%-52s %8s %8s %8s\n' "each from a new connection, ms ($lookups runs)" p50 p95 max
printf '%-52s %s\n' "psql baseline: SELECT 1" "$(stats baseline)"
printf '%-52s %s\n' "(a) psql: lookup + disclose, whole window" "$(stats a_whole)"
printf '%-52s %s\n' "    of which lawful.lookup (psql \\timing)" "$(stats a_whole_audit)"
printf '%-52s %s\n' "    of which lawful.disclose (psql \\timing)" "$(stats a_whole_disclose)"
printf '%-52s %s\n' "(b) cdrstore lookup --format csv, whole window" "$(stats b_whole)"
printf '%-52s %s\n' "(a) psql: lookup + disclose, one day" "$(stats a_day)"
printf '%-52s %s\n' "    of which lawful.lookup (psql \\timing)" "$(stats a_day_audit)"
printf '%-52s %s\n' "    of which lawful.disclose (psql \\timing)" "$(stats a_day_disclose)"
printf '%-52s %s\n' "(b) cdrstore lookup --format csv, one day" "$(stats b_day)"
echo
printf '%-52s %s\n' "(c) cdrstore lookup --identifiers-file, 100 numbers" "$(stats hundred)"
echo
echo "audit entries written: $((audit_after - audit_before)) by the lookups ($((4 * lookups + 300)) expected)," \
    "$audit_after in all ($((4 * lookups + 302)) expected with the request's two)"
echo "cdrstore audit verify (as auditor_c): $([ "$intact" = yes ] && echo intact || echo NOT intact): $verdict"
p95_b_day=$(stats b_day | awk '{ print $2 }')
max_hundred=$(stats hundred | awk '{ print $3 }')
awk -v p="$p95_b_whole" -v q="$p95_b_day" -v h="$max_hundred" -v n="$stored" -v d="$days" 'BEGIN {
    printf "goal: p95 of (b) over the whole window (%d days, %d calls) = %.1f ms %s 150 ms: %s\n",
        d, n, p, (p <= 150 ? "<=" : ">"), (p <= 150 ? "MET" : "NOT MET")
    printf "goal: p95 of (b) over one day = %.1f ms %s 30 ms: %s\n", q, (q <= 30 ? "<=" : ">"), (q <= 30 ? "MET" : "NOT MET")
    printf "goal: slowest of (c), 100 identifiers = %.1f ms %s 3000 ms: %s\n", h, (h <= 3000 ? "<=" : ">"),
        (h <= 3000 ? "MET" : "NOT MET") }'
echo "identifier index: $(sql "$database" "SELECT count(*) || ' (identifier, day) pairs, ' || pg_size_pretty(pg_total_relation_size('cdr.identifier_day')) FROM cdr.identifier_day") beside $store_size of calls"

echo
# What the identifier index costs ingest, in this store (730 partitions, its index as large as the
# load made it): four files of 100k calls of the last 2 days, alternately into days not indexed
# (as today's are) and into days indexed just before (late calls: cdr.ensure_partition takes
# each day off cdr.indexed_partition, and its triggers off its partition, before the first batch).
echo "ingest cost of the identifier index in this store ..."
ingest_options=(--format asterisk-csv --tz Europe/Stockholm --country-code 46)
for round in 1 2 3 4; do
    "$bin" generate --calls 100000 --days 2 --accounts 200 --seed $((40 + round)) --end "$last_day" \
        --tz Europe/Stockholm --out "$work/ingest-$round.csv" 2>/dev/null
    # The UTC days those Stockholm days touch (a day without a partition is skipped).
    if [ $((round % 2)) = 1 ]; then state=unindexed; action=cdr.unwatch_indexed_partition; else state=indexed; action=cdr.index_day; fi
    sql "$database" "SELECT $action('$last_day'::date - k) FROM generate_series(0, 2) AS k" >/dev/null
    start=${EPOCHREALTIME/./}
    "$bin" ingest --db "$db" --feed "bench-$round" "${ingest_options[@]}" --json "$work/ingest-$round.csv" > /dev/null
    end=${EPOCHREALTIME/./}
    echo $((end - start)) >> "$work/ingest-$state.us"
done
awk -v off="$(awk '{ s += $1 } END { print s }' "$work/ingest-unindexed.us")" -v on="$(awk '{ s += $1 } END { print s }' "$work/ingest-indexed.us")" \
    'BEGIN { printf "cdrstore ingest, 2 x 100,000 calls each: into days not indexed %.0f rows/s, into indexed days (late calls) %.0f rows/s; indexed/not = %.2f (goal >= 0.90)\n",
             200000 / (off / 1e6), 200000 / (on / 1e6), off / on }'
start=${EPOCHREALTIME/./}
"$bin" partitions index --db "$db" > "$work/index-again.out"
end=${EPOCHREALTIME/./}
echo "then cdrstore partitions index of the days they touched: $(awk -v us=$((end - start)) 'BEGIN { printf "%.2f", us / 1e6 }') s: $(cat "$work/index-again.out")"

# Where a whole-window lookup's time goes: the query of lawful.calls_of with the first number on
# the days cdr.identifier_day names for it, as the superuser, EXPLAIN (ANALYZE, BUFFERS) from a
# new connection (catalog caches empty, as for
# every lookup above) and once more on the same connection (caches filled).
read -r number _ < "$work/numbers"
# One branch per day the index names, testing the columns the number occurs in that day, as
# lawful.calls_of builds it.
branches=$(sql "$database" "SELECT string_agg(format('SELECT c.start_time, c.answer_time, c.end_time, c.duration_s,
            c.source, c.destination, c.source_ip, c.call_type, c.disposition, c.equipment, c.account, c.feed,
            c.record_key, c.record_hash, %L::text AS stored FROM cdr.call AS c
        WHERE c.start_time >= %L AND c.start_time < %L AND %s UNION ALL ', 'live',
        d.day::timestamp AT TIME ZONE 'UTC', (d.day + 1)::timestamp AT TIME ZONE 'UTC',
        replace(replace(lawful.identifier_condition(d.roles), '\$3', quote_literal('$number')), '\$4', 'NULL::inet')), '')
    FROM cdr.identifier_day AS d WHERE d.identifier = '$number'")
day_count=$(sql "$database" "SELECT count(*) FROM cdr.identifier_day WHERE identifier = '$number'")
matched="WITH found_anywhere AS ($branches
        SELECT p.start_time, p.answer_time, p.end_time, p.duration_s, p.source, p.destination, p.source_ip,
               p.call_type, p.disposition, p.equipment, p.account, p.feed, p.record_key, p.record_hash,
               'preserved'::text AS stored
        FROM cdr.preserved_call AS p
        WHERE true AND p.start_time >= '${first_day}T00:00Z' AND p.start_time < '${end_day}T00:00Z'
          AND (p.source = '$number' OR p.destination = '$number' OR p.source_ip = NULL::inet)),
    matched AS (
        SELECT DISTINCT ON (f.feed, f.record_hash, f.start_time) f.* FROM found_anywhere AS f
        ORDER BY f.feed, f.record_hash, f.start_time, f.stored = 'preserved')
    SELECT array_agg(ROW(m.n::integer, lawful.utc(m.start_time), lawful.utc(m.answer_time), lawful.utc(m.end_time),
                         m.duration_s, m.source, m.destination, host(m.source_ip), m.call_type, m.disposition,
                         m.equipment, m.account, m.feed, m.record_key, m.stored)::lawful.disclosed_call ORDER BY m.n)
    FROM (SELECT matched.*, row_number() OVER (ORDER BY start_time, feed, record_hash) AS n FROM matched) AS m"
psql -X -qtA -v ON_ERROR_STOP=1 "$db" -c "EXPLAIN (ANALYZE, BUFFERS) $matched" -c "EXPLAIN (ANALYZE, BUFFERS) $matched" \
    > "$work/explain.txt"
plan_summary() { # plan_summary N: planning and execution time of the Nth plan, and the scans in it
    awk -v want="$1" 'plans == want - 1 { print } /Execution Time/ { plans++ }' "$work/explain.txt" > "$work/plan$1.txt"
    awk '/Planning Time/ { planning = $3 } /Execution Time/ { execution = $3 }
         /Bitmap Heap Scan on call_p|Index Scan using .* on call_p|Seq Scan on call_p/ { live++ }
         /Seq Scan on call_p/ { sequential++ }
         END { printf "planning %.1f ms, execution %.1f ms; partitions scanned for the live calls: %d (%d sequentially)",
                      planning, execution, live, sequential }' "$work/plan$1.txt"
}
echo
echo "where the time goes, EXPLAIN (ANALYZE, BUFFERS) of lawful.calls_of's query for $number over the whole window," \
    "on the $day_count days cdr.identifier_day names:"
echo "  new connection:           $(plan_summary 1)"
echo "  same connection, again:   $(plan_summary 2)"
awk '/^ *Planning:/ { getline; sub(/^ */, ""); print "  planning " (++n == 1 ? "(new connection): " : "(again):          ") $0 }' \
    "$work/explain.txt"
if [ -n "$explain_file" ]; then cp "$work/explain.txt" "$explain_file"; echo "  plans written to $explain_file"; fi
