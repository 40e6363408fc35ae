#!/usr/bin/env bash
# A throwaway SPARQL server on 127.0.0.1, for govkg's push tests and for trying `govkg push` by
# hand. The default server is Oxigraph (PyPI package `oxigraph`, which ships the `oxigraph` CLI);
# --virtuoso picks OpenLink Virtuoso (Debian package `virtuoso-opensource`) instead.
#
#   scripts/test-server.sh install [oxigraph|virtuoso|all]
#         install the server(s) if missing (default: oxigraph) and print the binary's path.
#         Oxigraph goes into the project-local venv .venv-test/; Virtuoso comes from apt (root).
#   scripts/test-server.sh start [--virtuoso] [DIR]
#         install if needed, start a server on a free port with an empty data folder under DIR,
#         wait until it answers, print its base URL (http://127.0.0.1:PORT)
#   scripts/test-server.sh url [DIR]     print the base URL of the server running for DIR
#   scripts/test-server.sh stop [DIR]    stop that server and delete its data
#
# DIR holds one server's state (pid, url, log, data); default: $GOVKG_TEST_SERVER_DIR or
# ${TMPDIR:-/tmp}/govkg-test-server-$UID. Use one DIR per server to run several at once.
#
# Endpoints under the base URL:
#   Oxigraph:  URL/store (Graph Store Protocol), URL/query (union default graph), URL/update
#   Virtuoso:  URL/sparql-graph-crud (Graph Store Protocol), URL/sparql (query and update)
#
# Environment: OXIGRAPH_BIN (use this oxigraph binary, install nothing), OXIGRAPH_VERSION (PyPI
# version to install, default below), GOVKG_TEST_VENV (venv folder, default .venv-test).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GOVKG_TEST_VENV:-$ROOT/.venv-test}"
OXIGRAPH_VERSION="${OXIGRAPH_VERSION:-0.5.13}"
PYTHON="${PYTHON:-python3}"

die() {
    echo "test-server: $*" >&2
    exit 1
}

state_dir() {
    local dir="${1:-${GOVKG_TEST_SERVER_DIR:-${TMPDIR:-/tmp}/govkg-test-server-$(id -u)}}"
    mkdir -p "$dir"
    (cd "$dir" && pwd)
}

# Prints the path of a working oxigraph binary, or fails.
find_oxigraph() {
    if [[ -n "${OXIGRAPH_BIN:-}" ]]; then
        "$OXIGRAPH_BIN" --version >/dev/null 2>&1 || die "OXIGRAPH_BIN=$OXIGRAPH_BIN does not run"
        echo "$OXIGRAPH_BIN"
        return
    fi
    local bin="$VENV/bin/oxigraph"
    if [[ -x "$bin" ]] && [[ "$("$bin" --version 2>/dev/null)" == "oxigraph $OXIGRAPH_VERSION" ]]; then
        echo "$bin"
        return
    fi
    return 1
}

install_oxigraph() {
    if find_oxigraph 2>/dev/null; then
        return
    fi
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found: it is needed to install the oxigraph server from PyPI"
    mkdir -p "$VENV"
    # Several test processes may install at once: one at a time.
    exec 9>"$VENV/.install.lock"
    if command -v flock >/dev/null; then flock 9; fi
    if ! find_oxigraph >/dev/null 2>&1; then
        echo "test-server: installing oxigraph $OXIGRAPH_VERSION (PyPI) into $VENV" >&2
        [[ -x "$VENV/bin/pip" ]] || "$PYTHON" -m venv "$VENV" >&2 || die "cannot create the venv $VENV"
        "$VENV/bin/pip" install --disable-pip-version-check --quiet "oxigraph==$OXIGRAPH_VERSION" >&2 \
            || die "cannot install oxigraph==$OXIGRAPH_VERSION from PyPI (no network?)"
    fi
    exec 9>&-
    find_oxigraph || die "oxigraph was installed into $VENV but $VENV/bin/oxigraph does not run"
}

install_virtuoso() {
    if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then
        command -v virtuoso-t
        return
    fi
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null || die "virtuoso-opensource is not installed, and installing it needs root"
        sudo=(sudo -n)
    fi
    echo "test-server: installing virtuoso-opensource (apt)" >&2
    "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed (no network?)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        virtuoso-opensource >&2 || die "cannot install virtuoso-opensource with apt-get"
    command -v virtuoso-t
}

running_pid() {
    local dir="$1" pid
    [[ -f "$dir/pid" ]] || return 1
    pid="$(cat "$dir/pid")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Succeeds once the SPARQL query endpoint $1 answers HTTP (any status).
answers() {
    "$PYTHON" - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "?query=ASK%7B%7D", timeout=2)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}

# Waits for server $1 (pid) to answer at query endpoint $2; fails if it dies or takes 60 s.
wait_until_up() {
    local pid="$1" probe="$2"
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || return 1
        answers "$probe" && return 0
        sleep 0.2
    done
    return 1
}

# Kills a server that did not come up and shows its log.
give_up_on() {
    local dir="$1" pid="$2"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$dir/pid" "$dir/url"
    echo "test-server: the server did not come up; its log:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
}

start_oxigraph() {
    local dir="$1" bin port url pid
    bin="$(install_oxigraph)"
    for _ in 1 2 3; do
        rm -rf "$dir/data"
        mkdir -p "$dir/data"
        port="$(free_port)"
        url="http://127.0.0.1:$port"
        # Detached from our stdout/stderr so callers reading them do not wait for the server.
        "$bin" serve --location "$dir/data" --bind "127.0.0.1:$port" --union-default-graph \
            </dev/null >"$dir/server.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/pid"
        echo "$url" >"$dir/url"
        if wait_until_up "$pid" "$url/query"; then
            echo "$url"
            return
        fi
        give_up_on "$dir" "$pid"
    done
    die "could not start oxigraph serve"
}

start_virtuoso() {
    local dir="$1" data="$1/data" http_port sql_port url pid
    install_virtuoso >/dev/null
    for _ in 1 2 3; do
        rm -rf "$data"
        mkdir -p "$data"
        http_port="$(free_port)"
        sql_port="$(free_port)"
        url="http://127.0.0.1:$http_port"
        cat >"$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile = $data/virtuoso.db
ErrorLogFile = $data/virtuoso.log
LockFile = $data/virtuoso.lck
TransactionFile = $data/virtuoso.trx
xa_persistent_file = $data/virtuoso.pxa
[TempDatabase]
DatabaseFile = $data/virtuoso-temp.db
TransactionFile = $data/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:$sql_port
DisableUnixSocket = 1
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:$http_port
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
Charset = UTF-8
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
INI
        (cd "$data" && exec virtuoso-t +foreground +configfile "$dir/virtuoso.ini") \
            </dev/null >"$dir/server.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/pid"
        echo "$url" >"$dir/url"
        # Anonymous SPARQL users may then update (/sparql and /sparql-graph-crud).
        if wait_until_up "$pid" "$url/sparql" \
            && isql-vt "127.0.0.1:$sql_port" dba dba exec='GRANT SPARQL_UPDATE TO "SPARQL";' \
                </dev/null >>"$dir/server.log" 2>&1; then
            echo "$url"
            return
        fi
        give_up_on "$dir" "$pid"
    done
    die "could not start virtuoso"
}

start() {
    local kind=oxigraph dir
    if [[ "${1:-}" == --virtuoso ]]; then
        kind=virtuoso
        shift
    fi
    dir="$(state_dir "${1:-}")"
    if running_pid "$dir" >/dev/null; then
        cat "$dir/url"
        return
    fi
    "start_$kind" "$dir"
}

url() {
    local dir
    dir="$(state_dir "${1:-}")"
    running_pid "$dir" >/dev/null || die "no server running for $dir"
    cat "$dir/url"
}

stop() {
    local dir pid
    dir="$(state_dir "${1:-}")"
    if pid="$(running_pid "$dir")"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    # Only what start created; DIR itself goes if that leaves it empty.
    rm -rf "$dir/data"
    rm -f "$dir/pid" "$dir/url" "$dir/server.log" "$dir/virtuoso.ini"
    rmdir "$dir" 2>/dev/null || true
}

case "${1:-}" in
    install)
        case "${2:-oxigraph}" in
            oxigraph) install_oxigraph ;;
            virtuoso) install_virtuoso ;;
            all) install_oxigraph && install_virtuoso ;;
            *) die "install what? oxigraph, virtuoso or all" ;;
        esac
        ;;
    start)
        shift
        start "$@"
        ;;
    url) url "${2:-}" ;;
    stop) stop "${2:-}" ;;
    *) die "usage: $0 install [oxigraph|virtuoso|all] | start [--virtuoso] [DIR] | url [DIR] | stop [DIR]" ;;
esac
