#!/usr/bin/env bash
# Kafka client .properties with the real librdkafka 2.16.0 config parser (confluent-kafka 2.16.1):
# every key on its own, then the whole set (cross-property rules). No broker, no socket.
# Usage: check-kafka.sh producer|consumer FILE.properties ...
#   KAFKA_JAVA=4.0 additionally checks Java-client key names/values against PyPI kafkacfg's tables
#   for that Kafka version. Note: Java-only keys (key.serializer, ...) are unknown to librdkafka.
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] && [[ $1 == producer || $1 == consumer ]] || usage "producer|consumer FILE.properties ..."
kind=$1; shift
for f in "$@"; do
  try librdkafka "$PY" "$BIN/kafka-librdkafka-check.py" "$kind" "$f"
  [ -z "${KAFKA_JAVA:-}" ] || try "java keys" "$PY" "$BIN/kafka-java-keys-check.py" "$kind" "$f" "$KAFKA_JAVA"
  verdict "$f"
done
finish
