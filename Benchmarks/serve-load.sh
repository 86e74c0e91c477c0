#!/usr/bin/env bash
# Load on `cdrstore serve` over loopback, and its spool ingest against `cdrstore ingest`.
#
# (1) wrk posts FreeSWITCH mod_json_cdr documents (one CDR per request, each with its own uuid) at
#     1, 16 and 64 concurrent connections for --seconds each: acknowledged CDRs/s (2xx answers:
#     committed), p50 and p99 acknowledgement latency, and a check that the table holds exactly
#     the acknowledged CDRs; then the same with cdr-jsonl batches of --batch records per request.
#     Beside them, in the same run, wrk times an empty route of the same server (`GET /livez`, no
#     database) at 64 connections: the ceiling of the HTTP layer, and the ratio of single-CDR posts
#     at 64 connections to it.
# (2) the same generated Asterisk file read by `cdrstore ingest` and dropped into a spool folder
#     that `serve` watches, alternately, twice, each into a new database: rows/s of each and the
#     ratio (spool / ingest) of their total times.
#
# With --busy, `stress-ng --cpu 1` runs beside the whole run (another process busy on one core).
# With --perf FILE, the single-CDR 64-connection run is repeated once more at the end of (1) with
# `perf record -g` sampling the server (the measured lines above it run without perf); where its
# time went, per thread and per function including callees, is printed (FILE is kept).
#
# With --binary PATH, that cdrstore binary runs instead of a fresh release build (two builds side by side).
#
# Usage: Benchmarks/serve-load.sh [--seconds S] [--spool-calls N] [--batch N] [--busy] [--perf FILE] [--binary PATH]
#        (needs wrk; --busy needs stress-ng, --perf needs perf: apt-get install wrk stress-ng linux-perf)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=15
spool_calls=500000
batch=10
busy=""
perf_file=""
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) duration="$2"; shift 2 ;;
        --spool-calls) spool_calls="$2"; shift 2 ;;
        --batch) batch="$2"; shift 2 ;;
        --busy) busy=1; shift ;;
        --perf) perf_file="$2"; shift 2 ;;
        --binary) export CDRSTORE_BIN="$2"; shift 2 ;;
        *) echo "serve-load.sh: unknown option '$1' (use --seconds S, --spool-calls N, --batch N, --busy, --perf FILE, --binary PATH)" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "serve-load.sh: wrk is needed (apt-get install wrk)" >&2; exit 1; }
command -v psql >/dev/null || { echo "serve-load.sh: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }
[ -z "$busy" ] || command -v stress-ng >/dev/null || { echo "serve-load.sh: --busy needs stress-ng (apt-get install stress-ng)" >&2; exit 1; }
[ -z "$perf_file" ] || command -v perf >/dev/null || { echo "serve-load.sh: --perf needs perf (apt-get install linux-perf)" >&2; exit 1; }

# shellcheck source=Benchmarks/private-postgres.sh
. Benchmarks/private-postgres.sh
port=18642
if [ -n "$busy" ]; then
    stress-ng --cpu 1 --quiet &
    busy_pid=$!
    trap 'kill "$busy_pid" 2>/dev/null || true; "$bin" embedded stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    echo "busy: stress-ng --cpu 1 runs beside this run (pid $busy_pid)"
fi
psql -q "$socket dbname=postgres" -c "CREATE DATABASE bench_push" >/dev/null
"$bin" migrate --db "$socket dbname=bench_push" >/dev/null
rate() { awk -v rows="$1" -v start="$2" -v end="$3" 'BEGIN { printf "%.0f", rows / (end - start) }'; }

serve() { # serve DATABASE CONFIG: starts serve in the background and waits until it listens
    "$bin" serve --db "$socket dbname=$1" --config "$2" 2> "$work/serve-$1.log" &
    serve_pid=$!
    for _ in $(seq 1 200); do grep -q "listening on" "$work/serve-$1.log" && return; sleep 0.05; done
    echo "serve-load.sh: serve did not start: $(cat "$work/serve-$1.log")" >&2; exit 1
}
stop_serve() { kill -TERM "$serve_pid"; wait "$serve_pid"; }

cat > "$work/push.yaml" <<YAML
http:
  listen: 127.0.0.1:$port
feeds:
  - name: fs1
    format: freeswitch-json
    country_code: "46"
    push: {username: fs1, password: bench}
  - name: gw
    format: cdr-jsonl
    push: {username: gw, password: bench}
YAML
serve bench_push "$work/push.yaml"
start_us=$(( ($(date +%s) - 3600) * 1000000 ))
acknowledged_total=0
load() { # load CONNECTIONS RECORDS_PER_REQUEST [LABEL]: one wrk run, one line of figures
    local connections=$1 per_request=$2 label="c$1-b$2${3:+-$3}" threads out
    threads=$(( $1 < 2 ? 1 : 2 ))
    out="$work/wrk-$1-$2.txt"
    wrk -t "$threads" -c "$connections" -d "${duration}s" --latency -s Benchmarks/serve-load.lua \
        "http://127.0.0.1:$port" -- "$start_us" "$label" "$per_request" > "$out"
    local requests non2xx seconds_run
    requests=$(awk '/requests in/ { print $1 }' "$out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$out"); non2xx=${non2xx:-0}
    seconds_run=$(awk '/requests in/ { sub(/s,/, "", $4); print $4 }' "$out")
    acknowledged_total=$(( acknowledged_total + (requests - non2xx) * per_request ))
    printf '%-12s %8s %12.0f %10s %10s %10s\n' "$connections" "$per_request" \
        "$(awk -v a="$(( (requests - non2xx) * per_request ))" -v s="$seconds_run" 'BEGIN { print a / s }')" \
        "$(awk '$1 == "50%" { print $2 }' "$out")" "$(awk '$1 == "99%" { print $2 }' "$out")" "$non2xx" \
        | tee -a "$work/push-lines.txt"
}
echo "push: $duration s per line; 1 CDR per request = FreeSWITCH JSON, more = cdr-jsonl batches"
printf '%-12s %8s %12s %10s %10s %10s\n' connections "CDRs/req" "CDRs/s" p50 p99 "non-2xx"
for connections in 1 16 64; do load "$connections" 1; done
for connections in 1 16 64; do load "$connections" "$batch"; done
wrk -t 2 -c 64 -d "${duration}s" --latency "http://127.0.0.1:$port/livez" > "$work/wrk-livez.txt"
empty_rate=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk-livez.txt")
single_rate=$(awk '$1 == 64 && $2 == 1 { print $3 }' "$work/push-lines.txt")
printf 'empty route (GET /livez) at 64 connections: %.0f requests/s, p99 %s; single-CDR posts at 64 / empty route: %s\n' \
    "$empty_rate" "$(awk '$1 == "99%" { print $2 }' "$work/wrk-livez.txt")" \
    "$(awk -v a="$single_rate" -v b="$empty_rate" 'BEGIN { printf "%.2f", a / b }')"
if [ -n "$perf_file" ]; then
    perf record -g -o "$perf_file" -p "$serve_pid" -- sleep "$duration" 2> "$work/perf.log" &
    perf_pid=$!
    echo "profiled repeat (perf record beside it slows it):"
    load 64 1 profiled
    wait "$perf_pid"
fi
stop_serve
stored=$(sql bench_push "SELECT count(*) FROM cdr.call")
echo "stored $stored CDRs; acknowledged $acknowledged_total (wrk counts requests cut off at the end of a run as not acknowledged)"

echo "spool: $spool_calls generated Asterisk calls, read by ingest and by a spool alternately, twice"
"$bin" generate --calls "$spool_calls" --days 3 --accounts 200 --seed 5 --end "$(date -u +%Y-%m-%d)" \
    --tz Europe/Stockholm --out "$work/Master.csv" 2>/dev/null
mkdir -p "$work/spool"
cat > "$work/spool.yaml" <<YAML
http:
  listen: 127.0.0.1:$port
spool:
  poll_seconds: 0.05
feeds:
  - name: pbx
    format: asterisk-csv
    tz: Europe/Stockholm
    country_code: "46"
    spool: $work/spool
YAML
ingest_seconds=0
spool_seconds=0
for round in 1 2; do
    for database in "bench_ingest_$round" "bench_spool_$round"; do
        psql -q "$socket dbname=postgres" -c "CREATE DATABASE $database" >/dev/null
        "$bin" migrate --db "$socket dbname=$database" >/dev/null
    done
    sync
    start=$(now)
    "$bin" ingest --db "$socket dbname=bench_ingest_$round" --feed pbx --format asterisk-csv \
        --tz Europe/Stockholm --country-code 46 "$work/Master.csv" > /dev/null
    end=$(now)
    ingest_seconds=$(awk -v t="$ingest_seconds" -v s="$start" -v e="$end" 'BEGIN { print t + e - s }')
    ingest_rate=$(rate "$spool_calls" "$start" "$end")
    cp "$work/Master.csv" "$work/Master.copy"
    serve "bench_spool_$round" "$work/spool.yaml"
    start=$(now)
    mv "$work/Master.copy" "$work/spool/Master.csv"
    until grep -q "spool file ingested" "$work/serve-bench_spool_$round.log"; do sleep 0.02; done
    end=$(now)
    stop_serve
    rm -f "$work/spool/Master.csv"
    spool_seconds=$(awk -v t="$spool_seconds" -v s="$start" -v e="$end" 'BEGIN { print t + e - s }')
    spool_rate=$(rate "$spool_calls" "$start" "$end")
    printf 'round %s: cdrstore ingest %s rows/s, serve spool %s rows/s (stored %s of %s)\n' "$round" \
        "$ingest_rate" "$spool_rate" "$(sql "bench_spool_$round" "SELECT count(*) FROM cdr.call")" "$spool_calls"
done
printf 'spool / ingest over both rounds: %s\n' \
    "$(awk -v i="$ingest_seconds" -v s="$spool_seconds" 'BEGIN { printf "%.2f", i / s }')"
if [ -n "$perf_file" ]; then
    perf report -i "$perf_file" -g none --stdio --no-children --sort comm > "$work/perf-threads.txt" 2>&1 || true
    perf report -i "$perf_file" -g none --stdio --children --sort symbol > "$work/perf-symbols.txt" 2>&1 || true
    echo "perf: the profiled run's samples per thread (perf report -i $perf_file)"
    grep '%' "$work/perf-threads.txt" | awk 'NR <= 8' || tail -3 "$work/perf-threads.txt"
    echo "perf: cdrstore's own functions by time including callees"
    grep '%' "$work/perf-symbols.txt" | grep -E 'Server|Store|Feeds|Postgres|CDRModel' | awk 'NR <= 25' | cut -c1-160
fi
