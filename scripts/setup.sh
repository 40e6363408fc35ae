#!/usr/bin/env bash
# Installs what building and testing govkg needs on a fresh Debian machine, and nothing when it
# is already there: libclang (Oxigraph's RocksDB bindings), a C++ compiler, Graphviz (DOT tests)
# with a CJK font, NetworkX (network-export tests).
# Rust itself comes from rustup (https://rustup.rs) and is not installed here.
set -euo pipefail

missing=()
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust first (rustup)" >&2; exit 1; }
command -v c++ >/dev/null || missing+=(g++)
command -v dot >/dev/null || missing+=(graphviz)
# A font with Chinese characters, or every DOT label renders as boxes (Noto Sans CJK, Debian).
if ! { command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q .; }; then
  missing+=(fonts-noto-cjk fontconfig)
fi
# bindgen (RocksDB's bindings) loads libclang.so or libclang-N.so, not libclang-cpp.so (which
# LLVM packages install on their own), and needs clang's own headers (stddef.h, from
# libclang-common-N-dev). Look for both; a glob like libclang*.so* would accept libclang-cpp.
has_libclang() {
  compgen -G '/usr/lib/llvm-*/lib/libclang.so*' >/dev/null \
    || compgen -G '/usr/lib/llvm-*/lib/libclang-[0-9]*.so*' >/dev/null \
    || compgen -G '/usr/lib/*-linux-gnu/libclang.so*' >/dev/null \
    || compgen -G '/usr/lib/*-linux-gnu/libclang-[0-9]*.so*' >/dev/null
}
has_clang_headers() {
  compgen -G '/usr/lib/llvm-*/lib/clang/*/include/stddef.h' >/dev/null
}
if ! has_libclang || ! has_clang_headers; then
  missing+=(libclang-dev clang)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  # Another apt (unattended upgrades, a parallel set-up) may hold the lock: wait for it.
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi

# NetworkX, which the network-export tests (tests/network.rs) read GraphML and GEXF with: from
# PyPI into the project's test venv (.venv-test/, as the Oxigraph server), unless python3 has it.
NETWORKX_VERSION="${NETWORKX_VERSION:-3.6.1}"
VENV="${GOVKG_TEST_VENV:-$(cd "$(dirname "$0")/.." && pwd)/.venv-test}"
if ! python3 -c 'import networkx' 2>/dev/null && ! "$VENV/bin/python3" -c 'import networkx' 2>/dev/null; then
  echo "setup: installing networkx $NETWORKX_VERSION (PyPI) into $VENV" >&2
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --disable-pip-version-check --quiet "networkx==$NETWORKX_VERSION"
fi

# rdflib, pandas and pyoxigraph, which the README's Python recipes use (tests/python.rs runs them).
PYTHON_PACKAGES=("rdflib==7.1.4" "pandas==2.3.3" "pyoxigraph==0.5.13")
if ! "$VENV/bin/python3" -c 'import rdflib, pandas, pyoxigraph' 2>/dev/null; then
  echo "setup: installing ${PYTHON_PACKAGES[*]} (PyPI) into $VENV" >&2
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --disable-pip-version-check --quiet "${PYTHON_PACKAGES[@]}"
fi

# The SPARQL servers the push tests talk to (Oxigraph from PyPI into .venv-test/, Virtuoso from Debian).
if [ "${GOVKG_SETUP_SERVERS:-1}" = 1 ]; then
  bash "$(dirname "$0")/test-server.sh" install all >&2
fi
