/**
 * Schema Registry (issue 6): register and lookup latency, and serde encode/decode throughput.
 *
 * Setup: broker (`startBroker`, fresh temp log dir) and registry (`startRegistry`) both run IN THE
 * BENCH PROCESS on ephemeral loopback ports, so each latency is a full HTTP round trip (and, for
 * register, a `_schemas` produce) whose server work shares this one event loop with the client.
 * In-process rather than `tributary start`, so the section does not depend on the CLI's roles or
 * on port 8081 being free.
 *
 * - register: `registerCount` distinct Avro schemas, each under its own subject, one at a time
 *   (each is a `_schemas` write acknowledged by the broker before the registry answers).
 * - lookup uncached: `POST /subjects/{s}` and `GET /schemas/ids/{id}` with the client's caches cleared
 *   before every call; lookup cached: the same calls answered from the client's cache.
 * - serde: a 7-field event (string, long, string, enum, double, int, boolean) through the async
 *   serialize()/deserialize() of each format, one record at a time, on this one core, the schema
 *   id already cached (so no registry traffic). JSON serialize validates with ajv; JSON deserialize
 *   does not (the default); Protobuf serialize verifies, deserialize returns protobufjs messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startBroker } from '@tributary/broker';
import { startRegistry, type Registry } from '@tributary/registry';
import {
  AvroDeserializer, AvroSerializer, JsonDeserializer, JsonSerializer, ProtobufDeserializer, ProtobufSerializer, SchemaRegistryClient,
} from '../../packages/client/src/serdes/index.ts';
import { percentile, round } from '../lib/proc.ts';

export interface LatencyStats { count: number; p50Ms: number; p99Ms: number; meanMs: number }
export interface SerdeThroughput { format: string; records: number; bytesPerRecord: number; encodePerSec: number; decodePerSec: number }
export interface RegistryResult {
  setup: string;
  register: LatencyStats;
  lookupUncached: LatencyStats;
  getByIdUncached: LatencyStats;
  /** Cached answers: mean per call over `count` calls, in microseconds. */
  lookupCachedUs: number;
  getByIdCachedUs: number;
  serde: SerdeThroughput[];
}

export interface RegistryBenchOptions { registerCount: number; serdeRecords: number }

const EVENT_AVRO = {
  type: 'record', name: 'Event', namespace: 'bench',
  fields: [
    { name: 'id', type: 'string' }, { name: 'ts', type: 'long' }, { name: 'user', type: 'string' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['VIEW', 'CLICK', 'BUY'] } },
    { name: 'amount', type: 'double' }, { name: 'count', type: 'int' }, { name: 'ok', type: 'boolean' },
  ],
};
const EVENT_JSON = {
  type: 'object', title: 'bench.Event', additionalProperties: false,
  properties: {
    id: { type: 'string' }, ts: { type: 'integer' }, user: { type: 'string' }, kind: { enum: ['VIEW', 'CLICK', 'BUY'] },
    amount: { type: 'number' }, count: { type: 'integer' }, ok: { type: 'boolean' },
  },
  required: ['id', 'ts', 'user', 'kind', 'amount', 'count', 'ok'],
};
const EVENT_PROTO = `syntax = "proto3";
package bench;
message Event {
  string id = 1; int64 ts = 2; string user = 3; Kind kind = 4; double amount = 5; int32 count = 6; bool ok = 7;
  enum Kind { VIEW = 0; CLICK = 1; BUY = 2; }
}
`;
const DISTINCT_VALUES = 1024;

function values(enumAsNumber: boolean): Array<Record<string, unknown>> {
  return Array.from({ length: DISTINCT_VALUES }, (_, i) => ({
    id: `evt-${i.toString(16).padStart(8, '0')}`, ts: 1_700_000_000_000 + i, user: `user-${i % 97}`,
    kind: enumAsNumber ? i % 3 : ['VIEW', 'CLICK', 'BUY'][i % 3], amount: i * 1.25, count: i, ok: (i & 1) === 0,
  }));
}

function stats(samplesMs: number[]): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { count: sorted.length, p50Ms: round(percentile(sorted, 0.5), 3), p99Ms: round(percentile(sorted, 0.99), 3), meanMs: round(mean, 3) };
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

function distinctSchema(i: number): string {
  return JSON.stringify({ type: 'record', name: `R${i}`, namespace: 'bench.reg', fields: [{ name: `f${i}`, type: 'string' }, { name: 'n', type: 'long' }] });
}

async function serdeThroughput(
  format: string, records: number, vals: Array<Record<string, unknown>>,
  ser: { serialize(topic: string, v: unknown): Promise<Buffer> }, de: { deserialize(b: Uint8Array): Promise<unknown> },
): Promise<SerdeThroughput> {
  const topic = `bench-serde-${format.toLowerCase()}`;
  const encoded: Buffer[] = [];
  for (let i = 0; i < DISTINCT_VALUES; i++) encoded.push(await ser.serialize(topic, vals[i]));
  for (let i = 0; i < DISTINCT_VALUES; i++) await de.deserialize(encoded[i]!);
  let t = performance.now();
  for (let i = 0; i < records; i++) await ser.serialize(topic, vals[i & (DISTINCT_VALUES - 1)]);
  const encodeSec = (performance.now() - t) / 1000;
  t = performance.now();
  for (let i = 0; i < records; i++) await de.deserialize(encoded[i & (DISTINCT_VALUES - 1)]!);
  const decodeSec = (performance.now() - t) / 1000;
  const bytes = encoded.reduce((s, b) => s + b.length, 0) / encoded.length;
  return { format, records, bytesPerRecord: round(bytes, 1), encodePerSec: Math.round(records / encodeSec), decodePerSec: Math.round(records / decodeSec) };
}

const REGISTRY_START_TIMEOUT_MS = 60_000;

/** Starts the registry and waits until it is the elected leader (writes before that are refused or forwarded nowhere). */
async function startLeader(bootstrap: string): Promise<Registry> {
  const deadline = Date.now() + REGISTRY_START_TIMEOUT_MS;
  let registry: Registry | undefined;
  for (;;) {
    try {
      registry = await startRegistry({ bootstrapServers: bootstrap, listeners: 'http://127.0.0.1:0', replicationFactor: 1, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300 });
      break;
    } catch (e) {
      // the broker child can still be settling just after its first accepted connection
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  while (!registry.isLeader()) {
    if (Date.now() > deadline) { await registry.close(); throw new Error(`registry not leader after ${REGISTRY_START_TIMEOUT_MS} ms`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return registry;
}

export async function runRegistry(opts: RegistryBenchOptions): Promise<RegistryResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-registry-'));
  let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
  let registry: Registry | undefined;
  try {
    broker = await startBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'broker.id': '1', 'num.partitions': '1',
      'offsets.topic.replication.factor': '1', 'group.initial.rebalance.delay.ms': '0',
    }, { log: silentLogger });
    registry = await startLeader(`127.0.0.1:${broker.listeners[0]!.port}`);
    return await measure(registry, opts);
  } finally {
    await registry?.close().catch(() => undefined);
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(registry: Registry, opts: RegistryBenchOptions): Promise<RegistryResult> {
  const client = new SchemaRegistryClient({ url: registry.url });
  const n = opts.registerCount;
  const ids: number[] = [];
  const register = await timeEach(n, async (i) => { ids.push(await client.register(`bench-reg-${i}-value`, { schema: distinctSchema(i) })); });
  const lookupUncached = await timeEach(n, (i) => { client.clearCaches(); return client.lookup(`bench-reg-${i}-value`, { schema: distinctSchema(i) }); });
  const getByIdUncached = await timeEach(n, (i) => { client.clearCaches(); return client.getSchemaById(ids[i]!); });
  for (let i = 0; i < n; i++) { await client.lookup(`bench-reg-${i}-value`, { schema: distinctSchema(i) }); await client.getSchemaById(ids[i]!); }
  const cachedCalls = 200_000;
  const schemas = Array.from({ length: n }, (_, i) => distinctSchema(i));
  let t = performance.now();
  for (let i = 0; i < cachedCalls; i++) await client.lookup(`bench-reg-${i % n}-value`, { schema: schemas[i % n]! });
  const lookupCachedUs = round(((performance.now() - t) * 1000) / cachedCalls, 3);
  t = performance.now();
  for (let i = 0; i < cachedCalls; i++) await client.getSchemaById(ids[i % n]!);
  const getByIdCachedUs = round(((performance.now() - t) * 1000) / cachedCalls, 3);

  const serde: SerdeThroughput[] = [];
  const plain = values(false);
  serde.push(await serdeThroughput('AVRO', opts.serdeRecords, plain, new AvroSerializer(client, { schema: EVENT_AVRO }), new AvroDeserializer(client)));
  serde.push(await serdeThroughput('JSON', opts.serdeRecords, plain, new JsonSerializer(client, { schema: EVENT_JSON }), new JsonDeserializer(client)));
  serde.push(await serdeThroughput('PROTOBUF', opts.serdeRecords, values(true), new ProtobufSerializer(client, { schema: EVENT_PROTO }), new ProtobufDeserializer(client)));
  return {
    setup: 'broker and registry in the bench process (one event loop, ephemeral loopback ports, fresh log dir); serdes: async API, one record at a time, one core, ids cached',
    register: stats(register), lookupUncached: stats(lookupUncached), getByIdUncached: stats(getByIdUncached), lookupCachedUs, getByIdCachedUs, serde,
  };
}

export function registrySummary(r: RegistryResult): string {
  const lat = (name: string, s: LatencyStats): string => `  ${name.padEnd(28)} p50 ${String(s.p50Ms).padStart(7)} ms   p99 ${String(s.p99Ms).padStart(7)} ms   (n=${s.count})`;
  const fmt = (x: number): string => x.toLocaleString('en-US').padStart(10);
  return [
    'Schema Registry (broker + registry in the bench process):',
    lat('register (new schema)', r.register),
    lat('lookup, uncached', r.lookupUncached),
    lat('schema by id, uncached', r.getByIdUncached),
    `  lookup, cached               ${r.lookupCachedUs} us/call; schema by id, cached ${r.getByIdCachedUs} us/call`,
    '  serde (7-field event, one core)      encode rec/s   decode rec/s   bytes/rec',
    ...r.serde.map((s) => `    ${s.format.padEnd(33)}${fmt(s.encodePerSec)}     ${fmt(s.decodePerSec)}     ${String(s.bytesPerRecord).padStart(6)}`),
  ].join('\n');
}
