// Produce N records of S bytes through our Producer, then consume them back with our Consumer,
// against a broker in another process. Prints one JSON line per record size.
//
//   node --import tsx packages/client/bench/produce-consume.bench.ts --bootstrap 127.0.0.1:9092 \
//     [--count 1000000] [--sizes 1024,100] [--partitions 1] [--compression none] [--acks -1]
//     [--send-batch 1000] [--window 64] [--linger-ms 5] [--batch-bytes 1048576] [--fake]
//
// --fake runs an in-process fake broker (client cost only; not a broker benchmark).
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Admin } from '../src/admin/admin.ts';
import { Consumer } from '../src/consumer/consumer.ts';
import { Producer, type CompressionName, type ProducerMessage } from '../src/producer/producer.ts';

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    count: { type: 'string', default: '1000000' },
    sizes: { type: 'string', default: '1024,100' },
    partitions: { type: 'string', default: '1' },
    compression: { type: 'string', default: 'none' },
    acks: { type: 'string', default: '-1' },
    'send-batch': { type: 'string', default: '1000' },
    window: { type: 'string', default: '64' },
    'linger-ms': { type: 'string', default: '5' },
    'batch-bytes': { type: 'string', default: String(1024 * 1024) },
    fake: { type: 'boolean', default: false },
  },
});

const MB = 1e6;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function produce(bootstrap: string, topic: string, count: number, size: number): Promise<{ seconds: number; latencies: Float64Array }> {
  const producer = new Producer({
    bootstrapServers: bootstrap, acks: Number(args.acks) as -1 | 0 | 1, compression: args.compression as CompressionName,
    lingerMs: Number(args['linger-ms']), batchBytes: Number(args['batch-bytes']), maxInFlight: 5,
  });
  await producer.connect();
  const value = randomBytes(size);
  const perSend = Number(args['send-batch']);
  const windowMax = Number(args.window);
  // One shared array of message objects: the producer encodes them at send time and keeps no reference.
  const messages: ProducerMessage[] = Array.from({ length: perSend }, () => ({ value }));
  const sends = Math.ceil(count / perSend);
  const latencies = new Float64Array(sends);
  let outstanding = 0;
  let waiting: (() => void) | null = null;
  let failure: unknown = null;
  const start = performance.now();
  for (let s = 0; s < sends; s++) {
    const n = Math.min(perSend, count - s * perSend);
    const t0 = performance.now();
    outstanding++;
    producer.send({ topic, messages: n === perSend ? messages : messages.slice(0, n) }).then(() => {
      latencies[s] = performance.now() - t0;
    }, (err: unknown) => { failure ??= err; }).finally(() => {
      outstanding--;
      waiting?.();
    });
    while (outstanding >= windowMax) await new Promise<void>((r) => (waiting = r));
    if (failure !== null) throw failure;
  }
  await producer.flush();
  while (outstanding > 0) await new Promise<void>((r) => (waiting = r));
  const seconds = (performance.now() - start) / 1000;
  if (failure !== null) throw failure;
  await producer.close();
  return { seconds, latencies: latencies.sort() };
}

async function consume(bootstrap: string, topic: string, partitions: number, count: number): Promise<{ seconds: number; bytes: number }> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, maxWaitMs: 100, partitionMaxBytes: 4 * 1024 * 1024 });
  await consumer.connect();
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
  let seen = 0;
  let bytes = 0;
  const start = performance.now();
  while (seen < count) {
    const records = await consumer.poll();
    seen += records.length;
    for (let i = 0; i < records.length; i++) bytes += records[i]!.value?.length ?? 0;
  }
  const seconds = (performance.now() - start) / 1000;
  await consumer.close();
  return { seconds, bytes };
}

async function main(): Promise<void> {
  let bootstrap = args.bootstrap;
  let closeFake: (() => Promise<void>) | null = null;
  let fake: { createTopic(name: string, partitions: number): void } | null = null;
  if (args.fake) {
    const { FakeCluster } = await import('../test/fake-cluster.ts');
    const cluster = await new FakeCluster().start();
    bootstrap = cluster.bootstrap;
    fake = cluster;
    closeFake = () => cluster.close();
  }
  if (bootstrap === undefined) throw new Error('--bootstrap host:port is required (or --fake)');
  const count = Number(args.count);
  const partitions = Number(args.partitions);
  for (const size of args.sizes.split(',').map(Number)) {
    const topic = `bench-${size}-${Date.now()}`;
    if (fake !== null) fake.createTopic(topic, partitions);
    else {
      const admin = new Admin({ bootstrapServers: bootstrap });
      await admin.connect();
      await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
      await admin.close();
    }
    const p = await produce(bootstrap, topic, count, size);
    const c = await consume(bootstrap, topic, partitions, count);
    console.log(JSON.stringify({
      recordBytes: size, count, partitions, compression: args.compression, acks: Number(args.acks), fake: args.fake,
      producedMsgPerSec: Math.round(count / p.seconds),
      producedMBPerSec: +((count * size) / MB / p.seconds).toFixed(1),
      consumedMsgPerSec: Math.round(count / c.seconds),
      consumedMBPerSec: +(c.bytes / MB / c.seconds).toFixed(1),
      produceLatencyMsP50: +percentile(p.latencies, 0.5).toFixed(2),
      produceLatencyMsP99: +percentile(p.latencies, 0.99).toFixed(2),
      produceLatencyUnit: `per send() of ${args['send-batch']} records`,
    }));
  }
  await closeFake?.();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
