#!/usr/bin/env bash
# Installs what building and testing govkg needs on a fresh Debian machine, and nothing when it
# is already there: libclang (Oxigraph's RocksDB bindings), a C++ compiler, Graphviz (DOT tests).
# Rust itself comes from rustup (https://rustup.rs) and is not installed here.
set -euo pipefail

missing=()
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust first (rustup)" >&2; exit 1; }
command -v c++ >/dev/null || missing+=(g++)
command -v dot >/dev/null || missing+=(graphviz)
if ! ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 && ! ls /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1; then
  missing+=(libclang-dev clang)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The SPARQL servers the push tests talk to (Oxigraph from PyPI into .venv-test/, Virtuoso from Debian).
if [ "${GOVKG_SETUP_SERVERS:-1}" = 1 ]; then
  bash "$(dirname "$0")/test-server.sh" install all >&2
fi
