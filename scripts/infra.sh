#!/usr/bin/env bash
# Finds or starts what the fleet runs on — MySQL/MariaDB, Redis, Kafka — then creates the
# per-service database users and schemas and the Kafka topics. Idempotent: run it as often as
# you like. Usage: scripts/infra.sh up | down
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
infra="$root/.infra"
secrets="$infra/secrets.env"
MYSQL_HOST="${MYSQL_HOST:-127.0.0.1}"
MYSQL_PORT="${MYSQL_PORT:-3306}"
REDIS_PORT="${REDIS_PORT:-6379}"

step() { printf '==> %s\n' "$*"; }
fail() { printf '\n!!! %s\n' "$*" >&2; exit 1; }

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # host port seconds
  for _ in $(seq 1 "$(($3 * 4))"); do listening "$1" "$2" && return 0; sleep 0.25; done
  return 1
}

ensure_mysql() {
  if listening "$MYSQL_HOST" "$MYSQL_PORT"; then step "MySQL/MariaDB: found on $MYSQL_HOST:$MYSQL_PORT"; return; fi
  local server
  server="$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -n1 || true)"
  [ -n "$server" ] || fail "No MySQL or MariaDB answers on $MYSQL_HOST:$MYSQL_PORT and none is installed.
    Install one (Debian/Ubuntu: sudo apt-get install mariadb-server), or point MYSQL_HOST/MYSQL_PORT and
    MYSQL_ROOT_URL at a running server, or use Docker: docker compose up."
  step "MySQL/MariaDB: starting the local server ($server)"
  if command -v start-stop-daemon >/dev/null; then
    start-stop-daemon --start --oknodo --background --exec "$server"
  else
    nohup "$server" >/dev/null 2>&1 &
  fi
  wait_for "$MYSQL_HOST" "$MYSQL_PORT" 30 || fail "MySQL/MariaDB did not start; see its error log."
}

ensure_redis() {
  if listening 127.0.0.1 "$REDIS_PORT"; then step "Redis: found on 127.0.0.1:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || fail "No Redis answers on 127.0.0.1:$REDIS_PORT and redis-server is not installed.
    Install it (Debian/Ubuntu: sudo apt-get install redis-server) or use Docker: docker compose up."
  step "Redis: starting a local server on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  wait_for 127.0.0.1 "$REDIS_PORT" 10 || fail "Redis did not start."
}

# One random secret per variable, made once and kept in the git-ignored .infra/: a password per
# service database user (ORDER_SERVICE_DB_PASSWORD, … from the fleet manifest), the gateway's
# operations token and the demo admin's password (the account `make run`'s demo orders are placed
# with, DEMO_ADMIN_EMAIL). A variable added since the file was written is appended; none is ever changed.
ensure_secrets() {
  mkdir -p "$infra"
  local variable
  umask 077
  touch "$secrets"
  for variable in $(node_run -p "const f = require('$root/shared/dist/fleet'); f.SERVICES.map((s) => f.envPrefix(s.name) + '_DB_PASSWORD').join(' ')") OPS_TOKEN DEMO_ADMIN_PASSWORD; do
    grep -q "^$variable=" "$secrets" && continue
    step "generating $variable into .infra/secrets.env (git-ignored)"
    printf '%s=%s\n' "$variable" "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" >>"$secrets"
  done
  grep -q "^DEMO_ADMIN_EMAIL=" "$secrets" || printf 'DEMO_ADMIN_EMAIL=demo-admin@example.com\n' >>"$secrets"
}

# kafkajs sets negative timeouts (Node clamps them to 1 ms, as always); Node 24 warns about each.
node_run() { "$root/scripts/node.sh" node --disable-warning=TimeoutNegativeWarning "$@"; }

up() {
  ensure_mysql
  ensure_redis
  step "Kafka: finding or starting the broker"
  "$root/scripts/kafka.sh" start
  ensure_secrets
  set -a; . "$secrets"; set +a
  step "MySQL: creating schemas and one user per service"
  node_run "$root/shared/dist/db/cli/provision-databases.js"
  step "Kafka: creating topics"
  node_run "$root/shared/dist/events/cli/create-topics.js"
}

case "${1:-up}" in
  up) up ;;
  down) "$root/scripts/kafka.sh" stop ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
