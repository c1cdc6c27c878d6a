import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeRequestHeader, decodeResponseHeader, encodeApiVersionsUnsupportedResponse, encodeRequestFrame,
  encodeResponseFrame, requestHeaderVersion, responseHeaderVersion,
} from '../src/frame.ts';
import { ApiKey, ApiVersionsApi, FetchApi, MetadataApi, ProduceApi } from '../src/generated/index.ts';
import { Reader } from '../src/wire/reader.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');

test('request header is v2 for flexible versions, v1 otherwise, v0 for ControlledShutdown v0', () => {
  assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
  assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
  assert.equal(requestHeaderVersion(999, 0), 1);
});

test('response header is v1 for flexible versions except ApiVersions, which is always v0', () => {
  assert.equal(responseHeaderVersion(ApiKey.Produce, 8), 0);
  assert.equal(responseHeaderVersion(ApiKey.Produce, 9), 1);
  assert.equal(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 4), 0);
});

test('ApiVersions v0 request frame, byte for byte', () => {
  const frame = Buffer.concat(encodeRequestFrame(ApiVersionsApi, 0, 1, 'a', {}));
  assert.deepEqual(frame, hex('0000000b  0012 0000 00000001 0001 61'));
});

test('a flexible request frame has header v2: int16 client id then a tag section', () => {
  const frame = Buffer.concat(encodeRequestFrame(ApiVersionsApi, 3, 7, 'cli', { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
  assert.deepEqual(frame, hex('00000013  0012 0003 00000007 0003 636c69 00  02 78 02 31 00'));
  const r = new Reader(frame, 4);
  assert.deepEqual(decodeRequestHeader(r), { requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: 'cli' });
  assert.deepEqual(ApiVersionsApi.decodeRequest(r, 3), { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  assert.equal(r.remaining, 0);
});

test('request header decoding skips unknown header tags and keeps a null client id', () => {
  const r = new Reader(hex('0003 0009 0000002a ffff  01 05 02 abcd'));
  assert.deepEqual(decodeRequestHeader(r), { requestApiKey: 3, requestApiVersion: 9, correlationId: 42, clientId: null });
  assert.equal(r.remaining, 0);
});

test('unknown API key or version is read as header v1 (no tag section)', () => {
  const r = new Reader(hex('0012 0063 00000005 0001 61  ff'));
  assert.deepEqual(decodeRequestHeader(r), { requestApiKey: 18, requestApiVersion: 99, correlationId: 5, clientId: 'a' });
  assert.equal(r.remaining, 1);
  const r2 = new Reader(hex('03e7 0000 00000005 ffff'));
  assert.equal(decodeRequestHeader(r2).requestApiKey, 999);
});

test('ControlledShutdown v0 request header has no client id', () => {
  const r = new Reader(hex('0007 0000 00000009  00000001'));
  assert.deepEqual(decodeRequestHeader(r), { requestApiKey: 7, requestApiVersion: 0, correlationId: 9, clientId: null });
  assert.equal(r.remaining, 4);
});

test('ApiVersions v3 response frame uses header v0 (no tag byte after the correlation id)', () => {
  const frame = Buffer.concat(encodeResponseFrame(ApiVersionsApi, 3, 11, { errorCode: 0, apiKeys: [] }));
  assert.deepEqual(frame, hex('0000000c  0000000b  0000 01 00000000 00'));
  const r = new Reader(frame, 4);
  assert.deepEqual(decodeResponseHeader(r, ApiKey.ApiVersions, 3), { correlationId: 11 });
  assert.deepEqual(ApiVersionsApi.decodeResponse(r, 3).apiKeys, []);
});

test('flexible response frames carry a header tag section that decoding skips', () => {
  const frame = Buffer.concat(encodeResponseFrame(MetadataApi, 9, 3, { brokers: [], topics: [] }));
  assert.deepEqual(frame.subarray(0, 9), hex('00000015 00000003 00'), 'size 21 = header 5 + body 16');
  const r = new Reader(frame, 4);
  assert.deepEqual(decodeResponseHeader(r, ApiKey.Metadata, 9), { correlationId: 3 });
  const body = MetadataApi.decodeResponse(r, 9);
  assert.deepEqual(body.brokers, []);
  assert.equal(r.remaining, 0);
  assert.equal(frame.readInt32BE(0), frame.length - 4);
});

test('frames with large records stay chunked and the size prefix counts every chunk', () => {
  const records = Buffer.alloc(10000, 0x5a);
  const chunks = encodeRequestFrame(ProduceApi, 9, 1, 'p', {
    acks: -1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  });
  assert.ok(chunks.length > 1);
  assert.ok(chunks.includes(records), 'records appended by reference');
  const frame = Buffer.concat(chunks);
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const r = new Reader(frame, 4);
  decodeRequestHeader(r);
  assert.deepEqual(ProduceApi.decodeRequest(r, 9).topicData[0]!.partitionData[0]!.records, records);

  const res = encodeResponseFrame(FetchApi, 4, 2, {
    responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 5, records }] }],
  });
  const resFrame = Buffer.concat(res);
  assert.equal(resFrame.readInt32BE(0), resFrame.length - 4);
});

test('ApiVersions unsupported-version reply: v0 layout, header v0, error 35 and the ranges', () => {
  const frame = Buffer.concat(encodeApiVersionsUnsupportedResponse(77, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]));
  assert.deepEqual(frame, hex(`
    00000010     # size 16
    0000004d     # correlation id 77
    0023         # UNSUPPORTED_VERSION
    00000001     # one key
    0012 0000 0004
  `));
});
