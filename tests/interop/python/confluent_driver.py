"""confluent-kafka-python (librdkafka) driver for Tributary's interop tests.

Run with Debian's interpreter: /usr/bin/python3 confluent_driver.py <command> [options].
Prints one JSON document on stdout; diagnostics go to stderr. Commands:
  create    --bootstrap B --topic T --partitions N          AdminClient.create_topics
  produce   --bootstrap B --topic T --codec C --records F   JSON-lines records {k, v, h}
  consume   --bootstrap B --topic T --partitions N --expect M
  bad-topic --bootstrap B --topic T                          produce to an invalid name, report the error
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def common_conf(args):
    conf = {'bootstrap.servers': args.bootstrap}
    if args.debug:
        conf['debug'] = args.debug
    return conf


def cmd_create(args):
    admin = AdminClient(common_conf(args))
    futures = admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)],
                                  operation_timeout=10, request_timeout=15)
    futures[args.topic].result(timeout=20)
    md = admin.list_topics(topic=args.topic, timeout=10)
    return {'created': args.topic, 'partitions': len(md.topics[args.topic].partitions)}


def load_records(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_produce(args):
    conf = common_conf(args)
    conf.update({
        'compression.type': args.codec,
        'partitioner': 'murmur2_random',  # Java-compatible placement for keyed records
        'acks': 'all',
        'linger.ms': 5,
        'message.timeout.ms': 60000,
    })
    producer = Producer(conf)
    errors = []
    acked = [0]

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            acked[0] += 1

    for r in load_records(args.records):
        headers = [(k, v.encode('utf-8')) for k, v in r['h']]
        while True:
            try:
                producer.produce(args.topic, key=r['k'].encode('utf-8'), value=r['v'].encode('utf-8'),
                                 headers=headers, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(60)
    return {'acked': acked[0], 'errors': errors[:20], 'error_count': len(errors), 'unflushed': remaining}


def header_list(msg):
    hs = msg.headers() or []
    return [[k, None if v is None else v.decode('utf-8')] for k, v in hs]


def cmd_consume(args):
    conf = common_conf(args)
    conf.update({
        'group.id': 'interop-assign-only',  # required by the Python wrapper; no group APIs are used with assign()
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'enable.partition.eof': True,
        'auto.offset.reset': 'earliest',
    })
    consumer = Consumer(conf)
    consumer.assign([TopicPartition(args.topic, p, -2) for p in range(args.partitions)])  # -2: OFFSET_BEGINNING
    out = []
    eof = set()
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        msgs = consumer.consume(num_messages=1000, timeout=0.5)
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise RuntimeError('consume error: %s' % err)
            eof.discard(m.partition())
            key = m.key()
            val = m.value()
            out.append([m.partition(), m.offset(), None if key is None else key.decode('utf-8'),
                        None if val is None else val.decode('utf-8'), header_list(m)])
        if len(out) >= args.expect and len(eof) == args.partitions:
            break
    consumer.close()
    return {'records': out}


def cmd_bad_topic(args):
    conf = common_conf(args)
    conf.update({'message.timeout.ms': 10000, 'acks': 'all'})
    producer = Producer(conf)
    result = {}

    def on_delivery(err, msg):
        result['error'] = None if err is None else {'code': err.code(), 'name': err.name(), 'str': err.str()}

    try:
        producer.produce(args.topic, key=b'k', value=b'v', on_delivery=on_delivery)
    except Exception as e:  # a client-side rejection is also a clean outcome
        return {'raised': repr(e)}
    producer.flush(20)
    return result


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
    ap.add_argument('--debug', default='')
    args = ap.parse_args()
    fn = {'create': cmd_create, 'produce': cmd_produce, 'consume': cmd_consume, 'bad-topic': cmd_bad_topic}[args.command]
    print(json.dumps(fn(args)))


if __name__ == '__main__':
    main()
