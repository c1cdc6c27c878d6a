import * as net from 'node:net';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';

/**
 * A deliberately tiny Kafka broker used only to capture real clients' Produce requests for the
 * golden record-batch fixtures. It speaks just enough: ApiVersions v0-v3, Metadata v0-v5 (every
 * topic has one partition led by this broker), Produce v3-v7 (always success; v0-v2 are advertised for librdkafka's feature checks but never chosen). Everything is
 * hand-encoded so the capture does not depend on the generated codecs.
 */
export interface CapturedProduce {
  topic: string;
  partition: number;
  produceVersion: number;
  clientId: string | null;
  records: Buffer;
}

const API_PRODUCE = 0;
const API_FETCH = 1;
const API_METADATA = 3;
const API_VERSIONS = 18;
/**
 * Advertised ranges (Kafka 2.5's). Only Produce, Metadata and ApiVersions are served; the rest
 * are listed because librdkafka derives its codec support from them (it sends gzip, snappy and
 * lz4 uncompressed to a broker that lacks e.g. FindCoordinator, and needs Fetch v10 for zstd).
 */
const RANGES: [number, number, number][] = [
  [API_PRODUCE, 0, 7], [API_FETCH, 0, 10], [2, 0, 5], [API_METADATA, 0, 5], [8, 0, 8], [9, 0, 7],
  [10, 0, 3], [11, 0, 7], [12, 0, 4], [13, 0, 4], [14, 0, 5], [15, 0, 5], [16, 0, 3], [17, 0, 1],
  [API_VERSIONS, 0, 3], [19, 0, 5], [22, 0, 3],
];
const NODE_ID = 0;
const FRAME_BYTES_MAX = 64 * 1024 * 1024;

function apiVersionsBody(version: number, errorCode = 0): Writer {
  const w = new Writer();
  w.int16(errorCode);
  if (version >= 3) {
    w.unsignedVarint(RANGES.length + 1);
    for (const [key, min, max] of RANGES) w.int16(key).int16(min).int16(max).unsignedVarint(0);
    w.int32(0).unsignedVarint(0);
  } else {
    w.int32(RANGES.length);
    for (const [key, min, max] of RANGES) w.int16(key).int16(min).int16(max);
    if (version >= 1) w.int32(0);
  }
  return w;
}

function metadataBody(r: Reader, version: number, port: number): Writer {
  const count = r.int32();
  const topics: string[] = [];
  for (let i = 0; i < count; i++) topics.push(r.string());
  const w = new Writer();
  if (version >= 3) w.int32(0);
  w.int32(1).int32(NODE_ID).string('127.0.0.1').int32(port);
  if (version >= 1) w.nullableString(null);
  if (version >= 2) w.nullableString('golden-capture');
  if (version >= 1) w.int32(NODE_ID);
  w.int32(topics.length);
  for (const name of topics) {
    w.int16(0).string(name);
    if (version >= 1) w.bool(false);
    w.int32(1).int16(0).int32(0).int32(NODE_ID);
    w.int32(1).int32(NODE_ID).int32(1).int32(NODE_ID);
    if (version >= 5) w.int32(0);
  }
  return w;
}

function produceBody(r: Reader, version: number, clientId: string | null, out: CapturedProduce[]): Writer | null {
  r.nullableString(); // transactional id
  const acks = r.int16();
  r.int32(); // timeout
  const topicCount = r.int32();
  const w = new Writer();
  w.int32(topicCount);
  for (let t = 0; t < topicCount; t++) {
    const topic = r.string();
    const partCount = r.int32();
    w.string(topic).int32(partCount);
    for (let p = 0; p < partCount; p++) {
      const partition = r.int32();
      const records = r.nullableBytes();
      if (records !== null) out.push({ topic, partition, produceVersion: version, clientId, records: Buffer.from(records) });
      w.int32(partition).int16(0).int64(out.length).int64(-1);
      if (version >= 5) w.int64(0);
    }
  }
  w.int32(0);
  return acks === 0 ? null : w;
}

function handleFrame(frame: Buffer, socket: net.Socket, port: number, out: CapturedProduce[]): void {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const version = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (apiKey === API_VERSIONS && version >= 3) r.unsignedVarint(); // header tagged fields (empty)
  let body: Writer | null;
  if (apiKey === API_VERSIONS) body = version > 3 ? apiVersionsBody(0, 35) : apiVersionsBody(version);
  else if (apiKey === API_METADATA) body = metadataBody(r, version, port);
  else if (apiKey === API_PRODUCE) body = produceBody(r, version, clientId, out);
  else {
    process.stderr.write(`fake broker: unsupported api ${apiKey} v${version}, closing\n`);
    socket.destroy();
    return;
  }
  if (body === null) return;
  const payload = body.toBuffer();
  const head = Buffer.allocUnsafe(8);
  head.writeInt32BE(payload.length + 4, 0);
  head.writeInt32BE(correlationId, 4);
  socket.write(Buffer.concat([head, payload]));
}

export interface FakeBroker {
  port: number;
  captured: CapturedProduce[];
  close(): Promise<void>;
}

export async function startFakeBroker(): Promise<FakeBroker> {
  const captured: CapturedProduce[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > FRAME_BYTES_MAX) return void socket.destroy();
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        handleFrame(frame, socket, port, captured);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    captured,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
