"""kafka-python 2.0.2 driver for Tributary's interop tests.

Run with Debian's interpreter: /usr/bin/python3 kafka_python_driver.py <command> [options].
Prints one JSON document on stdout; diagnostics go to stderr. Commands:
  create    --bootstrap B --topic T --partitions N          KafkaAdminClient.create_topics
  produce   --bootstrap B --topic T --codec C --records F   JSON-lines records {k, v, h}
  consume   --bootstrap B --topic T --partitions N --expect M
  bad-topic --bootstrap B --topic T                          produce to an invalid name, report the error
--api-version 2.5.0 pins the protocol versions (skips kafka-python's probing); 'probe' lets it probe.
"""
import argparse
import json
import logging
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic


def api_version(args):
    if args.api_version == 'probe':
        return {}
    return {'api_version': tuple(int(x) for x in args.api_version.split('.'))}


def cmd_create(args):
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=15000, **api_version(args))
    try:
        resp = admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)],
                                   timeout_ms=10000)
        errors = [list(t) for t in getattr(resp, 'topic_errors', [])]
    finally:
        admin.close()
    return {'created': args.topic, 'topic_errors': errors}


def load_records(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_produce(args):
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        compression_type=None if args.codec == 'none' else args.codec,
        acks='all',
        linger_ms=5,
        retries=3,
        **api_version(args))
    futures = []
    for r in load_records(args.records):
        headers = [(k, v.encode('utf-8')) for k, v in r['h']]
        futures.append(producer.send(args.topic, key=r['k'].encode('utf-8'), value=r['v'].encode('utf-8'),
                                     headers=headers))
    producer.flush(timeout=60)
    errors = []
    acked = 0
    for f in futures:
        try:
            f.get(timeout=30)
            acked += 1
        except Exception as e:
            errors.append(repr(e))
    producer.close(timeout=10)
    return {'acked': acked, 'errors': errors[:20], 'error_count': len(errors)}


def cmd_consume(args):
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=None,  # assign() only: no group coordinator
        enable_auto_commit=False,
        auto_offset_reset='earliest',
        **api_version(args))
    tps = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    out = []
    deadline = time.time() + args.timeout
    while len(out) < args.expect and time.time() < deadline:
        batches = consumer.poll(timeout_ms=500, max_records=5000)
        for tp, msgs in batches.items():
            for m in msgs:
                out.append([m.partition, m.offset,
                            None if m.key is None else m.key.decode('utf-8'),
                            None if m.value is None else m.value.decode('utf-8'),
                            [[k, None if v is None else v.decode('utf-8')] for k, v in (m.headers or [])]])
    end_offsets = consumer.end_offsets(tps)
    consumer.close()
    return {'records': out, 'end_offsets': {str(tp.partition): o for tp, o in end_offsets.items()}}


def cmd_bad_topic(args):
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks='all', max_block_ms=3000, **api_version(args))
    try:
        producer.send(args.topic, key=b'k', value=b'v').get(timeout=15)
        return {'error': None}
    except Exception as e:
        return {'error': {'type': type(e).__name__, 'str': str(e)}}
    finally:
        producer.close(timeout=5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=['create', 'produce', 'consume', 'bad-topic'])
    ap.add_argument('--bootstrap', required=True)
    ap.add_argument('--topic', required=True)
    ap.add_argument('--partitions', type=int, default=6)
    ap.add_argument('--codec', default='none')
    ap.add_argument('--records')
    ap.add_argument('--expect', type=int, default=0)
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--api-version', default='2.5.0')
    ap.add_argument('--debug', action='store_true')
    args = ap.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.debug else logging.WARNING)
    fn = {'create': cmd_create, 'produce': cmd_produce, 'consume': cmd_consume, 'bad-topic': cmd_bad_topic}[args.command]
    print(json.dumps(fn(args)))


if __name__ == '__main__':
    main()
