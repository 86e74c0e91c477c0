#!/usr/bin/env bash
# A local Citus cluster on loopback for trying cdrstore's distributed form: one coordinator and two
# workers, each a PostgreSQL server of its own, from an installed Citus-enabled PostgreSQL.
#
#   deploy/citus/cluster.sh start     initdb (first time), start the three servers, create the
#                                     `cdrstore` database with the citus extension on each, and add
#                                     the workers to the coordinator; prints the coordinator's conninfo
#   deploy/citus/cluster.sh stop      stop the three servers by the PIDs in their postmaster.pid
#   deploy/citus/cluster.sh status    which servers run, and the workers the coordinator knows
#   deploy/citus/cluster.sh conninfo  the coordinator's libpq connection string
#
# PostgreSQL is found with CITUS_PG_CONFIG (a pg_config path) or `pg_config` on the PATH; its
# package library folder must hold citus.so. The servers live under CITUS_CLUSTER_DIR (default
# /tmp/cdrstore-citus) and listen on 127.0.0.1 ports CITUS_PORT (default 9700: the coordinator),
# +1 and +2 (the workers). Connections from loopback are trusted without a password: this is a
# cluster for development and checks on one machine, not a deployment. Run as root, the servers
# run as the `postgres` user (initdb refuses root).
set -euo pipefail

pg_config=${CITUS_PG_CONFIG:-$(command -v pg_config || true)}
[ -n "$pg_config" ] && [ -x "$pg_config" ] || {
    echo "cluster.sh: no pg_config found (install PostgreSQL's server packages, or set CITUS_PG_CONFIG)" >&2
    exit 1
}
bindir=$("$pg_config" --bindir)
libdir=$("$pg_config" --pkglibdir)
[ -f "$libdir/citus.so" ] || {
    echo "cluster.sh: Citus is not installed for the PostgreSQL of $pg_config (no $libdir/citus.so)" >&2
    exit 1
}
base=${CITUS_CLUSTER_DIR:-/tmp/cdrstore-citus}
first_port=${CITUS_PORT:-9700}
nodes=(coordinator worker1 worker2)
database=cdrstore

as_owner() { # runs a command as the servers' owner: postgres when this script runs as root
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
port_of() { echo $((first_port + $1)); }
sql() { # sql NODE_INDEX DATABASE STATEMENT
    PGOPTIONS="-c client_min_messages=warning" as_owner "$bindir/psql" -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(port_of "$1")" -U postgres -d "$2" -c "$3"
}
pid_of() { # the postmaster's PID of a node's data folder, when it runs
    local file="$base/$1/postmaster.pid"
    [ -f "$file" ] || return 1
    local pid
    pid=$(head -1 "$file")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
    mkdir -p "$base"
    [ "$(id -u)" = 0 ] && chown postgres "$base"
    for index in 0 1 2; do
        local node=${nodes[$index]} folder="$base/${nodes[$index]}"
        if [ ! -f "$folder/PG_VERSION" ]; then
            as_owner "$bindir/initdb" -D "$folder" -U postgres --auth=trust --no-sync >/dev/null
            cat >> "$folder/postgresql.conf" <<CONF
# written by deploy/citus/cluster.sh
listen_addresses = '127.0.0.1'
port = $(port_of "$index")
unix_socket_directories = '$folder'
shared_preload_libraries = 'citus'
max_connections = 300
max_wal_size = '2GB'
CONF
        fi
        if pid_of "$node" >/dev/null; then continue; fi
        as_owner "$bindir/pg_ctl" -D "$folder" -l "$folder/server.log" -w -t 60 start >/dev/null ||
            { echo "cluster.sh: $node did not start; see $folder/server.log" >&2; exit 1; }
    done
    for index in 0 1 2; do
        if [ -z "$(sql "$index" postgres "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
            sql "$index" postgres "CREATE DATABASE $database"
        fi
        sql "$index" "$database" "CREATE EXTENSION IF NOT EXISTS citus"
    done
    sql 0 "$database" "SELECT citus_set_coordinator_host('127.0.0.1', $(port_of 0))" >/dev/null
    for index in 1 2; do
        sql 0 "$database" "SELECT citus_add_node('127.0.0.1', $(port_of "$index"))
            WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodeport = $(port_of "$index"))" >/dev/null
    done
    conninfo
}

stop() {
    for node in "${nodes[@]}"; do
        local pid
        pid=$(pid_of "$node") || { echo "$node: not running"; continue; }
        kill -TERM "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -INT "$pid"
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        echo "$node: stopped (pid $pid)"
    done
}

status() {
    for index in 0 1 2; do
        local node=${nodes[$index]}
        if pid=$(pid_of "$node"); then
            echo "$node: running, pid $pid, port $(port_of "$index")"
        else
            echo "$node: not running"
        fi
    done
    if pid_of coordinator >/dev/null; then
        echo "workers the coordinator knows:"
        sql 0 "$database" "SELECT nodename || ':' || nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport"
    fi
}

conninfo() { echo "host=127.0.0.1 port=$(port_of 0) dbname=$database user=postgres"; }

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    conninfo) conninfo ;;
    *) echo "usage: deploy/citus/cluster.sh start|stop|status|conninfo" >&2; exit 2 ;;
esac
