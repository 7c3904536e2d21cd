#!/usr/bin/env bash
# PSPF benchmarks. See bench/README.md.
#
#   bash bench/run.sh driver [N] [--runs R] [--engines kafka,pspf] [--workloads stateless,papi-wordcount]
#                            [--store-logging true|false] [--gate]
#   bash bench/run.sh profile <pspf|kafka> <stateless|papi-wordcount> [N] [--store-logging true|false]
#   bash bench/run.sh profile-log <stateless|wordcount>-<alos|eos> [N] [--commit-interval-ms MS] [--fsync F]
#   bash bench/run.sh jmh [JMH options and benchmark regexps, e.g. -f 1 -wi 3 -i 5 StoreBench]
#   bash bench/run.sh log-raw [N]   (the file log's append, commit-unit and read rates, no stream processing)
#   bash bench/run.sh log [N] [--runs R] [--engines pspf,kafka]
#                         [--workloads stateless-alos,stateless-eos,wordcount-alos,wordcount-eos]
#                         [--commit-interval-ms MS] [--partitions P] [--rate R] [--fsync none|commit|always] [--gate]
#                     (end to end: PspfStreams on the file log vs Kafka Streams on a local broker, fresh JVMs)
#   bash bench/run.sh valkey [N] [the options of log] [--aof] [--workloads ...,xadd]
#                     (the same on a valkey-server / redis-server from PATH, started per measurement; xadd: the
#                     server's own rate from redis-benchmark)
#   bash bench/run.sh build
#
# Environment: BENCH_JAVA_OPTS (JVM options of the measuring JVMs, default -Xmx2g; -Xmx1g for log, as the Kafka
# baseline's), MVN (Maven command, default mvn), BENCH_SKIP_BUILD=1 (use the classes already built), JAVA_HOME.
# log only: BENCH_KAFKA_BASELINE (the Kafka baseline's directory), KB_WORK (its work dir, default a temporary one),
# KB_MVN_OPTS (default -o), KB_JAVA_OPTS, KB_BROKER_HEAP (passed to the baseline), TMPDIR (where the logs go).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
MVN=${MVN:-mvn}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JFR=${JAVA_HOME:+$JAVA_HOME/bin/}jfr
LOG_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}   # log: the Kafka baseline's e2e JVM runs with -Xmx1g
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx2g}
CP="$BENCH_DIR/target/classes:$BENCH_DIR/target/lib/*"
# warnings only; StreamsConfig's advice about the global processing exception handler is printed by every driver
LOG_OPTS=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.logFile=System.err
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams.StreamsConfig=error)

log() { echo "bench: $*" >&2; }

# The Kafka baseline's directory: BENCH_KAFKA_BASELINE, else ../shared/kafka-baseline beside the repository.
kafka_baseline() {
  if [[ -n "${BENCH_KAFKA_BASELINE:-}" ]]; then
    echo "$BENCH_KAFKA_BASELINE"
  elif [[ -f "$ROOT/../shared/kafka-baseline/run.sh" ]]; then
    (cd "$ROOT/../shared/kafka-baseline" && pwd)
  else
    echo /work/shared/kafka-baseline
  fi
}

build() {
  if [[ "${BENCH_SKIP_BUILD:-0}" == 1 && -d "$BENCH_DIR/target/classes" && -d "$BENCH_DIR/target/lib" ]]; then
    return
  fi
  rm -rf "$BENCH_DIR/target/lib"   # copy-dependencies refills it; no stale jars
  local t0=$SECONDS
  log "building bench and the modules it needs (mvn package -DskipTests -pl bench -am)"
  # offline first (fast, and works with a filled ~/.m2); online if something is missing
  if ! (cd "$ROOT" && $MVN -q -o package -DskipTests -pl bench -am) >&2; then
    log "offline build failed; retrying with access to the Maven repositories"
    (cd "$ROOT" && $MVN -q package -DskipTests -pl bench -am) >&2
  fi
  log "build done in $((SECONDS - t0)) s"
}

# Prints the top frames of a JFR recording's execution samples (self time, total time, and per thread).
jfr_report() {
  local jfr_file=$1 out=$2 total
  "$JFR" print --stack-depth 64 --events jdk.ExecutionSample "$jfr_file" > "$out/samples.txt"
  total=$(grep -c 'jdk.ExecutionSample' "$out/samples.txt" || true)
  echo
  echo "== $total execution samples, by thread:"
  sed -n 's/^ *sampledThread = "\([^"]*\)".*/\1/p' "$out/samples.txt" | sed 's/[0-9]\+$/N/' | sort | uniq -c \
    | sort -rn | head -10
  echo
  echo "== Top 30 frames where the samples were taken (self time):"
  awk '/stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print}' "$out/samples.txt" \
    | sort | uniq -c | sort -rn | head -30
  echo
  echo "== Top 40 frames by samples that include them (total time; each frame counted once per sample):"
  awk '/stackTrace = \[/ {inside=1; delete seen; next}
       inside && /^[ \t]*\]/ {inside=0; next}
       inside {f=$0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f)
               if (f != "..." && !(f in seen)) {seen[f]=1; print f}}' \
    "$out/samples.txt" | sort | uniq -c | sort -rn | head -40
  echo
  "$JFR" print --stack-depth 64 --events jdk.NativeMethodSample "$jfr_file" > "$out/native.txt"
  echo "== $(grep -c 'jdk.NativeMethodSample' "$out/native.txt" || true) native-method samples (I/O, fsync, JNI such as"\
    "SQLite): top frame < first io.pspf frame below it"
  awk '/stackTrace = \[/ {inside=1; top=""; own=""; next}
       inside && /^[ \t]*\]/ {inside=0; print top " < " own; next}
       inside {f=$0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f)
               if (top == "") top=f; else if (own == "" && f ~ /^io[.]pspf[.]/) own=f}' "$out/native.txt" \
    | sort | uniq -c | sort -rn | head -15
  echo
  echo "recording: $jfr_file   (samples as text: $out/samples.txt, $out/native.txt)"
}

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd=${1:-}
[[ -n "$cmd" ]] || usage
shift

case "$cmd" in
  build)
    build
    ;;
  driver)
    build
    # The orchestrating JVM is small; each (engine, workload) runs in a fresh JVM with BENCH_JAVA_OPTS.
    exec "$JAVA" -Xmx256m "${LOG_OPTS[@]}" -Dbench.java.opts="$BENCH_JAVA_OPTS" -cp "$CP" \
      io.pspf.bench.DriverBench "$@"
    ;;
  profile)
    [[ $# -ge 2 ]] || usage
    engine=$1 workload=$2
    shift 2
    n=1000000
    if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then n=$1; shift; fi
    build
    out=$(mktemp -d "${TMPDIR:-/tmp}/pspf-bench-profile.XXXXXX")
    jfr_file="$out/$engine-$workload.jfr"
    log "profiling $workload on $engine (N=$n, 1 timed run) into $jfr_file"
    # shellcheck disable=SC2086
    "$JAVA" $BENCH_JAVA_OPTS "${LOG_OPTS[@]}" -XX:StartFlightRecording=filename="$jfr_file",settings=profile \
      -cp "$CP" io.pspf.bench.EngineRun --engine "$engine" --workload "$workload" --records "$n" --runs 1 "$@"
    jfr_report "$jfr_file" "$out"
    ;;
  profile-log)
    [[ $# -ge 1 ]] || usage
    workload=$1
    shift
    n=1000000
    if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then n=$1; shift; fi
    build
    out=$(mktemp -d "${TMPDIR:-/tmp}/pspf-bench-profile.XXXXXX")
    jfr_file="$out/log-$workload.jfr"
    log "loading $n records into $out/data (4 partitions), then profiling $workload on PspfStreams into $jfr_file"
    # shellcheck disable=SC2086
    "$JAVA" $LOG_JAVA_OPTS "${LOG_OPTS[@]}" -cp "$CP" io.pspf.bench.LogRun load "$out/data" 4 "$n"
    # shellcheck disable=SC2086
    "$JAVA" $LOG_JAVA_OPTS "${LOG_OPTS[@]}" -XX:StartFlightRecording=filename="$jfr_file",settings=profile \
      -cp "$CP" io.pspf.bench.LogRun run "$out/data" 4 "$n" "$workload" "$@"
    rm -rf "$out/data"
    jfr_report "$jfr_file" "$out"
    ;;
  log-raw)
    build
    # shellcheck disable=SC2086
    exec "$JAVA" $BENCH_JAVA_OPTS "${LOG_OPTS[@]}" -cp "$CP" io.pspf.bench.LogRawBench "$@"
    ;;
  log)
    build
    baseline=$(kafka_baseline)
    # The orchestrating JVM is small; each load and each measurement runs in a fresh JVM with LOG_JAVA_OPTS.
    exec "$JAVA" -Xmx256m "${LOG_OPTS[@]}" -Dbench.java.opts="$LOG_JAVA_OPTS" -Dbench.log.base="${TMPDIR:-/tmp}" \
      -Dbench.kafka.baseline="$baseline" -cp "$CP" io.pspf.bench.LogBench "$@"
    ;;
  valkey)
    build
    baseline=$(kafka_baseline)
    # as log, with a fresh valkey-server / redis-server from PATH per measurement, and the server's own XADD rate
    exec "$JAVA" -Xmx256m "${LOG_OPTS[@]}" -Dbench.java.opts="$LOG_JAVA_OPTS" -Dbench.log.base="${TMPDIR:-/tmp}" \
      -Dbench.kafka.baseline="$baseline" -cp "$CP" io.pspf.bench.LogBench --backend valkey "$@"
    ;;
  jmh)
    build
    # shellcheck disable=SC2086
    exec "$JAVA" $BENCH_JAVA_OPTS "${LOG_OPTS[@]}" -cp "$CP" org.openjdk.jmh.Main "$@"
    ;;
  *)
    usage
    ;;
esac
