#!/usr/bin/env bash
# The whole test run from a fresh clone: install dependencies, type-check, build, start a
# real Kafka broker (fetching its jars from Maven Central on first use), run every test,
# and stop the broker whatever happened. Extra arguments go to vitest (e.g. a file filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run-all: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# The client package first: the store example's services import it by its package name, whose
# types are its build output.
echo "run-all: building the client package"
npx tsc -p packages/client/tsconfig.json
echo "run-all: type-checking"
npx tsc -p tsconfig.json --noEmit
echo "run-all: building"
npx tsc -p tsconfig.build.json

broker_started=0
stop_broker() {
  if [ "$broker_started" = 1 ]; then bash test/broker/kafka.sh stop || true; fi
}
trap stop_broker EXIT
if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash test/broker/kafka.sh start
  broker_started=1
  export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
fi

if [ "$#" -gt 0 ]; then
  npx vitest run "$@"
else
  npx vitest run --exclude 'test/fuzz/**' --exclude 'test/slt/corpus-guard.test.ts'
  # The fuzz test asserts the node's event-loop delay; it runs alone, so that the other test
  # files' processes do not compete with the node under test for the machine's two cores.
  npx vitest run test/fuzz/
  # The sqllogictest guard runs the whole corpus for minutes: alone, it neither slows the
  # others nor is starved by them.
  npx vitest run test/slt/corpus-guard.test.ts
fi
