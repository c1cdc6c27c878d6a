/**
 * One kafkajs 2.2.4 consumer-group member for tests/interop/groups-kafkajs.test.ts, run as its own
 * process: `node --import tsx kafkajs-group-member.ts <bootstrap> <topic> <group> <member> <sessionTimeoutMs>`.
 *
 * Speaks the same JSON-lines protocol as tests/interop/python/group_member.py (see there). kafkajs is
 * eager only and has no rebalance listener: its REBALANCING event (emitted before it rejoins) stands
 * for "revoke everything", GROUP_JOIN (after SyncGroup) for "assigned". Should kafkajs ever rejoin
 * without a REBALANCING event, the revoke is reported at GROUP_JOIN with `late: true`, so the test's
 * overlap check sees it. Offsets are committed after every batch (autoCommitThreshold 1); a line
 * `stop` (or EOF) on stdin disconnects the consumer (LeaveGroup) and exits 0.
 */
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, topic, group, member, sessionTimeoutArg] = process.argv.slice(2);
if (!bootstrap || !topic || !group || !member) {
  process.stderr.write('usage: kafkajs-group-member.ts <bootstrap> <topic> <group> <member> [sessionTimeoutMs]\n');
  process.exit(2);
}
const sessionTimeout = Number(sessionTimeoutArg ?? 6000);

function emit(ev: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ ev, t: Date.now(), ...fields }) + '\n');
}

const kafka = new Kafka({
  clientId: member,
  brokers: [bootstrap],
  logLevel: process.env.TRIBUTARY_IT_VERBOSE ? logLevel.DEBUG : logLevel.ERROR,
  // stdout carries the event protocol: kafkajs' log lines go to stderr.
  logCreator: () => ({ namespace, level, log }) => {
    process.stderr.write(`${level} ${namespace} ${log.message} ${JSON.stringify({ ...log, message: undefined })}\n`);
  },
  retry: { retries: 10, initialRetryTime: 100 },
});
const consumer = kafka.consumer({ groupId: group, sessionTimeout, heartbeatInterval: 1000, rebalanceTimeout: 30_000, maxWaitTimeInMs: 200 });
let owned: number[] = [];

consumer.on(consumer.events.REBALANCING, () => {
  emit('revoked', { partitions: owned });
  owned = [];
});
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  if (owned.length > 0) emit('revoked', { partitions: owned, late: true });
  owned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  emit('assigned', { partitions: owned, leader: e.payload.isLeader, protocol: e.payload.groupProtocol });
});
consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
  const offsets: Record<string, number> = {};
  for (const t of e.payload.topics) for (const p of t.partitions) offsets[p.partition] = Number(p.offset);
  emit('committed', { offsets, error: null });
});
consumer.on(consumer.events.CRASH, (e) => {
  emit('crash', { error: String(e.payload.error) });
});

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: [topic!], fromBeginning: true });
  emit('started');
  await consumer.run({
    autoCommit: true,
    autoCommitThreshold: 1,
    eachBatch: async ({ batch }) => {
      emit('records', { rows: batch.messages.map((m) => [batch.partition, Number(m.offset), m.value?.toString('utf8') ?? null]) });
    },
  });
  await new Promise<void>((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => { if (line.trim() === 'stop') resolve(); });
    rl.on('close', () => resolve());
  });
  await consumer.disconnect();
  emit('closed');
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`kafkajs member ${member} failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
