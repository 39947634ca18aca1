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
from confluent_kafka.serialization import MessageField, SerializationContext

try:
    from confluent_kafka.schema_registry.avro import AvroDeserializer

    def make_deserializer(client):
        deserializer = AvroDeserializer(client)
        return lambda raw, topic, field: deserializer(raw, SerializationContext(topic, field))

except ImportError:
    # confluent-kafka's AvroDeserializer needs fastavro, which Debian does not ship; Apache
    # Avro's own Python reader (python3-avro) decodes the same Confluent-framed messages, with
    # the writer schema fetched from the registry by the id in the frame.
    import io
    import struct

    import avro.io
    import avro.schema

    def make_deserializer(client):
        readers = {}

        def deserialize(raw, topic, field):
            if raw is None:
                return None
            magic, schema_id = struct.unpack(">bI", raw[:5])
            if magic != 0:
                raise ValueError(f"not a Confluent-framed message (magic byte {magic})")
            if schema_id not in readers:
                readers[schema_id] = avro.io.DatumReader(avro.schema.parse(client.get_schema(schema_id).schema_str))
            return readers[schema_id].read(avro.io.BinaryDecoder(io.BytesIO(raw[5:])))

        return deserialize


def main() -> None:
    bootstrap, registry_url, count, timeout_s, *topics = sys.argv[1:]
    deserialize = make_deserializer(SchemaRegistryClient({"url": registry_url}))
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
            key = deserialize(message.key(), topic, MessageField.KEY)
            value = deserialize(message.value(), topic, MessageField.VALUE)
            headers = {name: deserialize(raw, topic, MessageField.KEY) for name, raw in (message.headers() or [])}
            # Decimals and dates decode to Python objects: their text is what the test compares.
            print(json.dumps({"topic": topic, "partition": message.partition(), "key": key, "value": value, "headers": headers}, default=str), flush=True)
            seen += 1
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
