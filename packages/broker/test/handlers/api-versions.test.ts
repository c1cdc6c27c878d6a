import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer } from '@tributary/protocol';
import { ApiVersionsApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

test('ApiVersions v0, v3 and v4 list the registered handlers', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  for (const v of [0, 1, 2, 3, 4]) {
    const res = await c.request(ApiVersionsApi, v, { clientSoftwareName: 'test', clientSoftwareVersion: '1.0' });
    assert.equal(res.errorCode, 0);
    const byKey = new Map(res.apiKeys.map((k) => [k.apiKey, k]));
    assert.deepEqual(byKey.get(18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
    assert.deepEqual(byKey.get(0), { apiKey: 0, minVersion: 0, maxVersion: 11 });
    assert.deepEqual(byKey.get(1), { apiKey: 1, minVersion: 4, maxVersion: 17 });
    assert.deepEqual(byKey.get(2), { apiKey: 2, minVersion: 1, maxVersion: 9 });
    assert.deepEqual(byKey.get(3), { apiKey: 3, minVersion: 0, maxVersion: 12 });
  }
  c.close();
}));

test('ApiVersions above our max gets error 35 in the v0 layout, and the connection stays open', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const w = new Writer();
  w.int32(0).int16(18).int16(99).int32(77).string('future-client').uint8(0).uint8(0);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  const res = await c.requestRaw([frame], 77, (r) => ApiVersionsApi.decodeResponse(r, 0)) as { errorCode: number; apiKeys: { apiKey: number }[] };
  assert.equal(res.errorCode, 35);
  assert.ok(res.apiKeys.some((k) => k.apiKey === 18));
  const ok = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  assert.equal(ok.errorCode, 0);
  c.close();
}));
