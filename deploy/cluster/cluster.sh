#!/usr/bin/env bash
# Starts and stops Pantau's test cluster on loopback: one ZooKeeper and four ClickHouse servers,
# two shards of two replicas, with every file under the folder it is given.
#
#   cluster.sh start DIR              start what is not running, wait until every server answers
#   cluster.sh stop DIR               stop everything (SIGTERM, then SIGKILL after 30 s)
#   cluster.sh status DIR             print each process and whether it runs; exit 1 if one is down
#   cluster.sh start-node DIR NODE    start one of zk, ch1, ch2, ch3, ch4
#   cluster.sh stop-node DIR NODE     stop one gracefully
#   cluster.sh kill-node DIR NODE     kill one with SIGKILL
#   cluster.sh ports DIR              print NODE TCP_PORT lines (ZooKeeper: its client port)
#
# Every command is idempotent. Ports: PANTAU_CLUSTER_PORT (default 29000) is the base B, fixed in
# DIR/ports at the first start: ZooKeeper B+300, node k native B+k, HTTP B+100+k, interserver
# B+200+k. Shard 1 is ch1, ch2; shard 2 is ch3, ch4; the cluster is named "pantau".
# Binaries: clickhouse-server on PATH (CLICKHOUSE_SERVER overrides), java and Debian's
# zookeeper.jar (ZOOKEEPER_CLASSPATH overrides /etc/zookeeper/conf:/usr/share/java/zookeeper.jar).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
nodes=(ch1 ch2 ch3 ch4)

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
mkdir -p "$2"
dir="$(cd "$2" && pwd)"
node_arg=${3:-}

if [ ! -f "$dir/ports" ]; then
  echo "${PANTAU_CLUSTER_PORT:-29000}" > "$dir/ports"
fi
base=$(cat "$dir/ports")
zk_port=$((base + 300))
tcp_port() { echo $((base + ${1#ch})); }

chserver=${CLICKHOUSE_SERVER:-$(command -v clickhouse-server || true)}
zk_classpath=${ZOOKEEPER_CLASSPATH:-/etc/zookeeper/conf:/usr/share/java/zookeeper.jar}

# running NODE: the process recorded in NODE's pid file is alive and is this cluster's.
running() {
  local pidfile="$dir/$1/pid" pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$dir/$1/"
}

# render TEMPLATE OUT NODE: copies a template with this node's placeholders replaced.
render() {
  local k=${3#ch} shard=1
  [ "$3" = zk ] && k=0
  [ "$k" -gt 2 ] && shard=2
  sed -e "s|@DIR@|$dir/$3|g" -e "s|@CONFIG_DIR@|$dir/$3|g" -e "s|@NODE@|$3|g" -e "s|@SHARD@|$shard|g" \
      -e "s|@TCP_PORT@|$((base + k))|g" -e "s|@HTTP_PORT@|$((base + 100 + k))|g" \
      -e "s|@INTERSERVER_PORT@|$((base + 200 + k))|g" -e "s|@ZK_PORT@|$zk_port|g" \
      -e "s|@CH1_TCP_PORT@|$((base + 1))|g" -e "s|@CH2_TCP_PORT@|$((base + 2))|g" \
      -e "s|@CH3_TCP_PORT@|$((base + 3))|g" -e "s|@CH4_TCP_PORT@|$((base + 4))|g" \
      "$1" > "$2"
}

# answers NODE: the node takes requests (ZooKeeper's ruok, ClickHouse's HTTP /ping; both
# through bash alone, which stays quick on a loaded machine).
answers() {
  if [ "$1" = zk ]; then
    [ "$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && echo ruok >&3 && timeout 2 cat <&3) 2>/dev/null)" = imok ]
  else
    local http=$((base + 100 + ${1#ch}))
    ( (exec 3<>"/dev/tcp/127.0.0.1/$http" && printf 'GET /ping HTTP/1.0\r\n\r\n' >&3 && timeout 2 cat <&3) 2>/dev/null ) | grep -q '^Ok\.'
  fi
}

# start_node NODE: starts NODE unless it runs and waits until it answers. A node that exits
# or does not answer is started again, three times in all (a port another process held for a
# moment, a slow ZooKeeper), with the end of its logs printed each time.
start_node() {
  local n=$1 attempt
  if running "$n"; then return 0; fi
  for attempt in 1 2 3; do
    if launch "$n" && await "$n"; then echo "$n up"; return 0; fi
    echo "cluster.sh: $n failed to start (attempt $attempt of 3); see $dir/$n" >&2
    show_logs "$n"
    signal_node "$n" KILL 5 > /dev/null
    sleep 2
  done
  exit 1
}

# launch NODE: starts NODE's process from its configuration templates.
launch() {
  local n=$1 d="$dir/$1"
  mkdir -p "$d"
  if [ "$n" = zk ]; then
    command -v java >/dev/null || { echo "cluster.sh: java not found (apt-get install zookeeper)" >&2; exit 1; }
    mkdir -p "$d/data"
    render "$here/zoo.cfg" "$d/zoo.cfg" zk
    setsid java -Xmx256m -cp "$zk_classpath" -Dzookeeper.log.dir="$d" \
      org.apache.zookeeper.server.quorum.QuorumPeerMain "$d/zoo.cfg" > "$d/zookeeper.log" 2>&1 < /dev/null &
    echo $! > "$d/pid"
  else
    [ -n "$chserver" ] || { echo "cluster.sh: clickhouse-server not found (apt-get install clickhouse-server)" >&2; exit 1; }
    mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas"
    render "$here/node.xml" "$d/config.xml" "$n"
    cp "$here/users.xml" "$d/users.xml"
    rm -f "$d/pid" # left by a server killed outside this script; it is not running
    # The server daemonizes itself in the node's folder and writes its pid file there.
    (cd "$d" && "$chserver" --config-file="$d/config.xml" --daemon --pid-file="$d/pid" > "$d/stdout.log" 2>&1 < /dev/null)
  fi
}

# await NODE: waits until NODE answers; fails when it exits or has not answered in 120 s. The
# server writes its pid file after it starts, and removes it when it exits: a pid once read
# is the process to watch.
await() {
  local n=$1 pid=""
  for _ in $(seq 1 240); do
    if answers "$n"; then return 0; fi
    [ -n "$pid" ] || pid=$(cat "$dir/$n/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then echo "cluster.sh: $n exited" >&2; return 1; fi
    sleep 0.5
  done
  echo "cluster.sh: $n did not answer within 120 s" >&2
  return 1
}

# show_logs NODE: prints the end of each of NODE's logs that is not empty.
show_logs() {
  local f shown=0
  for f in "$dir/$1"/server.err.log "$dir/$1"/server.log "$dir/$1"/*std*.log "$dir/$1"/zookeeper*.log; do
    [ -s "$f" ] || continue
    echo "--- end of $f" >&2
    tail -n 30 "$f" >&2
    shown=1
  done
  [ $shown = 1 ] || echo "cluster.sh: $1 wrote no log" >&2
}

signal_node() { # signal_node NODE SIGNAL WAIT_SECONDS
  local n=$1 pid
  running "$n" || { rm -f "$dir/$n/pid"; return 0; }
  pid=$(cat "$dir/$n/pid")
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(($3 * 10))); do
    [ -d "/proc/$pid" ] || { rm -f "$dir/$n/pid"; echo "$n stopped"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  while [ -d "/proc/$pid" ]; do sleep 0.1; done
  rm -f "$dir/$n/pid"
  echo "$n killed"
}

check_node() {
  case "$1" in zk|ch1|ch2|ch3|ch4) ;; *) echo "cluster.sh: unknown node '$1' (zk, ch1..ch4)" >&2; exit 2 ;; esac
}

case "$cmd" in
  start)
    start_node zk
    for n in "${nodes[@]}"; do start_node "$n"; done ;;
  stop)
    for n in "${nodes[@]}"; do signal_node "$n" TERM 30; done
    signal_node zk TERM 30 ;;
  status)
    down=0
    for n in zk "${nodes[@]}"; do
      if running "$n" && answers "$n"; then echo "$n up"; else echo "$n down"; down=1; fi
    done
    exit $down ;;
  start-node) check_node "$node_arg"; start_node "$node_arg" ;;
  stop-node) check_node "$node_arg"; signal_node "$node_arg" TERM 30 ;;
  kill-node) check_node "$node_arg"; signal_node "$node_arg" KILL 5 ;;
  ports)
    echo "zk $zk_port"
    for n in "${nodes[@]}"; do echo "$n $(tcp_port "$n")"; done ;;
  *) usage ;;
esac
