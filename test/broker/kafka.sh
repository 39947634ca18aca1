#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) for TideDB's tests
# and for watching change events locally. No Docker and no tarball download:
# the broker's jars come from Maven Central via test/broker/pom.xml.
#
# Usage: test/broker/kafka.sh [command] [--keep-data]
#   fetch    resolve the broker jars into .kafka/<version>/lib (no-op when present)
#   start    start in the background, wait until it serves clients, then return
#   stop     SIGTERM, wait, SIGKILL if needed; fine to call when not running
#   run      start in the foreground (Ctrl-C stops it); the default command
#   status   print whether it is running; exit 0 if running, 3 if not
#
# start/run wipe .kafka/data first so every run sees a clean broker;
# pass --keep-data (or KAFKA_KEEP_DATA=1) to reuse existing topics/offsets.
#
# Environment:
#   KAFKA_VERSION          kafka_2.13 version to use       (default below)
#   KAFKA_PORT             client listener port on 127.0.0.1 (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port            (default KAFKA_PORT+1)
#   KAFKA_HEAP_OPTS        JVM heap flags                   (default -Xms256m -Xmx512m)
#   KAFKA_READY_TIMEOUT    seconds to wait for readiness    (default 90)
#   KAFKA_MVN_ARGS         extra Maven args for fetch, e.g. -Dmaven.repo.local=/tmp/m2
#   KAFKA_SASL_PORT        also a SASL_PLAINTEXT listener on this port (PLAIN, SCRAM-SHA-256/512)
#   KAFKA_SASL_SSL_PORT    also a SASL_SSL listener on this port, its certificate signed by a CA
#                          made at start (<instance>/tls/ca.pem, for clients to trust)
#   KAFKA_SASL_USER, KAFKA_SASL_PASSWORD  the one SASL account   (default tide / tide-secret)
set -euo pipefail

# Newest release that kafkajs 2.2.4 was verified against with
# test/broker/kafka-compat.test.ts (KIP-896 removed old protocol versions in
# 4.0, but kafkajs negotiates versions 4.x still serves); see README.md.
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-}"
KAFKA_SASL_USER="${KAFKA_SASL_USER:-tide}"
KAFKA_SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-tide-secret}"

# Resolve everything from the script's own location so it works from any cwd.
BROKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BROKER_DIR/../.." && pwd)"
KAFKA_HOME="$REPO_ROOT/.kafka"
LIB_DIR="$KAFKA_HOME/$KAFKA_VERSION/lib"
PROBE_DIR="$KAFKA_HOME/$KAFKA_VERSION/probe"
# Each broker instance (one per port) has its own home, so a test that stops and restarts a
# broker of its own never disturbs another instance. The default port keeps .kafka itself.
if [[ "$KAFKA_PORT" == 9092 ]]; then
  INSTANCE_DIR="$KAFKA_HOME"
else
  INSTANCE_DIR="$KAFKA_HOME/instance-$KAFKA_PORT"
fi
DATA_DIR="$INSTANCE_DIR/data"
LOG_DIR="$INSTANCE_DIR/logs"
CONF_FILE="$INSTANCE_DIR/server.properties"
PID_FILE="$INSTANCE_DIR/kafka.pid"
TLS_DIR="$INSTANCE_DIR/tls"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

KEEP_DATA="${KAFKA_KEEP_DATA:-0}"
parse_flags() {
  for arg in "$@"; do
    case "$arg" in
      --keep-data) KEEP_DATA=1 ;;
      *) die "unknown option: $arg" ;;
    esac
  done
}

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
}

# --- fetch -------------------------------------------------------------------

fetch() {
  fetch_jars
  build_probe
}

fetch_jars() {
  # The marker is written only after Maven succeeded, so an interrupted fetch
  # is redone rather than leaving a half-populated lib dir that looks valid.
  if [[ -f "$LIB_DIR/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; it is needed once to fetch the Kafka jars"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into ${LIB_DIR#"$REPO_ROOT"/} ..."
  local tmp="$KAFKA_HOME/$KAFKA_VERSION/lib.tmp.$$"
  local mvn_log="$KAFKA_HOME/$KAFKA_VERSION/fetch.log"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # Output goes to a file and is shown only on failure: Maven is chatty even
  # with -q (download progress, ANSI resets) and callers want one status line.
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is deliberately word-split
  if ! mvn -B -q -f "$BROKER_DIR/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" -Dkafka.lib.dir="$tmp" \
      ${KAFKA_MVN_ARGS:-} dependency:copy-dependencies >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp"
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (full output: ${mvn_log#"$REPO_ROOT"/})"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] \
    || { rm -rf "$tmp"; die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing"; }
  touch "$tmp/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars"
}

# Compiling the readiness probe once (instead of running KafkaReady.java as a
# source file) keeps javac off the CPU while the broker itself is starting.
build_probe() {
  local src="$BROKER_DIR/KafkaReady.java" class="$PROBE_DIR/KafkaReady.class"
  if [[ -f "$class" && "$class" -nt "$src" ]]; then
    return 0
  fi
  command -v javac >/dev/null 2>&1 || die "javac not found; a JDK 17+ (not just a JRE) is needed"
  rm -rf "$PROBE_DIR"
  mkdir -p "$PROBE_DIR"
  javac -nowarn -d "$PROBE_DIR" -cp "$LIB_DIR/*" "$src" >&2 \
    || die "compiling $src failed"
}

# --- process bookkeeping -----------------------------------------------------

# Prints the pid of our broker if it is alive. Checks the command line too, so
# a stale pid file whose pid got reused by another process is not mistaken for
# the broker (and never gets signalled by stop).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$CONF_FILE" || return 1
  fi
  printf '%s\n' "$pid"
}

port_in_use() {
  # bash's /dev/tcp avoids depending on nc/ss/lsof being installed.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- config + storage --------------------------------------------------------

write_config() {
  mkdir -p "$KAFKA_HOME" "$INSTANCE_DIR" "$LOG_DIR"
  # One start per log file, so "tail of server.log" on failure is about this
  # start; the previous run's log is kept once for comparison.
  if [[ -f "$LOG_DIR/server.log" ]]; then
    mv -f "$LOG_DIR/server.log" "$LOG_DIR/server.log.previous"
  fi
  rm -f "$LOG_DIR"/server.log.[0-9]* "$LOG_DIR/stdout.log" "$LOG_DIR/ready.log" "$LOG_DIR/format.log"
  cat >"$CONF_FILE" <<EOF
# Generated by test/broker/kafka.sh on every start; edit the script, not this.
process.roles=broker,controller
node.id=1
# Static voter set: understood by both 3.9 and 4.x, no dynamic-quorum bootstrapping.
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT$(secured_listeners)
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT$(secured_listeners)
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=$DATA_DIR

# One broker: every internal topic must fit on it, or consumer groups and
# transactional producers hang waiting for replicas that will never exist.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer partitions for internal topics: creating the default 50 on first use
# costs seconds on a 2-core machine and buys nothing with one broker.
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
num.partitions=1
auto.create.topics.enable=true
# Consumers in tests join one at a time; don't wait 3 s for more members.
group.initial.rebalance.delay.ms=0
# Small machine: keep thread pools modest.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
# Test data is short-lived (wiped on start unless --keep-data): small
# segments and a day of retention keep .kafka/data from growing unbounded
# when a broker is left running with --keep-data.
log.retention.hours=24
log.segment.bytes=67108864
EOF
  if [[ -n "$KAFKA_SASL_PORT$KAFKA_SASL_SSL_PORT" ]]; then
    write_security_config >>"$CONF_FILE"
  fi
}

# The secured listeners, each only when its port is set.
secured_listeners() {
  if [[ -n "$KAFKA_SASL_PORT" ]]; then printf ',SASL_PLAINTEXT://127.0.0.1:%s' "$KAFKA_SASL_PORT"; fi
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then printf ',SASL_SSL://127.0.0.1:%s' "$KAFKA_SASL_SSL_PORT"; fi
}

# SASL for clients, with one account: PLAIN checks it against the JAAS line below, SCRAM against
# the credentials the storage format wrote (format_storage). TLS from PEM files made by openssl.
write_security_config() {
  local plain="org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USER=\"$KAFKA_SASL_PASSWORD\";"
  local scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  printf '\n# Secured client listeners (KAFKA_SASL_PORT, KAFKA_SASL_SSL_PORT).\n'
  printf 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512\n'
  local listener
  for listener in sasl_plaintext sasl_ssl; do
    printf 'listener.name.%s.plain.sasl.jaas.config=%s\n' "$listener" "$plain"
    printf 'listener.name.%s.scram-sha-256.sasl.jaas.config=%s\n' "$listener" "$scram"
    printf 'listener.name.%s.scram-sha-512.sasl.jaas.config=%s\n' "$listener" "$scram"
  done
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then
    make_tls_files
    printf 'ssl.keystore.type=PEM\nssl.keystore.location=%s\n' "$TLS_DIR/server.pem"
  fi
}

# A CA and a server certificate for 127.0.0.1 and localhost that it signed, made on every start:
# clients trust $TLS_DIR/ca.pem. The server's PEM holds its PKCS#8 key, then its certificate.
make_tls_files() {
  command -v openssl >/dev/null 2>&1 || die "openssl not found; it makes the TLS listener's certificates"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=TideDB test CA" \
      -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 \
      -extfile san.ext -out server-cert.pem 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in server-key.pem -out server-key.pk8.pem
    cat server-key.pk8.pem server-cert.pem >server.pem
  ) || die "making the TLS certificates failed"
}

format_storage() {
  if [[ "$KEEP_DATA" == 1 && -f "$DATA_DIR/meta.properties" ]]; then
    log "keeping existing data in ${DATA_DIR#"$REPO_ROOT"/}"
    return 0
  fi
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  # A KRaft cluster id is 16 random bytes, base64url without padding. Generating
  # it here saves a JVM start compared to `kafka-storage random-uuid`.
  local cluster_id
  # One that starts with '-' would be read as an option by the storage tool: draw again.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  local scram=()
  if [[ -n "$KAFKA_SASL_PORT$KAFKA_SASL_SSL_PORT" ]]; then
    scram=(--add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]"
           --add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]")
  fi
  if ! java "${QUICK_JVM_OPTS[@]}" "${JAVA_LOG_OPTS[@]}" -cp "$LIB_DIR/*" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$CONF_FILE" "${scram[@]}" >"$LOG_DIR/format.log" 2>&1; then
    cat "$LOG_DIR/format.log" >&2
    die "formatting storage failed (see ${LOG_DIR#"$REPO_ROOT"/}/format.log)"
  fi
}

# Everything before launching the JVM. Not called via `||`/`if`, so set -e
# still applies inside it.
prepare() {
  if port_in_use "$KAFKA_PORT"; then
    die "127.0.0.1:$KAFKA_PORT is already in use by another process; stop it or set KAFKA_PORT"
  fi
  if port_in_use "$KAFKA_CONTROLLER_PORT"; then
    die "controller port 127.0.0.1:$KAFKA_CONTROLLER_PORT is already in use; set KAFKA_CONTROLLER_PORT"
  fi
  local secured
  for secured in $KAFKA_SASL_PORT $KAFKA_SASL_SSL_PORT; do
    if port_in_use "$secured"; then die "127.0.0.1:$secured is already in use; set KAFKA_SASL_PORT/KAFKA_SASL_SSL_PORT"; fi
  done
  write_config
  format_storage
}

# Flags for the short-lived helper JVMs (format, probe): C1 only and serial GC
# start faster and leave the second core to the broker that is booting.
QUICK_JVM_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto)

JAVA_LOG_OPTS=(
  "-Dkafka.logs.dir=$LOG_DIR"
  "-Dlog4j2.configurationFile=$BROKER_DIR/log4j2.properties"
)

# Sets BROKER_CMD: the broker's full java command line.
broker_cmd() {
  # shellcheck disable=SC2206 # heap options are a space-separated flag list
  local heap=($KAFKA_HEAP_OPTS)
  BROKER_CMD=(
    java "${heap[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    "${JAVA_LOG_OPTS[@]}"
    -cp "$LIB_DIR/*"
    kafka.Kafka "$CONF_FILE"
  )
}

# --- commands ----------------------------------------------------------------

cmd_start() {
  parse_flags "$@"
  local pid
  require_java
  fetch
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $BOOTSTRAP"
    return 0
  fi
  prepare
  broker_cmd
  local started=$SECONDS
  # stdin/stdout/stderr detached so a caller capturing our output (CI steps,
  # $(...) in the test runner) is not held open by the long-lived broker.
  nohup "${BROKER_CMD[@]}" </dev/null >"$LOG_DIR/stdout.log" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started Kafka $KAFKA_VERSION (pid $pid), waiting up to ${KAFKA_READY_TIMEOUT}s for $BOOTSTRAP ..."

  local probe_rc=0
  # The probe's own client logging is silenced; it reports on stderr itself.
  java "${QUICK_JVM_OPTS[@]}" -Dlog4j2.level=OFF -Dlog4j2.statusLoggerLevel=OFF \
    -cp "$LIB_DIR/*:$PROBE_DIR" KafkaReady "$BOOTSTRAP" "$KAFKA_READY_TIMEOUT" "$pid" \
    2>"$LOG_DIR/ready.log" || probe_rc=$?
  if [[ $probe_rc != 0 ]]; then
    log "error: Kafka did not become ready: $(tail -n 1 "$LOG_DIR/ready.log" 2>/dev/null)"
    log "--- last lines of ${LOG_DIR#"$REPO_ROOT"/}/server.log ---"
    # Skip the multi-hundred-line config dumps; they bury the actual error.
    grep -v -e $'^\t' -e '^ (org.apache.kafka.common.config.AbstractConfig)' \
      "$LOG_DIR/server.log" 2>/dev/null | tail -n 40 >&2 || true
    log "--- last lines of ${LOG_DIR#"$REPO_ROOT"/}/stdout.log ---"
    tail -n 20 "$LOG_DIR/stdout.log" >&2 2>/dev/null || true
    stop_pid "$pid"
    exit 1
  fi
  log "ready on $BOOTSTRAP after $((SECONDS - started))s (logs: ${LOG_DIR#"$REPO_ROOT"/})"
}

stop_pid() {
  local pid=$1 waited=0
  kill -TERM "$pid" 2>/dev/null || true
  # A clean KRaft shutdown takes a few seconds (controlled shutdown, log flush).
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 300)); then
      log "pid $pid still alive after 30s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
}

cmd_stop() {
  local pid
  if pid="$(running_pid)"; then
    log "stopping Kafka (pid $pid) ..."
    stop_pid "$pid"
    log "stopped"
  else
    rm -f "$PID_FILE"
    log "not running"
  fi
}

cmd_run() {
  parse_flags "$@"
  local pid
  require_java
  fetch
  if pid="$(running_pid)"; then
    die "already running in the background (pid $pid); use '$0 stop' first"
  fi
  prepare
  broker_cmd
  log "running Kafka $KAFKA_VERSION in the foreground on $BOOTSTRAP (Ctrl-C to stop; full log in ${LOG_DIR#"$REPO_ROOT"/}/server.log)"
  # exec so Ctrl-C's SIGINT goes straight to the JVM, which shuts down cleanly.
  # The pid file lets `status`/`stop` from another terminal find it too.
  echo "$$" >"$PID_FILE"
  exec "${BROKER_CMD[@]}"
}

cmd_status() {
  local pid version
  if pid="$(running_pid)"; then
    # Report the version actually running (from its classpath), not the default.
    version="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
      sed -n 's|.*/\.kafka/\([^/]*\)/lib/\*$|\1|p' | head -n 1)"
    echo "running: Kafka ${version:-$KAFKA_VERSION}, pid $pid, $BOOTSTRAP"
  else
    echo "not running"
    return 3
  fi
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
}

main() {
  # No command means `run`: package.json's "kafka" script calls this bare, so
  # `npm run kafka` gives a foreground broker to watch change events with.
  local cmd="${1:-run}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) require_java; fetch ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    run) cmd_run "$@" ;;
    status) cmd_status ;;
    help | -h | --help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
