#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for the tests and `make run-pg`.
#
#   scripts/pg-cluster.sh start DIR   creates and starts a cluster in DIR (or finds it running);
#                                     prints its URL, postgres://postgres@127.0.0.1:PORT/postgres,
#                                     on stdout (the only thing printed there) and writes it to DIR/url
#   scripts/pg-cluster.sh stop DIR    stops it and removes DIR; fine if already stopped or gone
#   scripts/pg-cluster.sh pause DIR   stops PostgreSQL only (fast shutdown: its clients are cut off),
#                                     keeping DIR, its data and its URL: an outage, for fault tests
#   scripts/pg-cluster.sh resume DIR  starts a paused cluster again on the same port (same URL)
#
# PostgreSQL refuses to run as root, and CI (like the dev containers) runs as root: there, initdb
# and pg_ctl run as the `postgres` system user (which the Debian package creates), and DIR is
# handed to that user. Run as anyone else, they run as that user.
# The server listens on 127.0.0.1 only, on a free port picked at start (so several clusters can run
# side by side), with trust authentication: it is reachable from this machine only. Its Unix socket
# is in DIR, never in /var/run/postgresql.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|pause|resume DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$2
[[ -n "$dir" ]] || usage
# Absolute, so that the paths handed to the postgres user do not depend on the working directory.
case "$dir" in
    /*) ;;
    *) dir="$PWD/$dir" ;;
esac
dir=${dir%/}
# DIR goes into the server's command line (pg_ctl -o), which a shell splits on blanks.
if [[ -z "$dir" || "$dir" =~ [[:space:]\'\"] ]]; then
    echo "pg-cluster: DIR must not be / and must have no blanks or quotes: '$2'" >&2
    exit 2
fi
data="$dir/data"

# The newest installed PostgreSQL (Debian's postgresql package puts each major version there).
pg_bin() {
    local newest
    newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)
    if [[ -z "$newest" || ! -x "$newest/pg_ctl" ]]; then
        echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl);" \
            "install it first: apt-get install -y postgresql" >&2
        exit 1
    fi
    echo "$newest"
}

# Runs a command as the user the cluster belongs to: postgres when we are root, else ourselves.
# From /, which every user can enter (the working directory may be a checkout under /root).
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        if command -v runuser >/dev/null; then
            (cd / && runuser -u postgres -- "$@")
        else
            local quoted
            quoted=$(printf '%q ' "$@")
            (cd / && su postgres -s /bin/sh -c "$quoted")
        fi
    else
        "$@"
    fi
}

# Starts the cluster in DIR/data on PORT (its settings are here, the same for start and resume).
# fsync, synchronous commits and full-page writes are off: the cluster is thrown away and never
# outlives a crash, so durability buys nothing here and costs the tests a lot of time.
pg_ctl_start() {
    local bin=$1 port=$2
    # The server's Unix socket goes in DIR, unless that path is too long for a socket address
    # (about 107 bytes); then there is none: the URL uses TCP anyway.
    local socket="-k $dir"
    if (( ${#dir} > 90 )); then
        socket="-c unix_socket_directories=''"
    fi
    as_owner timeout 60 "$bin/pg_ctl" -D "$data" -l "$dir/log" -w -t 30 -o \
        "-p $port $socket -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2
}

# Whether a cluster is running in DIR/data.
running() {
    [[ -f "$data/PG_VERSION" ]] || return 1
    local bin
    bin=$(pg_bin)
    as_owner timeout 30 "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1
}

start() {
    local bin
    bin=$(pg_bin)

    # Already running (pg_ctl says so, and it answers: a killed server can linger as a zombie).
    if [[ -f "$dir/url" ]] && running \
        && timeout 10 "$bin/pg_isready" -q -t 5 -d "$(cat "$dir/url")"; then
        cat "$dir/url"
        return 0
    fi

    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        echo "running as root, but there is no postgres user to run PostgreSQL as" >&2
        exit 1
    fi

    # A cluster left behind stopped (or half made) is thrown away: the cluster is throw-away anyway.
    if [[ -e "$data" ]]; then
        as_owner timeout 60 "$bin/pg_ctl" stop -D "$data" -m immediate -t 30 >/dev/null 2>&1 || true
        rm -rf "$data"
    fi
    rm -f "$dir/url"

    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
        # The postgres user must reach DIR through its parents (e.g. a checkout under /root).
        local parent
        parent=$(dirname "$dir")
        if ! as_owner test -x "$parent" 2>/dev/null; then
            echo "the postgres user cannot reach $parent; choose a DIR under /tmp" >&2
            exit 1
        fi
    fi
    chmod 700 "$dir"

    local locale=(--locale=C.UTF-8)
    if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale=(--no-locale)
    fi
    echo "pg-cluster: initdb in $data" >&2
    as_owner timeout 120 "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
        "${locale[@]}" >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        echo "pg-cluster: initdb failed" >&2
        exit 1
    }

    # A free port: the kernel picks one for a socket bound to port 0. Another process could take
    # it before PostgreSQL binds it; then pg_ctl fails and the start is tried again on another.
    local port attempt
    for attempt in 1 2 3; do
        port=$(timeout 10 python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
        if pg_ctl_start "$bin" "$port"; then
            echo "postgres://postgres@127.0.0.1:$port/postgres" >"$dir/url"
            cat "$dir/url"
            return 0
        fi
        echo "pg-cluster: start on port $port failed (attempt $attempt)" >&2
        as_owner timeout 60 "$bin/pg_ctl" stop -D "$data" -m immediate -t 30 >/dev/null 2>&1 || true
    done
    tail -n 20 "$dir/log" >&2 || true
    echo "pg-cluster: could not start PostgreSQL; log: $dir/log" >&2
    exit 1
}

stop() {
    if [[ -f "$data/PG_VERSION" ]] && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
        local bin
        bin=$(pg_bin)
        if as_owner timeout 30 "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
            as_owner timeout 60 "$bin/pg_ctl" stop -D "$data" -m immediate -t 30 >&2 || true
        fi
    fi
    [[ -e "$dir" ]] || return 0
    # Only a directory this script made is removed whole: a typo must not wipe anything else.
    if [[ -e "$data" || -e "$dir/url" || -e "$dir/log" || -z "$(ls -A "$dir")" ]]; then
        rm -rf "$dir"
    else
        echo "pg-cluster: $dir does not look like a cluster directory; left in place" >&2
    fi
}

# Stops PostgreSQL the way an outage does (fast: open connections are cut), keeping DIR.
pause() {
    [[ -f "$data/PG_VERSION" && -f "$dir/url" ]] || {
        echo "pg-cluster: no cluster in $dir to pause" >&2
        exit 1
    }
    local bin
    bin=$(pg_bin)
    if running; then
        as_owner timeout 60 "$bin/pg_ctl" stop -D "$data" -m fast -w -t 30 >&2
    fi
}

# Starts a paused cluster again on the port its URL names.
resume() {
    [[ -f "$data/PG_VERSION" && -f "$dir/url" ]] || {
        echo "pg-cluster: no cluster in $dir to resume" >&2
        exit 1
    }
    local bin port
    bin=$(pg_bin)
    running && return 0
    port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/url")
    pg_ctl_start "$bin" "$port" || {
        tail -n 20 "$dir/log" >&2 || true
        echo "pg-cluster: could not resume PostgreSQL on port $port; log: $dir/log" >&2
        exit 1
    }
}

case "$command" in
    start) start ;;
    stop) stop ;;
    pause) pause ;;
    resume) resume ;;
    *) usage ;;
esac
