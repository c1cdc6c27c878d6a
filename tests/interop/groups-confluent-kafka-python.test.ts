/**
 * Consumer groups with confluent-kafka-python 1.7.0 (librdkafka 2.0.2) against a Tributary broker
 * process, once with the eager `range` assignor and once with `cooperative-sticky` (incremental
 * rebalancing: only moved partitions are revoked). Three member processes
 * (tests/interop/python/group_member.py), kill -9 of one, committed offsets across a broker restart.
 * The scenario is in groups-common.ts.
 */
import { describeGroupScenario, pythonMember } from './groups-common.ts';

describeGroupScenario({
  title: 'confluent-kafka-python (librdkafka 2.0.2), eager range',
  tag: 'confluent-range',
  protocol: 'eager',
  expectedAssignor: 'range',
  member: pythonMember('confluent', 'range'),
  describeWith: 'kafka-python',
});

describeGroupScenario({
  title: 'confluent-kafka-python (librdkafka 2.0.2), cooperative-sticky',
  tag: 'confluent-coop',
  protocol: 'cooperative',
  expectedAssignor: 'cooperative-sticky',
  member: pythonMember('confluent', 'cooperative-sticky'),
  describeWith: 'kafka-python',
});
