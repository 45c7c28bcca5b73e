#!/usr/bin/env python3
"""A downstream subscriber to Vigil's `anomalies` and `diagnosis.reports` topics in Python, using
confluent-kafka and fastavro plus Vigil's published .avsc files (no Vigil code). Prints one line
per record. Not run in Vigil's CI (the Node example, examples/subscribe-anomalies.mjs, is).

    pip install confluent-kafka fastavro
    KAFKA_BROKERS=kafka:9092 python3 examples/subscribe_anomalies.py

Environment: KAFKA_BROKERS, VIGIL_TOPIC_PREFIX (as Vigil's), GROUP_ID, SCHEMAS_DIR (default
../schemas), SCHEMA_REGISTRY_URL (only when Vigil runs with VIGIL_SCHEMA_REGISTRY_URL).

Values are Avro single-object encoded (C3 01 + 8-byte little-endian CRC-64-AVRO fingerprint of
the writer's schema + body), or in Confluent Schema Registry framing (00 + 4-byte big-endian
schema id + body) when Vigil uses a registry.
"""
import glob
import io
import json
import os
import struct
import urllib.request

from confluent_kafka import Consumer
from fastavro import parse_schema, schemaless_reader
from fastavro.schema import to_parsing_canonical_form

SCHEMAS_DIR = os.environ.get("SCHEMAS_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schemas"))
PREFIX = os.environ.get("VIGIL_TOPIC_PREFIX", "")
REGISTRY_URL = os.environ.get("SCHEMA_REGISTRY_URL")


EMPTY = 0xC15D213AA4D7A795
TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
    TABLE.append(fp)


def crc64_avro(schema):
    """The Avro specification's Rabin fingerprint of a schema's Parsing Canonical Form, as Vigil writes it (8 bytes, little endian)."""
    fp = EMPTY
    for byte in to_parsing_canonical_form(schema).encode("utf-8"):
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp.to_bytes(8, "little")


def load(path):
    with open(path, encoding="utf-8") as f:
        return parse_schema(json.load(f))


def decoder_for(topic):
    """The current .avsc reads records written by it or by any version in schemas/history/."""
    reader = load(os.path.join(SCHEMAS_DIR, f"{topic}.avsc"))
    writers = {}
    for path in [os.path.join(SCHEMAS_DIR, f"{topic}.avsc"), *glob.glob(os.path.join(SCHEMAS_DIR, "history", f"{topic}.v*.avsc"))]:
        writer = load(path)
        writers.setdefault(crc64_avro(writer), writer)
    by_id = {}

    def decode(value):
        if value[:2] == b"\xc3\x01":
            key = bytes(value[2:10])
            if key not in writers:
                raise ValueError(f"unknown writer schema {value[2:10].hex()}: update {SCHEMAS_DIR}")
            return schemaless_reader(io.BytesIO(value[10:]), writers[key], reader)
        if value[:1] == b"\x00" and REGISTRY_URL:
            (schema_id,) = struct.unpack(">I", value[1:5])
            if schema_id not in by_id:
                with urllib.request.urlopen(f"{REGISTRY_URL}/schemas/ids/{schema_id}") as answer:
                    by_id[schema_id] = parse_schema(json.loads(json.load(answer)["schema"]))
            return schemaless_reader(io.BytesIO(value[5:]), by_id[schema_id], reader)
        raise ValueError(f"not a Vigil record (first bytes {value[:2].hex()})")

    return decode


def where(entity):
    return "/".join(part for part in (entity["cluster"], entity["node"], entity["namespace"], entity["pod"], entity["container"]) if part)


SHOW = {
    "anomalies": lambda a: f"ANOMALY {a['state']} {a['severity']} {where(a['entity'])} {a['metric']} {a['kind']} "
    f"value={a['value']} expected=[{a['expectedLow']}, {a['expectedHigh']}] id={a['id']}",
    "diagnosis.reports": lambda r: f"REPORT {r['severity']} {where(r['entity'])} {r['rootCause']['code']}: "
    f"{r['rootCause']['summary']} (confidence {r['confidence']}) id={r['id']}",
}
DECODERS = {PREFIX + topic: (topic, decoder_for(topic)) for topic in SHOW}

consumer = Consumer({
    "bootstrap.servers": os.environ.get("KAFKA_BROKERS", "localhost:9092"),
    "group.id": os.environ.get("GROUP_ID", "my-anomaly-subscriber"),
    "auto.offset.reset": "earliest",
})
consumer.subscribe(list(DECODERS))
try:
    while True:
        message = consumer.poll(1.0)
        if message is None:
            continue
        if message.error():
            print(f"kafka: {message.error()}", flush=True)
            continue
        topic, decode = DECODERS[message.topic()]
        try:
            print(SHOW[topic](decode(message.value())), flush=True)
        except Exception as error:  # a record this reader cannot decode: say so and go on
            print(f"{message.topic()} offset {message.offset()}: {error}", flush=True)
finally:
    consumer.close()
