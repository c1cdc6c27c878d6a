/**
 * Consumer groups with kafka-python 2.0.2 (eager; members list roundrobin then range, so the broker's
 * protocol selection picks roundrobin) against a Tributary broker process: three member processes
 * (tests/interop/python/group_member.py), kill -9 of one, committed offsets across a broker restart.
 * The scenario is in groups-common.ts.
 */
import { describeGroupScenario, pythonMember } from './groups-common.ts';

describeGroupScenario({
  title: 'kafka-python 2.0.2, eager roundrobin',
  tag: 'kafka-python',
  protocol: 'eager',
  expectedAssignor: 'roundrobin',
  member: pythonMember('kafka-python', 'roundrobin,range'),
  describeWith: 'confluent',
});
