/**
 * Captures record batches written by real Kafka clients, as golden fixtures for
 * test/records/golden.test.ts. Run from the repo root:
 *   node --import tsx packages/protocol/scripts/capture-golden.ts [peersNodeModules]
 * Clients: kcat (librdkafka 2.0.2), kafkajs 2.2.4 (+ kafkajs-snappy, kafkajs-lz4, zstd via
 * zstd-napi) from the peers cache, kafka-python 2.0.2 through /usr/bin/python3. Each produces a
 * known set of records to a fake broker (golden-fake-broker.ts) that records the Produce
 * requests; each partition's `records` bytes become <client>-<codec>.bin with a JSON sidecar
 * holding the records we sent. Timestamps the client chose itself are stored as null plus the
 * capture's time window.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zstd from 'zstd-napi';
import { startFakeBroker } from './golden-fake-broker.ts';
import type { CapturedProduce, FakeBroker } from './golden-fake-broker.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(HERE, '..', 'test', 'records', 'golden');
const PEERS = process.argv[2] ?? '/work/peers-cache/.peers/node_modules';
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
type Codec = (typeof CODECS)[number];
const CLIENT_TIMEOUT_MS = 30_000;
const BIG_VALUE = 'The quick brown fox jumps over the lazy dog. '.repeat(80);

interface ExpectedRecord {
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
  timestamp: number | null;
}

interface Sidecar {
  client: string;
  clientVersion: string;
  codec: Codec;
  topic: string;
  produceVersion: number;
  clientId: string | null;
  capturedAtMs: [number, number];
  records: ExpectedRecord[];
}

function run(cmd: string, args: string[], stdin: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'inherit', 'inherit'], env });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} timed out`)); }, CLIENT_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with ${code}`));
    });
    child.stdin.end(stdin);
  });
}

const KCAT_HEADERS: [string, string][] = [['h1', 'v1'], ['trace-id', 'abc-123']];
const KCAT_RECORDS: ExpectedRecord[] = [
  { key: 'key1', value: 'value one', headers: KCAT_HEADERS, timestamp: null },
  { key: 'key2', value: 'välue twö', headers: KCAT_HEADERS, timestamp: null },
  { key: 'big', value: BIG_VALUE, headers: KCAT_HEADERS, timestamp: null },
  { key: '', value: 'empty key', headers: KCAT_HEADERS, timestamp: null },
];

async function captureKcat(port: number, codec: Codec, topic: string): Promise<ExpectedRecord[]> {
  const lines = KCAT_RECORDS.map((r) => `${r.key}:${r.value}`).join('\n') + '\n';
  const args = ['-P', '-b', `127.0.0.1:${port}`, '-t', topic, '-K:', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=200'];
  for (const [k, v] of KCAT_HEADERS) args.push('-H', `${k}=${v}`);
  await run('kcat', args, lines);
  return KCAT_RECORDS;
}

const FIXED_TS = 1_700_000_000_000;
const JS_RECORDS: ExpectedRecord[] = [
  { key: 'key1', value: 'value one', headers: [['h1', 'v1'], ['h2', 'second']], timestamp: FIXED_TS + 1 },
  { key: null, value: 'null key', headers: [], timestamp: FIXED_TS + 2 },
  { key: 'tombstone', value: null, headers: [], timestamp: FIXED_TS + 3 },
  { key: 'big', value: BIG_VALUE, headers: [['ünï', 'cödé']], timestamp: FIXED_TS + 1000 },
  { key: 'earlier', value: 'older timestamp', headers: [], timestamp: FIXED_TS - 5000 },
];

function zstdKafkajsCodec() {
  return () => ({
    compress: async (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer),
    decompress: async (buffer: Buffer) => zstd.decompress(buffer),
  });
}

async function captureKafkajs(port: number, codec: Codec, topic: string): Promise<ExpectedRecord[]> {
  const req = createRequire(path.join(PEERS, 'noop.js'));
  const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = req('kafkajs');
  CompressionCodecs[CompressionTypes.Snappy] = req('kafkajs-snappy');
  const Lz4Codec = req('kafkajs-lz4');
  CompressionCodecs[CompressionTypes.LZ4] = new (Lz4Codec.default ?? Lz4Codec)().codec;
  CompressionCodecs[CompressionTypes.ZSTD] = zstdKafkajsCodec();
  const types: Record<Codec, number> = {
    none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD,
  };
  const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.WARN });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({
    topic,
    compression: types[codec],
    messages: JS_RECORDS.map((r) => ({
      key: r.key,
      value: r.value,
      timestamp: String(r.timestamp),
      headers: Object.fromEntries(r.headers),
    })),
  });
  await producer.disconnect();
  return JS_RECORDS;
}

const PY_BIG_REPEAT = 20;
const PY_BIG_VALUE = BIG_VALUE.repeat(PY_BIG_REPEAT);
const PY_RECORDS: ExpectedRecord[] = [
  { key: 'key1', value: 'value one', headers: [['h1', 'v1']], timestamp: FIXED_TS + 1 },
  { key: null, value: 'null key', headers: [['empty', '']], timestamp: FIXED_TS + 2 },
  { key: 'tombstone', value: null, headers: [], timestamp: FIXED_TS + 3 },
  { key: 'big', value: PY_BIG_VALUE, headers: [], timestamp: FIXED_TS + 4 },
];

async function capturePython(port: number, codec: Codec, topic: string): Promise<ExpectedRecord[]> {
  // The big value is rebuilt in Python so the command line stays short.
  const enc = (s: string | null) => (s === null ? 'None' : s === PY_BIG_VALUE ? 'BIG' : `${JSON.stringify(s)}.encode()`);
  const sends = PY_RECORDS.map((r) => {
    const headers = r.headers.map(([k, v]) => `(${JSON.stringify(k)}, ${enc(v)})`).join(', ');
    return `p.send(${JSON.stringify(topic)}, key=${enc(r.key)}, value=${enc(r.value)}, headers=[${headers}], timestamp_ms=${r.timestamp})`;
  });
  const script = [
    'from kafka import KafkaProducer',
    `BIG = (${JSON.stringify(BIG_VALUE)} * ${PY_BIG_REPEAT}).encode()`,
    `p = KafkaProducer(bootstrap_servers='127.0.0.1:${port}', api_version=(2, 5, 0), linger_ms=200, batch_size=1000000,` +
      ` compression_type=${codec === 'none' ? 'None' : `'${codec}'`}, client_id='golden-kafka-python')`,
    ...sends,
    'p.flush()',
    'p.close()',
  ].join('\n');
  await run('/usr/bin/python3', ['-c', script], '');
  return PY_RECORDS;
}

type Capture = (port: number, codec: Codec, topic: string) => Promise<ExpectedRecord[]>;
const CLIENTS: { name: string; version: string; capture: Capture }[] = [
  { name: 'kcat', version: 'kcat 1.7.1 / librdkafka 2.0.2', capture: captureKcat },
  { name: 'kafkajs', version: 'kafkajs 2.2.4 (kafkajs-snappy 1.1.0, kafkajs-lz4 1.2.1, zstd-napi codec)', capture: captureKafkajs },
  { name: 'kafka-python', version: 'kafka-python 2.0.2 (Debian)', capture: capturePython },
];

function save(name: string, batches: CapturedProduce[], sidecar: Sidecar): void {
  if (batches.length !== 1) throw new Error(`${name}: expected one Produce partition, got ${batches.length}`);
  fs.writeFileSync(path.join(OUT_DIR, `${name}.bin`), batches[0]!.records);
  fs.writeFileSync(path.join(OUT_DIR, `${name}.json`), JSON.stringify(sidecar, null, 2) + '\n');
}

async function captureOne(broker: FakeBroker, client: (typeof CLIENTS)[number], codec: Codec): Promise<void> {
  const name = `${client.name}-${codec}`;
  const topic = `golden-${name}`;
  const start = Date.now();
  const records = await client.capture(broker.port, codec, topic);
  const end = Date.now();
  const batches = broker.captured.filter((c) => c.topic === topic);
  save(name, batches, {
    client: client.name, clientVersion: client.version, codec, topic,
    produceVersion: batches[0]?.produceVersion ?? -1, clientId: batches[0]?.clientId ?? null,
    capturedAtMs: [start, end], records,
  });
  process.stdout.write(`captured ${name}: ${batches[0]!.records.length} bytes, Produce v${batches[0]!.produceVersion}\n`);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const broker = await startFakeBroker();
  const only = process.env.GOLDEN_ONLY; // e.g. "kafkajs" to re-capture one client
  try {
    for (const client of CLIENTS) {
      if (only !== undefined && only !== client.name) continue;
      for (const codec of CODECS) {
        try {
          await captureOne(broker, client, codec);
        } catch (err) {
          process.stderr.write(`FAILED ${client.name}-${codec}: ${(err as Error).message}\n`);
        }
      }
    }
  } finally {
    await broker.close();
  }
}

await main();
