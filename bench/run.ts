// `npm run bench`: the broker's benchmark, with its yardsticks measured in the same run.
//
//   npm run bench [-- --quick] [--reps 3] [--sections loopback,mock,kcat,client,latency,group,registry,cluster] [--count N]
//                 [--sizes 1024,100] [--partitions 256] [--latency-rate 5000] [--latency-seconds 5]
//                 [--loopback-seconds 3] [--group-delays 3000,0] [--cluster-records 200000] [--profile] [--set key=value ...] [--no-save]
//
// Sections: loopback = raw Node loopback TCP (scale); mock = kcat -> librdkafka mock cluster;
// kcat = kcat -> our broker; client = our TypeScript client -> our broker; latency = end-to-end
// and produce-ack latency at light load; group = a 10-member group's first JoinGroup to Stable and
// subscribe to first record, per group.initial.rebalance.delay.ms in --group-delays. registry = register/lookup latency and
// serde encode/decode throughput per format (broker and registry in-process). cluster = ZooKeeper + 3 broker processes:
// leader failover time (SIGKILL to the next acks=all produce) and RF=3/RF=1 acks=all throughput with kcat. Results: bench/results/<timestamp>.json and latest.json,
// and a summary with PASS/FAIL (throughput: median of --reps runs, 3 by default, 1 with --quick) per goal on stdout. Exit code 0 whatever the verdicts (1 only if
// a section could not run). `--profile` runs the broker under `node --cpu-prof` and prints its
// hottest functions. Every phase uses a fresh topic; the broker gets a fresh data directory.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { computeChecks, medianPhases, summary } from './lib/report.ts';
import { inclusiveTop, summariseProfile, type ProfileEntry } from './lib/profile.ts';
import { MockCluster, OurBroker, type Target } from './lib/targets.ts';
import { BENCH_DIR } from './lib/worker.ts';
import { clusterSummary, runCluster, type ClusterResult } from './sections/cluster.ts';
import { runGroup, type GroupTimings } from './sections/group.ts';
import { runLatency, type LatencyResult } from './sections/latency.ts';
import { registrySummary, runRegistry, type RegistryResult } from './sections/registry.ts';
import { runLoopback, runPageCacheWrite, type LoopbackResult, type PageCacheResult } from './sections/loopback.ts';
import {
  clientConsume, clientProduce, kcatConsume, kcatProduce, recordFile, KCAT_CONSUMER_FLAGS, KCAT_PRODUCER_FLAGS, type PhaseResult,
} from './sections/throughput.ts';

const ALL_SECTIONS = ['loopback', 'mock', 'kcat', 'client', 'latency', 'group', 'registry', 'cluster'] as const;
type Section = (typeof ALL_SECTIONS)[number];
const DURABILITY = 'acks=all, single replica; the broker acknowledges after the write reaches the page cache (no fsync: log.flush.interval.messages/ms at defaults); the mock keeps records in memory';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    sections: { type: 'string', default: ALL_SECTIONS.join(',') },
    count: { type: 'string' },
    sizes: { type: 'string', default: '1024,100' },
    partitions: { type: 'string', default: '256' },
    'latency-rate': { type: 'string', default: '5000' },
    'latency-seconds': { type: 'string', default: '5' },
    'loopback-seconds': { type: 'string', default: '3' },
    // Kafka's default (3000) and 0: the delay dominates join-to-stable, so both are reported.
    'group-delays': { type: 'string', default: '3000,0' },
    'cluster-records': { type: 'string' },
    profile: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
    'no-save': { type: 'boolean', default: false },
  },
});

const sections = new Set(args.sections.split(',').map((s) => s.trim()).filter(Boolean));
for (const s of sections) if (!(ALL_SECTIONS as readonly string[]).includes(s)) throw new Error(`unknown section ${s}; choose from ${ALL_SECTIONS.join(',')}`);
const has = (s: Section): boolean => sections.has(s);
const count = Number(args.count ?? (args.quick ? 100_000 : 1_000_000));
const reps = Number(args.reps ?? (args.quick ? 1 : 3));
const sizes = args.sizes.split(',').map(Number);
const partitions = Number(args.partitions);
const brokerConfig = Object.fromEntries(args.set.map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1)]; }));

/** Every phase of every rep; the summary and ratios use the median rep of each phase. */
const phases: PhaseResult[] = [];
let rep = 1;
const record = (p: PhaseResult): void => { phases.push({ ...p, rep }); };
const errors: string[] = [];
let loopback: LoopbackResult | undefined;
let pageCache: PageCacheResult | undefined;
let latency: LatencyResult | undefined;
const group: GroupTimings[] = [];
let registry: RegistryResult | undefined;
let cluster: ClusterResult | undefined;
const profiles: Record<string, ProfileSummary | string> = {};

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function section(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const msg = `${name}: ${(e as Error).message}`.slice(0, 4000);
    errors.push(msg);
    log(`ERROR ${msg}`);
  }
}

function machine(): Record<string, unknown> {
  const kcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version,
    librdkafka: /librdkafka version ([\d.]+)/.exec(kcat.stdout + kcat.stderr)?.[1] ?? null, loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

async function kcatPhases(target: Target, file: (size: number) => string, prefix: string, size: number): Promise<void> {
  const topic = `${prefix}-${size}-${Date.now()}`;
  await target.createTopic(topic, partitions);
  log(`kcat -> ${target.name}: produce ${count} x ${size} B`);
  record(await kcatProduce(target, topic, file(size), count, size));
  log(`kcat -> ${target.name}: consume`);
  record(await kcatConsume(target, topic, count, size));
}

interface ProfileSummary {
  path: string;
  self: ProfileEntry[];
  inclusive: ProfileEntry[];
}

/** tsx's loader runs in a worker thread that writes its own small profile: take the largest. */
function profileOf(dir: string): ProfileSummary | string {
  const prof = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
    .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  if (prof === undefined) return `no .cpuprofile written in ${dir} (broker did not exit cleanly?)`;
  const path = join(dir, prof);
  return { path, self: summariseProfile(path, 30), inclusive: inclusiveTop(path, 40) };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const info = machine();
  const tmp = mkdtempSync(join(tmpdir(), 'tributary-bench-run-'));
  const files = new Map<number, string>();
  const file = (size: number): string => {
    let f = files.get(size);
    if (f === undefined) files.set(size, (f = recordFile(tmp, count, size)));
    return f;
  };
  const profRoot = args.profile ? join(BENCH_DIR, 'results', 'profiles', startedAt.toISOString().replace(/[:.]/g, '-')) : undefined;
  try {
    if (has('loopback')) await section('loopback', async () => {
      log('raw loopback TCP');
      loopback = await runLoopback(Number(args['loopback-seconds']));
      log('page-cache write ceiling (1 GiB, 64 KiB writes over 256 files)');
      pageCache = runPageCacheWrite(tmp, args.quick ? 256 << 20 : 1 << 30);
    });
    // A fresh broker (and data directory) per block: each block starts from an empty log, and the
    // previous block's page cache is freed rather than piling up dirty pages.
    const withBroker = (block: string, fn: (b: OurBroker) => Promise<void>, config: Record<string, string> = {}): Promise<void> => section(block, async () => {
      const dir = profRoot ? join(profRoot, `${block}-rep${rep}`) : undefined;
      if (dir) mkdirSync(dir, { recursive: true });
      const broker = await OurBroker.start({ config: { ...brokerConfig, ...config }, cpuProfDir: dir });
      log(`${block}: broker pid ${broker.pid} on ${broker.bootstrap}`);
      try { await fn(broker); } finally { await broker.stop(); }
      if (dir) profiles[`${block}-rep${rep}`] = profileOf(dir);
    });
    // Reps interleave the servers so that a noisy minute on the shared machine hits both.
    for (rep = 1; rep <= reps; rep++) {
      if (reps > 1) log(`rep ${rep} of ${reps}`);
      if (has('mock')) await section('mock', async () => {
        const mock = await MockCluster.start();
        try { for (const size of sizes) await kcatPhases(mock, file, 'mock', size); } finally { await mock.stop(); }
      });
      for (const size of sizes) {
        if (has('kcat')) await withBroker(`kcat-${size}`, (b) => kcatPhases(b, file, 'kcat', size));
        if (has('client')) await withBroker(`client-${size}`, async (broker) => {
          const topic = `client-${size}-${Date.now()}`;
          await broker.createTopic(topic, partitions);
          log(`our client -> tributary: produce ${count} x ${size} B`);
          record(await clientProduce(broker, topic, count, size));
          log('our client -> tributary: consume');
          record(await clientConsume(broker, topic, partitions, count, size));
        });
      }
    }
    rep = 1;
    if (has('latency')) await withBroker('latency', async (broker) => {
      log(`latency: 1 KiB at ${args['latency-rate']} msg/s for ${args['latency-seconds']} s`);
      latency = await runLatency(broker, `latency-${Date.now()}`, Number(args['latency-rate']), Number(args['latency-seconds']));
    });
    // One broker per delay; the reps are fresh groups on it (group.bench.ts --rounds), median kept.
    if (has('group')) {
      for (const delay of args['group-delays'].split(',').map(Number)) {
        await withBroker(`group-delay-${delay}`, async (broker) => {
          log(`group: 10 members, 20 partitions, group.initial.rebalance.delay.ms=${delay}, ${reps} round(s)`);
          try {
            group.push(await runGroup(broker, delay, { rounds: reps }));
          } catch (e) {
            throw new Error(`${(e as Error).message}\nbroker output (tail):\n${broker.log.slice(-3000)}`);
          }
        }, { 'group.initial.rebalance.delay.ms': String(delay), 'offsets.topic.replication.factor': '1' });
      }
    }
    // Registry latency and serde throughput: broker and registry in-process (sections/registry.ts).
    if (has('registry')) await section('registry', async () => {
      log('registry: register/lookup latency, serde throughput per format (broker + registry in-process)');
      registry = await runRegistry({ registerCount: 200, serdeRecords: args.quick ? 50_000 : 200_000 });
    });
    // Cluster: its own ZooKeeper and three broker processes (sections/cluster.ts).
    if (has('cluster')) await section('cluster', async () => {
      const records = Number(args['cluster-records'] ?? (args.quick ? 50_000 : 200_000));
      cluster = await runCluster({ file: recordFile(tmp, records, 1024), records, recordBytes: 1024, partitions: 12, failoverReps: 3, log });
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const medians = medianPhases(phases);
  const { ratios, checks } = computeChecks(medians, sizes);
  const result = {
    startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: info,
    settings: {
      records: count, reps, sizes, partitions, sections: [...sections], durability: DURABILITY,
      kcatProducerFlags: KCAT_PRODUCER_FLAGS.filter((f) => f !== '-X'), kcatConsumerFlags: KCAT_CONSUMER_FLAGS.filter((f) => f !== '-X'),
      ourClient: 'Producer linger 10 ms, batch 1 MB, 5 in flight, send() of 1000 records x 64 outstanding; Consumer 1 MiB per partition, 50 MiB per fetch',
      brokerConfig, units: 'MB = 10^6 bytes of record payload; CPU in CPU-seconds (user+system)',
    },
    limits: { loopback, pageCache }, phases: medians, allReps: phases, latency, group, registry, cluster, ratios, checks, errors, ...(profRoot ? { profiles } : {}),
  };
  if (!args['no-save']) {
    const dir = join(BENCH_DIR, 'results');
    mkdirSync(dir, { recursive: true });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const name = `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
    writeFileSync(join(dir, name), json);
    writeFileSync(join(dir, 'latest.json'), json);
    log(`results: bench/results/${name} (and latest.json)`);
  }
  console.log(summary({ loopback, pageCache, phases: medians, latency, group, checks, reps, durability: DURABILITY, records: count, partitions, errors }));
  if (registry) console.log(`\n${registrySummary(registry)}`);
  if (cluster) console.log(`\n${clusterSummary(cluster)}`);
  for (const [block, p] of Object.entries(profiles)) {
    if (typeof p === 'string') { console.log(`\nProfile ${block}: ${p}`); continue; }
    console.log(`\nBroker CPU profile, block ${block} (${p.path}), top self time (self % / inclusive %):`);
    for (const e of p.self.slice(0, 12)) console.log(`  ${String(e.selfPct).padStart(5)}% ${String(e.totalPct).padStart(5)}%  ${e.fn}`);
  }
  process.exitCode = errors.length > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
