"""Reads TideDB's topics as a stock Python consumer does: confluent-kafka's Consumer and its
AvroDeserializer, fetching writer schemas from the node's registry by id. Prints one JSON line
per message (topic, partition, key, value, decoded headers) and exits once `count` messages
arrived, or fails after `timeout` seconds.

usage: consume.py <bootstrap> <registry url> <count> <timeout s> <topic>...
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main() -> None:
    bootstrap, registry_url, count, timeout_s, *topics = sys.argv[1:]
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"py-{uuid.uuid4()}", "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe(topics)
    deadline = time.time() + float(timeout_s)
    seen = 0
    try:
        while seen < int(count):
            if time.time() > deadline:
                sys.exit(f"timed out after {seen} of {count} messages")
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error() is not None:
                sys.exit(f"consumer error: {message.error()}")
            topic = message.topic()
            key = deserialize(message.key(), SerializationContext(topic, MessageField.KEY))
            value = deserialize(message.value(), SerializationContext(topic, MessageField.VALUE))
            headers = {name: deserialize(raw, SerializationContext(topic, MessageField.KEY)) for name, raw in (message.headers() or [])}
            print(json.dumps({"topic": topic, "partition": message.partition(), "key": key, "value": value, "headers": headers}), flush=True)
            seen += 1
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
