import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiVersionsApi, MetadataApi } from '@tributary/protocol/generated/index.ts';
import { encodeApiVersionsUnsupportedResponse } from '@tributary/protocol/frame.ts';
import { Connection } from '../../src/network/connection.ts';
import { ClientError } from '../../src/errors.ts';
import { FakeBroker, type FakeRequest } from './fake-broker.ts';

const RANGES = [
  { apiKey: 3, minVersion: 0, maxVersion: 7 },
  { apiKey: 18, minVersion: 0, maxVersion: 3 },
  { apiKey: 0, minVersion: 3, maxVersion: 8 },
];

function answerApiVersions(req: FakeRequest): boolean {
  if (req.header.requestApiKey !== 18) return false;
  req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: RANGES, throttleTimeMs: 0 });
  return true;
}

const emptyMetadata = (controllerId: number) => ({ brokers: [], topics: [], controllerId, clusterId: 'c' });

async function withBroker(fn: (broker: FakeBroker) => Promise<void>): Promise<void> {
  const broker = await new FakeBroker().start();
  try {
    await fn(broker);
  } finally {
    await broker.close();
  }
}

test('handshake uses ApiVersions v3 and negotiates the highest common version', () => withBroker(async (broker) => {
  const seen: Array<[number, number]> = [];
  broker.onRequest = (req) => {
    seen.push([req.header.requestApiKey, req.header.requestApiVersion]);
    if (answerApiVersions(req)) return;
    req.reply(MetadataApi, emptyMetadata(1));
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await conn.connect();
  assert.equal(conn.versionFor(MetadataApi), 7); // client 1-12 ∩ broker 0-7
  const res = await conn.send(MetadataApi, { topics: [] });
  assert.equal(res.controllerId, 1);
  assert.deepEqual(seen, [[18, 3], [3, 7]]);
  assert.throws(() => conn.versionFor(ApiVersionsApi, { min: 4, max: 4 }), (e: unknown) => e instanceof ClientError && e.code === 'UNSUPPORTED_VERSION');
  conn.close();
}));

test('handshake falls back to ApiVersions v0 on UNSUPPORTED_VERSION', () => withBroker(async (broker) => {
  const versions: number[] = [];
  broker.onRequest = (req) => {
    versions.push(req.header.requestApiVersion);
    if (req.header.requestApiVersion > 0) req.raw(encodeApiVersionsUnsupportedResponse(req.header.correlationId, RANGES));
    else req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: RANGES });
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await conn.connect();
  assert.deepEqual(versions, [3, 0]);
  assert.deepEqual(conn.brokerRange(0), { min: 3, max: 8 });
  conn.close();
}));

test('a broker range outside ours is UNSUPPORTED_VERSION, naming both ranges', () => withBroker(async (broker) => {
  broker.onRequest = (req) => req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }, { apiKey: 3, minVersion: 13, maxVersion: 14 }] });
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await conn.connect();
  await assert.rejects(conn.send(MetadataApi, { topics: [] }), (e: unknown) => e instanceof ClientError && e.code === 'UNSUPPORTED_VERSION' && /client 1-12, broker 13-14/.test(e.message));
  conn.close();
}));

test('pipelined responses are matched by correlation id even out of order, within the in-flight cap', () => withBroker(async (broker) => {
  const held: FakeRequest[] = [];
  let maxOutstanding = 0;
  broker.onRequest = (req) => {
    if (answerApiVersions(req)) return;
    held.push(req);
    maxOutstanding = Math.max(maxOutstanding, held.length);
    if (held.length === 3) {
      // answer newest first, each with its own correlation id encoded as the controller id
      for (const r of held.splice(0).reverse()) r.reply(MetadataApi, emptyMetadata(r.header.correlationId));
    }
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port, maxInFlight: 3 });
  await conn.connect();
  const results = await Promise.all(Array.from({ length: 9 }, () => conn.send(MetadataApi, { topics: [] })));
  const ids = results.map((r) => r.controllerId);
  assert.deepEqual(ids, [...ids].sort((a, b) => a! - b!));
  assert.equal(new Set(ids).size, 9);
  assert.equal(maxOutstanding, 3);
  conn.close();
}));

test('a request without a response times out with REQUEST_TIMEOUT and the connection stays usable', () => withBroker(async (broker) => {
  let n = 0;
  broker.onRequest = (req) => {
    if (answerApiVersions(req)) return;
    if (n++ === 0) return; // swallow the first metadata request
    req.reply(MetadataApi, emptyMetadata(2));
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await conn.connect();
  await assert.rejects(conn.send(MetadataApi, { topics: [] }, { timeoutMs: 50 }), (e: unknown) => e instanceof ClientError && e.code === 'REQUEST_TIMEOUT');
  assert.equal((await conn.send(MetadataApi, { topics: [] })).controllerId, 2);
  conn.close();
}));

test('socket close rejects every pending and queued request with CONNECTION_CLOSED', () => withBroker(async (broker) => {
  let count = 0;
  broker.onRequest = (req) => {
    if (answerApiVersions(req)) return;
    if (++count === 2) req.socket.destroy();
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port, maxInFlight: 2 });
  await conn.connect();
  const closed = new Promise((resolve) => conn.once('close', resolve));
  const pending = Array.from({ length: 5 }, () => conn.send(MetadataApi, { topics: [] }));
  for (const p of pending) await assert.rejects(p, (e: unknown) => e instanceof ClientError && e.code === 'CONNECTION_CLOSED');
  await closed;
  assert.equal(conn.closed, true);
  await assert.rejects(conn.send(MetadataApi, { topics: [] }), (e: unknown) => e instanceof ClientError && e.code === 'CONNECTION_CLOSED');
}));

test('connect to a closed port fails with CONNECT_FAILED', async () => {
  const broker = await new FakeBroker().start();
  const port = broker.port;
  await broker.close();
  const conn = new Connection({ host: '127.0.0.1', port });
  await assert.rejects(conn.connect(), (e: unknown) => e instanceof ClientError && e.code === 'CONNECT_FAILED');
});

test('sendNoResponse resolves once written and does not occupy an in-flight slot', () => withBroker(async (broker) => {
  const got: number[] = [];
  broker.onRequest = (req) => {
    if (answerApiVersions(req)) return;
    got.push(req.header.requestApiKey);
    if (req.header.requestApiKey === 3) req.reply(MetadataApi, emptyMetadata(3));
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port, maxInFlight: 1 });
  await conn.connect();
  await conn.sendNoResponse(MetadataApi, { topics: [] });
  assert.equal(conn.inFlightCount, 0);
  conn.close();
}));

test('a response frame larger than responseBytesMax closes the connection', () => withBroker(async (broker) => {
  broker.onRequest = (req) => {
    if (answerApiVersions(req)) return;
    const head = Buffer.alloc(8);
    head.writeInt32BE(1 << 20, 0);
    head.writeInt32BE(req.header.correlationId, 4);
    req.raw([head]);
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port, responseBytesMax: 1024 });
  await conn.connect();
  await assert.rejects(conn.send(MetadataApi, { topics: [] }), (e: unknown) => e instanceof ClientError && e.code === 'FRAME_TOO_LARGE');
}));

test('handshake retries ApiVersions at the highest version the broker lists after a v0-layout UNSUPPORTED_VERSION', () => withBroker(async (broker) => {
  const versions: number[] = [];
  const ranges = [{ apiKey: 18, minVersion: 0, maxVersion: 2 }, { apiKey: 0, minVersion: 3, maxVersion: 8 }];
  broker.onRequest = (req) => {
    versions.push(req.header.requestApiVersion);
    if (req.header.requestApiVersion > 2) req.raw(encodeApiVersionsUnsupportedResponse(req.header.correlationId, ranges));
    else req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: ranges, throttleTimeMs: 0 });
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await conn.connect();
  assert.deepEqual(versions, [3, 2]);
  assert.deepEqual(conn.brokerRange(0), { min: 3, max: 8 });
  conn.close();
}));

test('handshake falls back to v0 when the UNSUPPORTED_VERSION body fits no layout (librdkafka mock cluster)', () => withBroker(async (broker) => {
  const versions: number[] = [];
  broker.onRequest = (req) => {
    versions.push(req.header.requestApiVersion);
    if (req.header.requestApiVersion === 0) {
      req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: RANGES });
      return;
    }
    // Bytes librdkafka 2.x's mock cluster sends for ApiVersions v3: ErrorCode 35, a compact array
    // count of 0, one v0-style entry, and an int32 that no version's layout accounts for.
    const body = Buffer.from('00230100120000000200000000', 'hex');
    const frame = Buffer.alloc(8 + body.length);
    frame.writeInt32BE(4 + body.length, 0);
    frame.writeInt32BE(req.header.correlationId, 4);
    body.copy(frame, 8);
    req.raw([frame]);
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await conn.connect();
  assert.deepEqual(versions, [3, 0]);
  assert.deepEqual(conn.brokerRange(3), { min: 0, max: 7 });
  conn.close();
}));

test('an ApiVersions body that fails to decode without UNSUPPORTED_VERSION is a protocol violation', () => withBroker(async (broker) => {
  broker.onRequest = (req) => {
    const frame = Buffer.from('0000000700000000000001', 'hex'); // ErrorCode 0, then a truncated array
    frame.writeInt32BE(req.header.correlationId, 4);
    req.raw([frame]);
  };
  const conn = new Connection({ host: '127.0.0.1', port: broker.port });
  await assert.rejects(conn.connect(), (e: unknown) => e instanceof ClientError && e.code === 'PROTOCOL_VIOLATION');
  conn.close();
}));
