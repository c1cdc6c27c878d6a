// Consumer group timings, printed as one JSON line:
//  - joinToStableMs: from the moment a 10-member group starts joining (first JoinGroup) until every
//    member holds its partitions in one generation;
//  - subscribeToFirstRecordMs: a fresh member subscribing to a topic with data until its first record.
//
//   node --import tsx packages/client/bench/group.bench.ts [--bootstrap 127.0.0.1:9092] [--members 10]
//     [--partitions 20] [--assignor range] [--rounds 3] [--fake]
//
// Without --bootstrap it starts an in-process broker on an ephemeral port with a temp log dir;
// --fake uses the in-process fake coordinator from the client tests (client cost only).
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '../src/admin/admin.ts';
import { GroupConsumer, type AssignorName } from '../src/consumer/group-consumer.ts';
import { Producer } from '../src/producer/producer.ts';

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    members: { type: 'string', default: '10' },
    partitions: { type: 'string', default: '20' },
    assignor: { type: 'string', default: 'range' },
    rounds: { type: 'string', default: '3' },
    fake: { type: 'boolean', default: false },
  },
});
const DEADLINE_MS = 60_000;

interface Target { bootstrap: string; createTopic(name: string, partitions: number): Promise<void>; close(): Promise<void> }

async function target(): Promise<Target> {
  if (args.fake) {
    const { FakeCluster } = await import('../test/fake-cluster.ts');
    const { FakeGroupCoordinator } = await import('../test/fake-group-coordinator.ts');
    const c = await new FakeCluster().start();
    const gc = new FakeGroupCoordinator(c);
    return { bootstrap: c.bootstrap, createTopic: async (n, p) => c.createTopic(n, p), close: async () => { gc.close(); await c.close(); } };
  }
  let bootstrap = args.bootstrap;
  let stop = async (): Promise<void> => undefined;
  if (bootstrap === undefined) {
    const { startBroker } = (await import('@tributary/broker' as string)) as { startBroker: (p: Record<string, string>) => Promise<{ listeners: Array<{ host: string; port: number }>; close(): Promise<void> | void }> };
    const dir = mkdtempSync(join(tmpdir(), 'tributary-group-bench-'));
    const broker = await startBroker({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'broker.id': '1', 'offsets.topic.replication.factor': '1' });
    bootstrap = `${broker.listeners[0]!.host}:${broker.listeners[0]!.port}`;
    stop = async () => { await broker.close(); rmSync(dir, { recursive: true, force: true }); };
  }
  const admin = new Admin({ bootstrapServers: bootstrap });
  await admin.connect();
  return {
    bootstrap,
    createTopic: (topic, numPartitions) => admin.createTopics([{ topic, numPartitions, replicationFactor: 1 }]),
    close: async () => { await admin.close(); await stop(); },
  };
}

function member(bootstrap: string, groupId: string): GroupConsumer {
  return new GroupConsumer({
    bootstrapServers: bootstrap, groupId, maxWaitMs: 50, heartbeatIntervalMs: 200, sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000, autoOffsetReset: 'earliest', assignors: [args.assignor as AssignorName],
  });
}

async function joinToStable(t: Target, topic: string, round: number): Promise<number> {
  const n = Number(args.members);
  const partitions = Number(args.partitions);
  const consumers = Array.from({ length: n }, () => member(t.bootstrap, `bench-join-${round}`));
  await Promise.all(consumers.map((c) => c.connect()));
  for (const c of consumers) c.subscribe([topic]);
  const stable = (): boolean => {
    const owned = consumers.reduce((sum, c) => sum + c.assignment().length, 0);
    return owned === partitions && new Set(consumers.map((c) => c.generationId)).size === 1 && consumers[0]!.generationId > 0;
  };
  const start = performance.now();
  const deadline = Date.now() + DEADLINE_MS;
  let done = false;
  let elapsed = -1;
  await Promise.all(consumers.map(async (c) => {
    while (!done && Date.now() < deadline) {
      await c.poll();
      if (!done && stable()) { done = true; elapsed = performance.now() - start; }
    }
  }));
  await Promise.all(consumers.map((c) => c.close()));
  return elapsed;
}

async function subscribeToFirstRecord(t: Target, topic: string, round: number): Promise<number> {
  const c = member(t.bootstrap, `bench-first-${round}`);
  await c.connect();
  const start = performance.now();
  c.subscribe([topic]);
  const deadline = Date.now() + DEADLINE_MS;
  let elapsed = -1;
  while (Date.now() < deadline) {
    if ((await c.poll()).length > 0) { elapsed = performance.now() - start; break; }
  }
  await c.close();
  return elapsed;
}

const t = await target();
try {
  const partitions = Number(args.partitions);
  await t.createTopic('bench-group', partitions);
  await t.createTopic('bench-first', 1);
  const p = new Producer({ bootstrapServers: t.bootstrap, lingerMs: 1 });
  await p.connect();
  await p.send({ topic: 'bench-first', messages: [{ value: 'x', partition: 0 }] });
  await p.close();
  const rounds = Number(args.rounds);
  const join: number[] = [];
  const first: number[] = [];
  for (let r = 0; r < rounds; r++) {
    join.push(await joinToStable(t, 'bench-group', r));
    first.push(await subscribeToFirstRecord(t, 'bench-first', r));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({
    bench: 'group', target: args.fake ? 'fake' : 'broker', members: Number(args.members), partitions, assignor: args.assignor, rounds,
    joinToStableMs: { median: +median(join).toFixed(1), all: join.map((x) => +x.toFixed(1)) },
    subscribeToFirstRecordMs: { median: +median(first).toFixed(1), all: first.map((x) => +x.toFixed(1)) },
  }));
} finally {
  await t.close();
}
