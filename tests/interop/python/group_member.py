"""One consumer-group member for Tributary's group interop tests (tests/interop/groups-*.test.ts).

Run with Debian's interpreter:
  /usr/bin/python3 group_member.py --client confluent|kafka-python --bootstrap B --topic T --group G
      --member NAME --strategy S [--session-timeout-ms 6000] [--debug ...]

S: for confluent, librdkafka's partition.assignment.strategy (range, roundrobin, cooperative-sticky);
for kafka-python, a comma-separated list of range/roundrobin (in preference order).

Writes one JSON object per line on stdout, each with `ev` and `t` (wall-clock ms):
  {"ev":"started"}                          the consumer object exists and has subscribed
  {"ev":"assigned","partitions":[...]}      partitions added to what this member owns
  {"ev":"revoked","partitions":[...]}       partitions taken away (eager: all of them)
  {"ev":"lost","partitions":[...]}          partitions lost without a revoke (librdkafka)
  {"ev":"records","rows":[[p, offset, value], ...]}
  {"ev":"committed","offsets":{"p": offset}, "error": str|null}
  {"ev":"closed"}
The callbacks print before they return, so a revoke is on stdout before the member rejoins.
Offsets are auto-committed every second; a line `stop` (or EOF) on stdin makes the member commit
synchronously, close (leaving the group) and exit 0.
"""
import argparse
import json
import sys
import threading
import time

stop_requested = threading.Event()
out_lock = threading.Lock()


def emit(ev, **fields):
    fields['ev'] = ev
    fields['t'] = time.time() * 1000.0
    line = json.dumps(fields)
    with out_lock:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == 'stop':
            break
    stop_requested.set()


def run_confluent(args):
    from confluent_kafka import Consumer, KafkaError, KafkaException

    def on_commit(err, partitions):
        emit('committed', offsets={str(p.partition): p.offset for p in partitions if p.offset >= 0},
             error=None if err is None else str(err))

    conf = {
        'bootstrap.servers': args.bootstrap,
        'group.id': args.group,
        'client.id': args.member,
        'partition.assignment.strategy': args.strategy,
        'session.timeout.ms': args.session_timeout_ms,
        'heartbeat.interval.ms': args.heartbeat_interval_ms,
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': True,
        'auto.commit.interval.ms': 1000,
        'on_commit': on_commit,
    }
    if args.debug:
        conf['debug'] = args.debug
    consumer = Consumer(conf)

    # The wrapper calls assign()/incremental_assign() (or the unassign variants) itself after these
    # callbacks return, as the rebalance protocol requires.
    def on_assign(c, partitions):
        emit('assigned', partitions=sorted(p.partition for p in partitions))

    def on_revoke(c, partitions):
        emit('revoked', partitions=sorted(p.partition for p in partitions))

    def on_lost(c, partitions):
        emit('lost', partitions=sorted(p.partition for p in partitions))

    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    emit('started')
    while not stop_requested.is_set():
        msgs = consumer.consume(num_messages=500, timeout=0.2)
        rows = []
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(err)
            rows.append([m.partition(), m.offset(), m.value().decode('utf-8')])
        if rows:
            emit('records', rows=rows)
    try:
        consumer.commit(asynchronous=False)
    except KafkaException as e:
        if e.args[0].code() != KafkaError._NO_OFFSET:
            raise
    consumer.close()
    emit('closed')


def run_kafka_python(args):
    import logging
    from kafka import KafkaConsumer
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

    if args.debug:
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
    assignors = {'range': RangePartitionAssignor, 'roundrobin': RoundRobinPartitionAssignor}
    strategy = [assignors[s.strip()] for s in args.strategy.split(',')]
    version = {} if args.api_version == 'probe' else {'api_version': tuple(int(x) for x in args.api_version.split('.'))}
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        client_id=args.member,
        partition_assignment_strategy=strategy,
        session_timeout_ms=args.session_timeout_ms,
        heartbeat_interval_ms=args.heartbeat_interval_ms,
        auto_offset_reset='earliest',
        enable_auto_commit=True,
        auto_commit_interval_ms=1000,
        **version)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit('revoked', partitions=sorted(tp.partition for tp in revoked))

        def on_partitions_assigned(self, assigned):
            emit('assigned', partitions=sorted(tp.partition for tp in assigned))

    consumer.subscribe(topics=[args.topic], listener=Listener())
    emit('started')
    while not stop_requested.is_set():
        batches = consumer.poll(timeout_ms=200, max_records=500)
        rows = []
        for tp, msgs in batches.items():
            for m in msgs:
                rows.append([m.partition, m.offset, m.value.decode('utf-8')])
        if rows:
            emit('records', rows=rows)
    offsets = {tp: consumer.position(tp) for tp in consumer.assignment()}
    consumer.commit()
    emit('committed', offsets={str(tp.partition): o for tp, o in offsets.items()}, error=None)
    consumer.close(autocommit=False)
    emit('closed')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--client', choices=['confluent', 'kafka-python'], required=True)
    ap.add_argument('--bootstrap', required=True)
    ap.add_argument('--topic', required=True)
    ap.add_argument('--group', required=True)
    ap.add_argument('--member', required=True)
    ap.add_argument('--strategy', required=True)
    ap.add_argument('--session-timeout-ms', type=int, default=6000)
    ap.add_argument('--heartbeat-interval-ms', type=int, default=1000)
    ap.add_argument('--api-version', default='2.5.0')
    ap.add_argument('--debug', default='')
    args = ap.parse_args()
    threading.Thread(target=watch_stdin, daemon=True).start()
    if args.client == 'confluent':
        run_confluent(args)
    else:
        run_kafka_python(args)


if __name__ == '__main__':
    main()
