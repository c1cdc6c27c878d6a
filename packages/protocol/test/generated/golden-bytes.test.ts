// Bytes derived by hand from the JSON specs, to catch bugs an encode/decode round trip hides
// (both sides wrong in the same way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiVersionsApi, MetadataApi, ProduceApi, type ApiVersionsResponse, type ProduceRequest,
} from '../../src/generated/index.ts';
import type { ApiSpec } from '../../src/api-spec.ts';
import { Reader } from '../../src/wire/reader.ts';
import { Writer } from '../../src/wire/writer.ts';

/** Hex digits with optional `# comment` to the end of each line. */
const hex = (s: string): Buffer => Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');

function encodeReq<Req>(api: ApiSpec<Req, unknown>, version: number, v: Req): Buffer {
  const w = new Writer();
  api.encodeRequest(w, version, v);
  return w.toBuffer();
}

function encodeRes<Res>(api: ApiSpec<unknown, Res>, version: number, v: Res): Buffer {
  const w = new Writer();
  api.encodeResponse(w, version, v);
  return w.toBuffer();
}

test('ApiVersions v0 response: int16 error, int32 count, 3 x int16 per key, no throttle', () => {
  const value: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }],
  };
  const bytes = hex('0000 00000002 0000 0000 000b 0012 0000 0004');
  assert.deepEqual(encodeRes(ApiVersionsApi, 0, value), bytes);
  const decoded = ApiVersionsApi.decodeResponse(new Reader(bytes), 0);
  assert.deepEqual(decoded.apiKeys, value.apiKeys);
  assert.equal(decoded.throttleTimeMs, 0);
  assert.equal(decoded.finalizedFeaturesEpoch, -1);
});

test('ApiVersions v3 response: compact array, element tags, tagged fields in tag order', () => {
  const value: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
    throttleTimeMs: 100,
    supportedFeatures: [{ name: 'f', minVersion: 1, maxVersion: 2 }],
    finalizedFeaturesEpoch: 5,
    zkMigrationReady: true,
  };
  const bytes = hex(`
    0000  # ErrorCode
    02 0012 0000 0004 00  # ApiKeys: 1 entry + its empty tag section
    00000064  # ThrottleTimeMs
    03  # 3 tagged fields
    00 08 02 02 66 0001 0002 00  # tag 0 SupportedFeatures, 8 bytes
    01 08 0000000000000005  # tag 1 FinalizedFeaturesEpoch
    03 01 01  # tag 3 ZkMigrationReady
  `);
  assert.deepEqual(encodeRes(ApiVersionsApi, 3, value), bytes);
  const decoded = ApiVersionsApi.decodeResponse(new Reader(bytes), 3);
  assert.deepEqual(decoded, { ...value, finalizedFeatures: [] });
});

test('ApiVersions v3 request: compact strings then an empty tag section', () => {
  const bytes = hex('02 78 02 31 00');
  assert.deepEqual(encodeReq(ApiVersionsApi, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }), bytes);
  assert.deepEqual(encodeReq(ApiVersionsApi, 0, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }), Buffer.alloc(0));
});

test('Metadata v0 request: int32 count and int16 strings; v1 null topics is int32 -1', () => {
  assert.deepEqual(encodeReq(MetadataApi, 0, { topics: [{ name: 't' }] }), hex('00000001 0001 74'));
  assert.deepEqual(encodeReq(MetadataApi, 1, { topics: null }), hex('ffffffff'));
  assert.equal(MetadataApi.decodeRequest(new Reader(hex('ffffffff')), 1).topics, null);
  // v4 adds AllowAutoTopicCreation (default true).
  assert.deepEqual(encodeReq(MetadataApi, 4, { topics: [] }), hex('00000000 01'));
});

test('Produce v3 request: nullable transactional id and null records', () => {
  const value: ProduceRequest = {
    transactionalId: 'tx', acks: 1, timeoutMs: 30000,
    topicData: [{ name: 'ab', partitionData: [{ index: 2, records: null }] }],
  };
  const bytes = hex('0002 7478  0001  00007530  00000001 0002 6162  00000001 00000002 ffffffff');
  assert.deepEqual(encodeReq(ProduceApi, 3, value), bytes);
  assert.deepEqual(ProduceApi.decodeRequest(new Reader(bytes), 3), value);
});

test('Produce v9 request: compact encodings and a tag section closing every struct', () => {
  const value: ProduceRequest = {
    transactionalId: null, acks: -1, timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: hex('aabbcc') }] }],
  };
  const bytes = hex(`
    00  # transactional id null
    ffff  # acks -1
    000003e8  # timeout 1000
    02  # 1 topic
    02 74  # name t
    02  # 1 partition
    00000000  # index 0
    04 aabbcc  # records, 3 bytes
    00 00 00  # partition, topic and request tag sections
  `);
  assert.deepEqual(encodeReq(ProduceApi, 9, value), bytes);
  assert.deepEqual(ProduceApi.decodeRequest(new Reader(bytes), 9), value);
});
