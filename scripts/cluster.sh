#!/usr/bin/env bash
# A throw-away model of dxhub's production layout on this machine's
# loopback: one PostgreSQL, three `dxhub serve` nodes sharing it and one
# folder of uploads, and HAProxy in front with health checks on /readyz.
#
#   bash scripts/cluster.sh up      build, start everything, print the balancer's URL
#   bash scripts/cluster.sh roll    rolling restart: rebuild, then restart the nodes one by one
#   bash scripts/cluster.sh kill N  kill -9 node N (1-3), as a crash would
#   bash scripts/cluster.sh start N start node N again
#   bash scripts/cluster.sh status  what runs, and what the balancer thinks of each node
#   bash scripts/cluster.sh down    stop everything it started and remove its folder
#
# The first `up` seeds the demo data (its accounts share the password
# dxhub-demo-2026). State lives in $DXHUB_CLUSTER_DIR (default
# /tmp/dxhub-cluster). Installs haproxy and postgresql with apt-get when
# missing. docs/operations.md explains the layout.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${DXHUB_CLUSTER_DIR:-/tmp/dxhub-cluster}
nodes=3

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
wait_ready() { # URL SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    curl -fsS -o /dev/null "$1/readyz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1/readyz after $2 s" >&2
  return 1
}

install_missing() {
  local missing=()
  command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  local b; b=$(pg_bindir)
  { [ -n "$b" ] && [ -x "$b/initdb" ]; } || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  echo "== building dxhub"
  go build -o "$dir/dxhub.new" ./cmd/dxhub
  mv "$dir/dxhub.new" "$dir/dxhub"
}

# node_env N: the environment every node shares, and node N's address.
start_node() {
  local n=$1 port
  port=$(cat "$dir/node$n.port")
  DXHUB_CREDENTIAL_KEY=$(cat "$dir/credential.key") DXHUB_METRICS_TOKEN=$(cat "$dir/metrics.token") \
    setsid "$dir/dxhub" serve --addr "127.0.0.1:$port" --db "$(cat "$dir/db.url")" --files "$dir/files" \
    --base-url "$(cat "$dir/url")" --trust-proxy >>"$dir/node$n.log" 2>&1 </dev/null &
  echo $! >"$dir/node$n.pid"
  wait_ready "http://127.0.0.1:$port" 60
  echo "node $n: 127.0.0.1:$port (pid $(cat "$dir/node$n.pid"))"
}

stop_node() { # N SIGNAL
  local pidf="$dir/node$1.pid"
  [ -f "$pidf" ] || return 0
  local pid; pid=$(cat "$pidf")
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidf"
}

up() {
  if [ -f "$dir/url" ]; then
    echo "a cluster runs already: $(cat "$dir/url") (bash scripts/cluster.sh down first)"
    exit 1
  fi
  install_missing
  mkdir -p "$dir/files"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  build
  local bindir pgport lbport
  bindir=$(pg_bindir)
  pgport=$(free_port 56432)
  echo "== starting PostgreSQL on 127.0.0.1:$pgport"
  as_pg "$bindir/initdb" -D "$dir/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Durable commits, as in production (synchronous_commit and fsync on).
  as_pg "$bindir/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $dir -c max_connections=200" start >/dev/null
  as_pg "$bindir/createdb" -h 127.0.0.1 -p "$pgport" -U postgres dxhub
  echo "postgres://postgres@127.0.0.1:$pgport/dxhub?sslmode=disable" >"$dir/db.url"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/credential.key"
  head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/metrics.token"
  lbport=$(free_port 18080)
  echo "http://127.0.0.1:$lbport" >"$dir/url"
  local p=$((lbport + 1))
  for n in $(seq 1 $nodes); do
    p=$(free_port "$p")
    echo "$p" >"$dir/node$n.port"
    p=$((p + 1))
  done

  echo "== seeding the demo data (once)"
  local seedport; seedport=$(free_port $((p + 1)))
  DXHUB_CREDENTIAL_KEY=$(cat "$dir/credential.key") setsid "$dir/dxhub" demo --addr "127.0.0.1:$seedport" \
    --db "$(cat "$dir/db.url")" --files "$dir/files" >"$dir/seed.log" 2>&1 </dev/null &
  local seedpid=$!
  for _ in $(seq 1 3000); do
    grep -q "dxhub demo is running" "$dir/seed.log" && break
    kill -0 "$seedpid" 2>/dev/null || { cat "$dir/seed.log"; exit 1; }
    sleep 0.1
  done
  kill -TERM "$seedpid"; wait "$seedpid" 2>/dev/null || true

  echo "== starting $nodes nodes"
  for n in $(seq 1 $nodes); do start_node "$n"; done

  echo "== starting HAProxy on 127.0.0.1:$lbport"
  # Connections to the nodes are shared by all clients (dxhub keeps no
  # state on a connection: every request carries its session), so a
  # client's keep-alive connection costs the balancer one descriptor and
  # the nodes' side at most 3 x 1,000: as many clients as the process may
  # open files, less those.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  local maxconn=$(( $(ulimit -n) - 3 * 1000 - 100 ))
  # With every node out (the database down: /readyz fails everywhere),
  # the balancer answers in dxhub's own words and shape (error.unavailable).
  printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 5\r\nConnection: close\r\n\r\n%s\n' \
    '{"error":{"code":"unavailable","message":"Hệ thống tạm thời không kết nối được cơ sở dữ liệu; việc vừa làm có thể chưa được lưu. Vui lòng thử lại sau ít giây. / The service cannot reach its database for the moment; what you just did may not have been saved. Please try again in a few seconds."}}' \
    >"$dir/503.http"
  {
    cat <<EOF
global
    maxconn $maxconn
    # HAProxy reckons two descriptors a connection and refuses to start
    # past the limit; with the nodes' connections shared (above), one is
    # enough, so a shortfall is only a warning.
    no strict-limits
defaults
    mode http
    timeout connect 2s
    timeout client 5m
    timeout server 5m
    timeout http-keep-alive 2m
    timeout queue 30s
    http-reuse always
    option forwardfor
    # A request that found its node dead (refused, reset) goes to another.
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
    errorfile 503 $dir/503.http
frontend dxhub
    bind 127.0.0.1:$lbport
    default_backend nodes
backend nodes
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 maxconn 1000
EOF
    for n in $(seq 1 $nodes); do echo "    server node$n 127.0.0.1:$(cat "$dir/node$n.port") check"; done
  } >"$dir/haproxy.cfg"
  haproxy -f "$dir/haproxy.cfg" -D -p "$dir/haproxy.pid"
  wait_ready "$(cat "$dir/url")" 10
  echo
  echo "dxhub cluster: $(cat "$dir/url")"
}

roll() {
  [ -f "$dir/url" ] || { echo "no cluster (bash scripts/cluster.sh up)"; exit 1; }
  build
  for n in $(seq 1 $nodes); do
    echo "== restarting node $n"
    # TERM: the node finishes the requests it has and commits what is
    # queued; the balancer's health check has taken it out meanwhile.
    stop_node "$n" TERM
    start_node "$n"
    sleep 2 # the balancer's next check (1 s) marks it up
  done
}

status() {
  [ -f "$dir/url" ] || { echo "no cluster"; exit 0; }
  echo "balancer: $(cat "$dir/url")"
  for n in $(seq 1 $nodes); do
    local port; port=$(cat "$dir/node$n.port")
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then s=ready; else s=down; fi
    echo "node $n: 127.0.0.1:$port $s"
  done
}

down() {
  [ -d "$dir" ] || exit 0
  [ -f "$dir/haproxy.pid" ] && kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true
  for n in $(seq 1 $nodes); do stop_node "$n" TERM; done
  local bindir; bindir=$(pg_bindir)
  [ -d "$dir/pg" ] && as_pg "$bindir/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  echo "cluster stopped"
}

case "${1:-}" in
  up) up ;;
  roll) roll ;;
  kill) stop_node "${2:?node number}" KILL; echo "node $2 killed" ;;
  start) start_node "${2:?node number}" ;;
  status) status ;;
  down) down ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
