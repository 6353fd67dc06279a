#!/usr/bin/env bash
# Runs one of a service's commands (dist/cli/*.js) on Node 24 with the environment `make run` gives
# the services: the database passwords in .infra/secrets.env, when this checkout has them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f .infra/secrets.env ]]; then
  set -a
  # shellcheck disable=SC1091
  . .infra/secrets.env
  set +a
fi
exec scripts/node.sh node "$@"
