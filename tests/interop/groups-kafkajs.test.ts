/**
 * Consumer groups with kafkajs 2.2.4 (eager; its default RoundRobinAssigner) against a Tributary
 * broker process: three member processes (tests/interop/workers/kafkajs-group-member.ts), kill -9 of
 * one, committed offsets across a broker restart. The scenario is in groups-common.ts.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/broker-process.ts';
import { describeGroupScenario, SESSION_TIMEOUT_MS } from './groups-common.ts';

const WORKER = join(REPO_ROOT, 'tests/interop/workers/kafkajs-group-member.ts');

describeGroupScenario({
  title: 'kafkajs 2.2.4, eager RoundRobinAssigner',
  tag: 'kafkajs',
  protocol: 'eager',
  expectedAssignor: 'RoundRobinAssigner',
  member: (bootstrap, topic, group, name) => ({
    cmd: process.execPath,
    args: ['--import', 'tsx', WORKER, bootstrap, topic, group, name, String(SESSION_TIMEOUT_MS)],
  }),
  describeWith: 'confluent',
});
