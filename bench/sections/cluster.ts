/**
 * Cluster figures (issue 4): a real ZooKeeper and three brokers as child processes
 * (tests/cluster/process-cluster.ts), zookeeper.session.timeout.ms at its default (6000).
 * - failover: SIGKILL of a partition's leader (RF=3, min.insync.replicas=2) to the next acks=all
 *   produce that succeeds, with our Producer sending one record at a time (retries, 100 ms
 *   backoff); median of `failoverReps`; target <= session timeout + 2000 ms. The killed broker is
 *   relaunched and back in the ISR before the next rep.
 * - throughput: kcat (acks=all, bench's producer flags) writing `records` x `recordBytes` to a
 *   fresh RF=1 topic and a fresh RF=3 topic on the same three brokers, `partitions` partitions
 *   each; the RF=3/RF=1 msg/s ratio, target >= 0.4.
 */
import { Producer } from '@tributary/client';
import { waitFor } from '../../tests/helpers/broker-process.ts';
import { ProcessCluster } from '../../tests/cluster/process-cluster.ts';
import { round, runTimed } from '../lib/proc.ts';
import { KCAT_PRODUCER_FLAGS } from './throughput.ts';

export const SESSION_TIMEOUT_MS = 6000;
export const FAILOVER_TARGET_MS = SESSION_TIMEOUT_MS + 2000;
export const RF_RATIO_TARGET = 0.4;
const FAILOVER_DEADLINE_MS = 60_000;

export interface ClusterOptions {
  file: string;
  records: number;
  recordBytes: number;
  partitions: number;
  failoverReps: number;
  log: (msg: string) => void;
}

export interface ClusterResult {
  sessionTimeoutMs: number;
  failoverMs: { median: number; all: number[]; target: number; pass: boolean };
  throughput: { records: number; recordBytes: number; partitions: number; rf1MsgPerSec: number; rf3MsgPerSec: number; ratio: number; target: number; pass: boolean };
}

async function oneFailover(c: ProcessCluster, topic: string): Promise<number> {
  await c.createTopic(topic, 1, 3, { 'min.insync.replicas': '2' });
  const { leader } = await c.partition(topic, 0);
  const producer = new Producer({ bootstrapServers: c.bootstrap, acks: -1, lingerMs: 0, retries: 1000, retryBackoffMs: 100, requestTimeoutMs: 3000, allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ partition: 0, value: 'warm-up' }] });
    await c.kill(leader);
    const killedAt = performance.now();
    for (;;) {
      if (performance.now() - killedAt > FAILOVER_DEADLINE_MS) throw new Error(`no acks=all produce within ${FAILOVER_DEADLINE_MS} ms of the kill`);
      try {
        await producer.send({ topic, messages: [{ partition: 0, value: 'after-kill' }] });
        return performance.now() - killedAt;
      } catch {
        // retries exhausted: send again until the deadline
      }
    }
  } finally {
    await producer.close();
    await c.relaunch(leader);
    await waitFor(`broker ${leader} back in the ISR`, async () => (await c.partition(topic, 0)).isr.length === 3, 60_000, 200);
  }
}

async function kcatMsgPerSec(c: ProcessCluster, topic: string, o: ClusterOptions): Promise<number> {
  const r = await runTimed('kcat', ['-b', c.bootstrap.join(','), '-P', '-t', topic, '-l', o.file, ...KCAT_PRODUCER_FLAGS], { timeoutMs: 600_000 });
  if (r.code !== 0 || /fail|error/i.test(r.stderr)) throw new Error(`kcat produce to ${topic} failed (code ${r.code}): ${r.stderr.slice(-2000)}`);
  return o.records / r.seconds;
}

export async function runCluster(o: ClusterOptions): Promise<ClusterResult> {
  const c = await ProcessCluster.start(3, { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'replica.lag.time.max.ms': '10000' }, '/bench');
  try {
    o.log(`cluster: 3 brokers, pids ${c.brokers.map((b) => b.pid).join(',')}`);
    const rates: Record<number, number> = {};
    for (const rf of [1, 3]) {
      const topic = `cluster-rf${rf}-${Date.now()}`;
      await c.createTopic(topic, o.partitions, rf);
      o.log(`cluster: kcat acks=all ${o.records} x ${o.recordBytes} B to RF=${rf}, ${o.partitions} partitions`);
      rates[rf] = await kcatMsgPerSec(c, topic, o);
    }
    const all: number[] = [];
    for (let i = 1; i <= o.failoverReps; i++) {
      o.log(`cluster: failover rep ${i} of ${o.failoverReps} (SIGKILL of the leader)`);
      all.push(Math.round(await oneFailover(c, `cluster-failover-${i}-${Date.now()}`)));
    }
    const sorted = [...all].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const ratio = rates[3]! / rates[1]!;
    return {
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      failoverMs: { median, all, target: FAILOVER_TARGET_MS, pass: median <= FAILOVER_TARGET_MS },
      throughput: {
        records: o.records, recordBytes: o.recordBytes, partitions: o.partitions,
        rf1MsgPerSec: Math.round(rates[1]!), rf3MsgPerSec: Math.round(rates[3]!), ratio: round(ratio, 2), target: RF_RATIO_TARGET, pass: ratio >= RF_RATIO_TARGET,
      },
    };
  } finally {
    await c.close();
  }
}

export function clusterSummary(r: ClusterResult): string {
  const f = r.failoverMs;
  const t = r.throughput;
  return [
    `Cluster (3 brokers, ZooKeeper, zookeeper.session.timeout.ms=${r.sessionTimeoutMs}):`,
    `  failover, SIGKILL of leader -> next acks=all produce: median ${f.median} ms (reps ${f.all.join(', ')}); target <= ${f.target} ms: ${f.pass ? 'PASS' : 'FAIL'}`,
    `  kcat acks=all ${t.records} x ${t.recordBytes} B, ${t.partitions} partitions: RF=1 ${t.rf1MsgPerSec} msg/s, RF=3 ${t.rf3MsgPerSec} msg/s; ratio ${t.ratio}; target >= ${t.target}: ${t.pass ? 'PASS' : 'FAIL'}`,
  ].join('\n');
}
