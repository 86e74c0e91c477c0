# Sourced by the benchmark scripts: builds cdrstore in release mode (or uses the binary that
# CDRSTORE_BIN names, to compare two builds side by side) and starts a private PostgreSQL
# (cdrstore's embedded cluster) in a temporary folder that is removed on exit.
# Sets: bin (the cdrstore binary), work (the folder), socket (a libpq connection string without
# dbname); defines now, seconds START END, and sql DATABASE STATEMENT.
if [ -n "${CDRSTORE_BIN:-}" ]; then
    [ -x "$CDRSTORE_BIN" ] || { echo "CDRSTORE_BIN=$CDRSTORE_BIN is not an executable file" >&2; exit 1; }
    bin="$CDRSTORE_BIN"
else
    swift build -c release --product cdrstore >/dev/null
    bin="$PWD/.build/release/cdrstore"
fi
work=$(mktemp -d /tmp/cdrstore-bench.XXXXXX)
chmod 755 "$work"
export CDRSTORE_HOME="$work/home"
trap '"$bin" embedded stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$bin" embedded start >/dev/null
socket="host=$work/home/run port=5432 user=cdrstore"
now() { date +%s.%N; }
seconds() { awk -v start="$1" -v end="$2" 'BEGIN { printf "%.2f", end - start }'; }
sql() { psql -qtA -v ON_ERROR_STOP=1 "$socket dbname=$1" -c "$2"; }
