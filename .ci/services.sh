#!/usr/bin/env bash
# PostgreSQL (127.0.0.1:5432, database `test`, user root) and NATS with JetStream (127.0.0.1:4222) for
# the scale-out tests (src/store/postgres, src/queue/jetstream, docs/scale-out.md). Sourced by .ci/run,
# which defines install_debian. Each is checked first and started only when it is down; a machine
# whose services already run is left as it is. With CI=true the tests that need them fail when they are
# down, so this script tries hard and reports what it could not do.

pg_ok() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
wait_for() { # wait_for SECONDS COMMAND...
  local i
  for ((i = 0; i < $1 * 4; i++)); do "${@:2}" && return 0; sleep 0.25; done
  return 1
}
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sudo -n -u postgres sh -c "$1"; fi; }

if pg_ok; then
  echo "== PostgreSQL: up at 127.0.0.1:5432"
else
  command -v pg_ctlcluster >/dev/null || install_debian postgresql || echo "!! could not install postgresql"
  echo "== PostgreSQL: starting"
  service postgresql start >/dev/null 2>&1 || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  wait_for 30 pg_ok && echo "== PostgreSQL: up" || echo "!! PostgreSQL did not start"
fi
# The tests connect as root to database test. A fresh Debian cluster has neither and asks TCP clients
# for a password: make both, give root a password, and tell the tests the URL.
if pg_ok && ! psql -h 127.0.0.1 -U root -d test -Atc "SELECT 1" >/dev/null 2>&1; then
  as_postgres "psql -qc \"DO \\\$\\\$ BEGIN CREATE ROLE root SUPERUSER LOGIN PASSWORD 'root'; EXCEPTION WHEN duplicate_object THEN ALTER ROLE root PASSWORD 'root'; END \\\$\\\$\"" || true
  as_postgres "createdb -O root test" 2>/dev/null || true
  export TIKTOKTOE_TEST_PG="postgres://root:root@127.0.0.1:5432/test"
  PGPASSWORD=root psql -h 127.0.0.1 -U root -d test -Atc "SELECT 1" >/dev/null \
    && echo "== PostgreSQL: role root and database test made (password auth)" \
    || echo "!! cannot connect to PostgreSQL as root to database test"
fi

# NATS: something must listen on 4222 and have JetStream on (the Debian unit starts it without -js).
nats_js() { node "$(dirname "${BASH_SOURCE[0]}")/nats-jetstream.mjs" 127.0.0.1 4222; }
nats_listening() { node -e "require('net').connect(4222,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; }
if nats_js; then
  echo "== NATS: up with JetStream at 127.0.0.1:4222"
elif nats_listening; then
  echo "!! a NATS server listens on 127.0.0.1:4222 without JetStream: restart it with -js (its JetStream tests will fail)"
else
  command -v nats-server >/dev/null || install_debian nats-server || echo "!! could not install nats-server"
  echo "== NATS: starting nats-server -js"
  mkdir -p /var/lib/nats-server 2>/dev/null || true
  store=/var/lib/nats-server
  [ -w "$store" ] || store="${TMPDIR:-/tmp}/nats-server"
  # setsid: it outlives this script (the tests run after it); its log goes beside the store.
  setsid nats-server -a 127.0.0.1 -p 4222 -js -sd "$store" -l "$store/nats-server.log" </dev/null >/dev/null 2>&1 &
  wait_for 30 nats_js && echo "== NATS: up with JetStream" || echo "!! NATS did not start with JetStream"
fi
