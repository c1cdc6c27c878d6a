/**
 * Scenario (c): a fault loop of at least FAULT_LOOP_MS (default 60 s) under an acks=all producer
 * writing unique sequence numbers to 3 partitions (RF=3, min.insync.replicas=2). Each round picks a
 * random broker and either SIGKILLs it and relaunches it, or SIGSTOPs it and SIGCONTs it, after a
 * random pause (sometimes longer than the ZooKeeper session timeout, so a stopped broker's session
 * expires under it). One broker at most is down at a time: before the next fault the last victim
 * must be back in every ISR. Afterwards the checker reads everything and reports acknowledged,
 * lost, duplicated and unacknowledged-but-present counts; lost must be 0 and order must hold.
 * The seed is printed; FAULT_SEED=n replays a schedule.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/broker-process.ts';
import { ProcessCluster } from './process-cluster.ts';
import { SeqProducer, check, readAll } from './seq-workload.ts';

const TOPIC = 'fault-loop';
const PARTITIONS = 3;
const LOOP_MS = Number(process.env.FAULT_LOOP_MS ?? 60_000);
const SESSION_TIMEOUT_MS = 3000;
const PAUSE_MIN_MS = 500;
const PAUSE_MAX_MS = 5000;
const REJOIN_TIMEOUT_MS = 45_000;
let cluster: ProcessCluster | undefined;
after(async () => { await cluster?.close(); });

/** mulberry32: a small seeded generator so a failing schedule can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function inEveryIsr(c: ProcessCluster, id: number): Promise<boolean> {
  for (let p = 0; p < PARTITIONS; p++) {
    const v = await c.partition(TOPIC, p);
    if (v.leader < 0 || !v.isr.includes(id)) return false;
  }
  return true;
}

test(`fault loop: random SIGKILL/restart and SIGSTOP/SIGCONT for ${LOOP_MS / 1000} s loses no acknowledged record`, { timeout: LOOP_MS + 240_000 }, async () => {
  const seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = rng(seed);
  process.stderr.write(`# fault loop seed ${seed}\n`);
  cluster = await ProcessCluster.start(3, {
    'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '3000',
  });
  const c = cluster;
  await c.createTopic(TOPIC, PARTITIONS, 3);
  const producer = new SeqProducer({ bootstrap: c.bootstrap, topic: TOPIC, partitions: PARTITIONS });
  await producer.start();
  const faults: string[] = [];
  try {
    await producer.waitForAcks(500, 30_000);
    const end = Date.now() + LOOP_MS;
    while (Date.now() < end) {
      const id = 1 + Math.floor(random() * 3);
      const kill = random() < 0.5;
      const pauseMs = PAUSE_MIN_MS + Math.floor(random() * (PAUSE_MAX_MS - PAUSE_MIN_MS));
      const ackedBefore = producer.ackedCount;
      if (kill) await c.kill(id);
      else c.pause(id);
      // The random pause between a fault and its repair is the point of the loop, not synchronisation.
      await new Promise((r) => setTimeout(r, pauseMs));
      if (kill) await c.relaunch(id);
      else c.resume(id);
      await waitFor(`broker ${id} back in every ISR`, () => inEveryIsr(c, id), REJOIN_TIMEOUT_MS, 200);
      faults.push(`${kill ? 'kill' : 'stop'}(${id},${pauseMs}ms,+${producer.ackedCount - ackedBefore})`);
    }
    await producer.waitForAcks(200, 30_000);
  } finally {
    await producer.stop();
  }
  const read = await readAll(c.bootstrap, TOPIC, PARTITIONS);
  const counts = check(producer.acked, read);
  const failedSends = producer.failed.reduce((n, f) => n + f.length, 0);
  process.stderr.write(`# fault loop: ${faults.length} faults: ${faults.join(' ')}\n`);
  process.stderr.write(`# fault loop counts: acknowledged=${counts.acknowledged} lost=${counts.lost} duplicated=${counts.duplicated} `
    + `unacknowledged-but-present=${counts.unacknowledgedPresent} order-violations=${counts.orderViolations} read=${counts.read} `
    + `unacknowledged(failed sends)=${failedSends} errors=${JSON.stringify(Object.fromEntries(producer.errors))} seed=${seed}\n`);
  assert.ok(faults.length >= 5, `only ${faults.length} faults in the loop`);
  assert.equal(counts.lost, 0, `lost acknowledged values (seed ${seed}), e.g. ${counts.lostSample.join(',')}`);
  assert.equal(counts.orderViolations, 0, `order violations (seed ${seed})`);
  assert.ok(counts.acknowledged > 0);
});
