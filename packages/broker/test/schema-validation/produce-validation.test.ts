// Broker-side schema validation against a real Schema Registry in-process (ephemeral ports, temp
// dirs, always cleaned up). The registry's port is reserved first so the broker can be started with
// confluent.schema.registry.url (a read-only config) before the registry, which needs the broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import avro from 'avsc';
import { encodeRecordBatch } from '@tributary/protocol';
import { ProduceApi, type ProduceResponse } from '@tributary/protocol/generated/index.ts';
import { startRegistry, type Registry } from '@tributary/registry';
import { ErrorCode } from '../../src/error-codes.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

const ORDER = { type: 'record', name: 'Order', namespace: 'com.example', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }] };
const OTHER = { type: 'record', name: 'Other', namespace: 'com.example', fields: [{ name: 'n', type: 'int' }] };
const orderType = avro.Type.forSchema(ORDER as avro.Schema);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function framed(id: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, payload]);
}

const order = (id: number, n = 1): Buffer => framed(id, orderType.toBuffer({ id: n, item: 'book' }));

async function register(url: string, subject: string, schema: object): Promise<number> {
  const res = await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { id: number }).id;
}

function batch(values: (Buffer | null)[]): Buffer {
  return encodeRecordBatch({ records: values.map((value) => ({ key: null, value, timestamp: Date.now() })) });
}

type Parts = { topic: string; partition?: number; values: (Buffer | null)[] }[];

async function produce(c: TestClient, parts: Parts): Promise<ProduceResponse> {
  const topics = new Map<string, { index: number; records: Buffer }[]>();
  for (const p of parts) {
    const list = topics.get(p.topic) ?? [];
    list.push({ index: p.partition ?? 0, records: batch(p.values) });
    topics.set(p.topic, list);
  }
  return c.request(ProduceApi, 9, {
    acks: -1, timeoutMs: 5000, topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })),
  });
}

function outcome(r: ProduceResponse, topic: string, partition = 0) {
  const p = r.responses.find((t) => t.name === topic)!.partitionResponses.find((x) => x.index === partition)!;
  return { code: p.errorCode, message: p.errorMessage ?? '', recordErrors: (p.recordErrors ?? []).map((e) => e.batchIndex) };
}

async function createTopic(tb: TestBroker, name: string, configs: Record<string, string>, numPartitions = 1): Promise<void> {
  const r = await tb.broker.context.topics.createTopic({ name, numPartitions, configs });
  assert.ok(r.ok, JSON.stringify(r));
}

test('broker-side schema validation with a real registry', async (t) => {
  const registryPort = await freePort();
  const url = `http://127.0.0.1:${registryPort}`;
  await withBroker({ 'confluent.schema.registry.url': url }, async (tb) => {
    let registry: Registry | undefined;
    let c: TestClient | undefined;
    try {
      registry = await startRegistry({ bootstrapServers: `127.0.0.1:${tb.port}`, listeners: url });
      const on = { 'confluent.value.schema.validation': 'true' };
      await createTopic(tb, 'orders', on, 2);
      await createTopic(tb, 'plain', {});
      await createTopic(tb, 'strict', { ...on, 'tributary.value.schema.validation.mode': 'strict' });
      await createTopic(tb, 'by-record', { ...on, 'confluent.value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' });
      const orderId = await register(url, 'orders-value', ORDER);
      assert.equal(await register(url, 'strict-value', ORDER), orderId);
      assert.equal(await register(url, 'com.example.Order', ORDER), orderId);
      const otherId = await register(url, 'other-value', OTHER);
      assert.notEqual(otherId, orderId);
      c = await TestClient.connect(tb.port);
      const client = c;

      await t.test('a record framed with an id registered under <topic>-value passes', async () => {
        const r = await produce(client, [{ topic: 'orders', values: [order(orderId, 1), order(orderId, 2)] }]);
        assert.deepEqual(outcome(r, 'orders'), { code: 0, message: '', recordErrors: [] });
        const again = await produce(client, [{ topic: 'orders', values: [order(orderId, 3)] }]); // cached: synchronous path
        assert.equal(outcome(again, 'orders').code, 0);
      });

      await t.test('an unknown schema id is INVALID_RECORD with the record index', async () => {
        const o = outcome(await produce(client, [{ topic: 'orders', values: [order(orderId), order(987654)] }]), 'orders');
        assert.equal(o.code, ErrorCode.INVALID_RECORD);
        assert.match(o.message, /schema id 987654 is not registered/);
        assert.deepEqual(o.recordErrors, [1]);
      });

      await t.test('an id registered under another subject is INVALID_RECORD naming the subject', async () => {
        const o = outcome(await produce(client, [{ topic: 'orders', values: [framed(otherId, Buffer.from([2]))] }]), 'orders');
        assert.equal(o.code, ErrorCode.INVALID_RECORD);
        assert.match(o.message, new RegExp(`schema id ${otherId} is not registered under subject orders-value`));
        assert.deepEqual(o.recordErrors, [0]);
      });

      await t.test('a value without the wire-format framing is INVALID_RECORD', async () => {
        for (const v of [Buffer.from('hello'), Buffer.from([0, 0, 0])]) {
          const o = outcome(await produce(client, [{ topic: 'orders', values: [v] }]), 'orders');
          assert.equal(o.code, ErrorCode.INVALID_RECORD);
          assert.match(o.message, /not in the Schema Registry wire format/);
        }
      });

      await t.test('null values: tombstones pass in id mode (Confluent), INVALID_RECORD in strict mode', async () => {
        assert.equal(outcome(await produce(client, [{ topic: 'orders', values: [null] }]), 'orders').code, 0);
        const o = outcome(await produce(client, [{ topic: 'strict', values: [order(orderId), null] }]), 'strict');
        assert.equal(o.code, ErrorCode.INVALID_RECORD);
        assert.match(o.message, /null value/);
        assert.deepEqual(o.recordErrors, [1]);
      });

      await t.test('validation off: anything goes', async () => {
        const r = await produce(client, [{ topic: 'plain', values: [Buffer.from('x'), null, order(987654), framed(otherId, Buffer.alloc(0))] }]);
        assert.equal(outcome(r, 'plain').code, 0);
      });

      await t.test('strict mode decodes Avro: garbage and trailing bytes are INVALID_RECORD, a good datum passes', async () => {
        assert.equal(outcome(await produce(client, [{ topic: 'strict', values: [order(orderId, 5)] }]), 'strict').code, 0);
        const garbage = outcome(await produce(client, [{ topic: 'strict', values: [framed(orderId, Buffer.from([0xff, 0xff]))] }]), 'strict');
        assert.equal(garbage.code, ErrorCode.INVALID_RECORD);
        const trailing = outcome(await produce(client, [{ topic: 'strict', values: [Buffer.concat([order(orderId), Buffer.from([1, 2])])] }]), 'strict');
        assert.equal(trailing.code, ErrorCode.INVALID_RECORD);
        assert.match(trailing.message, /2 trailing bytes/);
        // The same bytes pass in id mode: Confluent Server does not decode the payload.
        assert.equal(outcome(await produce(client, [{ topic: 'orders', values: [framed(orderId, Buffer.from([0xff, 0xff]))] }]), 'orders').code, 0);
      });

      await t.test('RecordNameStrategy checks the id under the schema\'s record name', async () => {
        assert.equal(outcome(await produce(client, [{ topic: 'by-record', values: [order(orderId)] }]), 'by-record').code, 0);
        const o = outcome(await produce(client, [{ topic: 'by-record', values: [framed(otherId, Buffer.from([2]))] }]), 'by-record');
        assert.equal(o.code, ErrorCode.INVALID_RECORD);
        assert.match(o.message, /not registered under subject com\.example\.Other/);
      });

      await t.test('a bad partition does not affect the others in the same request', async () => {
        const r = await produce(client, [
          { topic: 'orders', partition: 0, values: [Buffer.from('bad')] },
          { topic: 'orders', partition: 1, values: [order(orderId, 7)] },
          { topic: 'plain', values: [Buffer.from('bad is fine here')] },
        ]);
        assert.equal(outcome(r, 'orders', 0).code, ErrorCode.INVALID_RECORD);
        assert.equal(outcome(r, 'orders', 1).code, 0);
        assert.equal(outcome(r, 'plain').code, 0);
      });

      await t.test('pipelined produces to one partition keep their order across a registry lookup', async () => {
        await createTopic(tb, 'ordered', on);
        const id = await register(url, 'ordered-value', ORDER);
        const rs = await Promise.all([1, 2, 3, 4].map((n) => produce(client, [{ topic: 'ordered', values: [order(id, n)] }])));
        assert.deepEqual(rs.map((r) => [outcome(r, 'ordered').code, r.responses[0]!.partitionResponses[0]!.baseOffset]), [[0, 0], [0, 1], [0, 2], [0, 3]]);
      });
    } finally {
      c?.close();
      await registry?.close();
    }
  });
});

test('enabling validation without confluent.schema.registry.url is INVALID_CONFIG naming the key', () => withBroker({}, async (tb) => {
  const r = await tb.broker.context.topics.createTopic({ name: 'v', numPartitions: 1, configs: { 'confluent.value.schema.validation': 'true' } });
  assert.equal(r.ok, false);
  const failure = r as unknown as { errorCode: number; message: string };
  assert.equal(failure.errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(failure.message, /confluent\.schema\.registry\.url/);
  await createTopic(tb, 'k', { 'confluent.key.schema.validation': 'false' });
}));

test('an unknown subject name strategy is rejected', () => withBroker({}, async (tb) => {
  const r = await tb.broker.context.topics.createTopic({ name: 's', numPartitions: 1, configs: { 'confluent.value.subject.name.strategy': 'Nope' } });
  assert.equal(r.ok, false);
}));

test('registry unreachable: REQUEST_TIMED_OUT (retriable), not INVALID_RECORD', async () => {
  const url = `http://127.0.0.1:${await freePort()}`; // nothing listens there
  await withBroker({ 'confluent.schema.registry.url': url }, async (tb) => {
    await createTopic(tb, 'orders', { 'confluent.value.schema.validation': 'true' });
    const c = await TestClient.connect(tb.port);
    try {
      const o = outcome(await produce(c, [{ topic: 'orders', values: [order(1)] }]), 'orders');
      assert.equal(o.code, ErrorCode.REQUEST_TIMED_OUT);
      assert.match(o.message, /Schema Registry/);
    } finally {
      c.close();
    }
  });
});
