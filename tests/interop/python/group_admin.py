"""Group inspection from the Python admin clients, for Tributary's group interop tests.

Run with Debian's interpreter:
  /usr/bin/python3 group_admin.py describe --client confluent|kafka-python --bootstrap B --group G
Prints one JSON document: {"group", "state", "protocol_type", "protocol", "members": [{"member_id",
"client_id", "assignment_bytes"}]}. confluent-kafka-python 1.7.0 has no describe_consumer_groups:
its AdminClient.list_groups(group) sends ListGroups/DescribeGroups through librdkafka.
"""
import argparse
import json


def describe_confluent(args):
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({'bootstrap.servers': args.bootstrap})
    groups = admin.list_groups(group=args.group, timeout=15)
    g = next(x for x in groups if x.id == args.group)
    if g.error is not None:
        raise RuntimeError('describe %s: %s' % (args.group, g.error))
    return {
        'group': g.id, 'state': g.state, 'protocol_type': g.protocol_type, 'protocol': g.protocol,
        'members': [{'member_id': m.id, 'client_id': m.client_id, 'assignment_bytes': len(m.assignment or b'')}
                    for m in g.members],
    }


def describe_kafka_python(args):
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=15000, api_version=(2, 5, 0))
    try:
        g = admin.describe_consumer_groups([args.group])[0]
    finally:
        admin.close()
    if g.error_code != 0:
        raise RuntimeError('describe %s: error %d' % (args.group, g.error_code))
    return {
        'group': g.group, 'state': g.state, 'protocol_type': g.protocol_type, 'protocol': g.protocol,
        'members': [{'member_id': m.member_id, 'client_id': m.client_id,
                     'assignment_bytes': len(m.member_assignment.encode()) if hasattr(m.member_assignment, 'encode') else None}
                    for m in g.members],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=['describe'])
    ap.add_argument('--client', choices=['confluent', 'kafka-python'], required=True)
    ap.add_argument('--bootstrap', required=True)
    ap.add_argument('--group', required=True)
    args = ap.parse_args()
    fn = describe_confluent if args.client == 'confluent' else describe_kafka_python
    print(json.dumps(fn(args)))


if __name__ == '__main__':
    main()
