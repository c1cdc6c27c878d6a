import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkServer } from '../../src/network/server.ts';
import { CLOSE_CONNECTION, NO_RESPONSE, type RequestDispatcher, type ResponseSlot } from '../../src/network/types.ts';
import { silentLogger } from '../../src/logger.ts';
import { RawConnection, waitFor } from './helpers.ts';

/** Fake requests: apiKey(2) version(2) correlationId(4) + one command byte. */
function request(correlationId: number, command = 0): Buffer {
  const b = Buffer.alloc(9);
  b.writeInt16BE(0, 0); b.writeInt16BE(0, 2); b.writeInt32BE(correlationId, 4); b[8] = command;
  return b;
}

function response(correlationId: number): Buffer[] {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0); b.writeInt32BE(correlationId, 4);
  return [b.subarray(0, 4), b.subarray(4)];
}

const CMD_REPLY = 0;
const CMD_DEFER = 1;
const CMD_NONE = 2;
const CMD_CLOSE = 3;
const CMD_THROW = 4;

class FakeDispatcher implements RequestDispatcher {
  readonly seen: number[] = [];
  readonly deferred = new Map<number, () => void>();
  dispatch(frame: Buffer): ResponseSlot | Promise<ResponseSlot> {
    const id = frame.readInt32BE(4);
    this.seen.push(id);
    switch (frame[8]) {
      case CMD_DEFER: return new Promise((resolve) => this.deferred.set(id, () => resolve(response(id))));
      case CMD_NONE: return NO_RESPONSE;
      case CMD_CLOSE: return CLOSE_CONNECTION;
      case CMD_THROW: throw new Error('boom');
      default: return response(id);
    }
  }
}

async function withServer(
  fn: (port: number, d: FakeDispatcher) => Promise<void>,
  limits: { inflightRequestsMax?: number; requestBytesMax?: number; queuedRequestsMax?: number } = {},
): Promise<void> {
  const d = new FakeDispatcher();
  const server = new NetworkServer({
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    requestBytesMax: limits.requestBytesMax ?? 1024,
    inflightRequestsMax: limits.inflightRequestsMax ?? 100,
    queuedRequestsMax: limits.queuedRequestsMax ?? 500,
    idleTimeoutMs: 60_000,
    dispatcher: d,
    log: silentLogger,
  });
  await server.start();
  try {
    await fn(server.listeners[0]!.port, d);
  } finally {
    await server.close();
  }
}

const ids = (frames: Buffer[]): number[] => frames.map((f) => f.readInt32BE(0));

test('responses are written in request order when handlers finish out of order', () => withServer(async (port, d) => {
  const c = await RawConnection.open(port);
  c.send(request(1, CMD_DEFER));
  c.send(request(2, CMD_REPLY));
  c.send(request(3, CMD_DEFER));
  c.send(request(4, CMD_NONE));
  c.send(request(5, CMD_REPLY));
  await waitFor(() => d.seen.length === 5, 'all dispatched');
  d.deferred.get(3)!();
  await new Promise((r) => setImmediate(r));
  assert.equal(c.frames.length, 0);
  d.deferred.get(1)!();
  assert.deepEqual(ids(await c.waitFrames(4)), [1, 2, 3, 5]);
  c.close();
}));

test('many pipelined requests are answered in order', () => withServer(async (port) => {
  const c = await RawConnection.open(port);
  const n = 300;
  const all: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const f = request(i, i % 7 === 3 ? CMD_NONE : CMD_REPLY);
    const size = Buffer.alloc(4); size.writeInt32BE(f.length);
    all.push(size, f);
  }
  c.sendRaw(Buffer.concat(all));
  const expected = [...Array(n).keys()].filter((i) => i % 7 !== 3);
  assert.deepEqual(ids(await c.waitFrames(expected.length)), expected);
  c.close();
}));

test('in-flight cap stops reading until responses go out', () => withServer(async (port, d) => {
  const c = await RawConnection.open(port);
  for (let i = 0; i < 10; i++) c.send(request(i, CMD_DEFER));
  await waitFor(() => d.seen.length === 4, 'cap reached');
  await new Promise((r) => setTimeout(r, 20)); // give the broker a chance to (wrongly) read more
  assert.equal(d.seen.length, 4);
  d.deferred.get(0)!();
  await waitFor(() => d.seen.length === 5, 'one more read');
  for (let i = 1; i < 10; i++) { await waitFor(() => d.deferred.has(i), `request ${i}`); d.deferred.get(i)!(); }
  assert.deepEqual(ids(await c.waitFrames(10)), [...Array(10).keys()]);
  c.close();
}, { inflightRequestsMax: 4 }));

test('frames split across TCP chunks are reassembled', () => withServer(async (port) => {
  const c = await RawConnection.open(port);
  const f = request(42);
  const size = Buffer.alloc(4); size.writeInt32BE(f.length);
  const bytes = Buffer.concat([size, f]);
  for (let i = 0; i < bytes.length; i++) {
    c.sendRaw(bytes.subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(ids(await c.waitFrames(1)), [42]);
  c.close();
}));

test('a frame smaller than a header closes only that connection', () => withServer(async (port) => {
  const bad = await RawConnection.open(port);
  const good = await RawConnection.open(port);
  bad.sendRaw(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
  await bad.waitClosed();
  good.send(request(7));
  assert.deepEqual(ids(await good.waitFrames(1)), [7]);
  good.close();
}));

test('an oversized request size closes the connection', () => withServer(async (port) => {
  const c = await RawConnection.open(port);
  c.sendRaw(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
  await c.waitClosed();
}));

test('negative size closes the connection', () => withServer(async (port) => {
  const c = await RawConnection.open(port);
  c.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  await c.waitClosed();
}));

test('CLOSE_CONNECTION sends earlier responses, then closes', () => withServer(async (port) => {
  const c = await RawConnection.open(port);
  c.send(request(1));
  c.send(request(2, CMD_CLOSE));
  c.send(request(3));
  await c.waitClosed();
  assert.deepEqual(ids(c.frames), [1]);
}));

test('a throwing dispatcher closes the connection without crashing the server', () => withServer(async (port) => {
  const c = await RawConnection.open(port);
  c.send(request(1, CMD_THROW));
  await c.waitClosed();
  const c2 = await RawConnection.open(port);
  c2.send(request(2));
  assert.deepEqual(ids(await c2.waitFrames(1)), [2]);
  c2.close();
}));

test('broker-wide request budget blocks reading across connections', () => withServer(async (port, d) => {
  const a = await RawConnection.open(port);
  const b = await RawConnection.open(port);
  a.send(request(1, CMD_DEFER));
  a.send(request(2, CMD_DEFER));
  await waitFor(() => d.seen.length === 2, 'budget used');
  b.send(request(3));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(d.seen, [1, 2]);
  d.deferred.get(1)!();
  assert.deepEqual(ids(await b.waitFrames(1)), [3]);
  d.deferred.get(2)!();
  assert.deepEqual(ids(await a.waitFrames(2)), [1, 2]);
  a.close(); b.close();
}, { queuedRequestsMax: 2 }));
