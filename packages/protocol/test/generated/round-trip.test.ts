import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMessages } from '../../scripts/lib/schema.ts';
import type { MessageDef } from '../../scripts/lib/schema.ts';
import { MESSAGES_DIR } from '../../scripts/generate.ts';
import * as generated from '../../src/generated/index.ts';
import { Reader } from '../../src/wire/reader.ts';
import { Writer } from '../../src/wire/writer.ts';
import { ProtocolError } from '../../src/wire/protocol-error.ts';
import { buildStruct, type SampleMode } from './samples.ts';

type Encode = (w: Writer, version: number, v: unknown) => void;
type Decode = (r: Reader, version: number) => unknown;

const codecs = generated as unknown as Record<string, Encode | Decode>;
const messages = loadMessages(MESSAGES_DIR);

function codecsOf(m: MessageDef): { encode: Encode; decode: Decode } {
  const encode = codecs[`encode${m.name}`] as Encode | undefined;
  const decode = codecs[`decode${m.name}`] as Decode | undefined;
  assert.ok(encode && decode, `codecs exported for ${m.name}`);
  return { encode, decode };
}

function encodeToBuffer(encode: Encode, version: number, value: unknown): Buffer {
  const w = new Writer(16);
  encode(w, version, value);
  return w.toBuffer();
}

function versionsOf(m: MessageDef): number[] {
  const out: number[] = [];
  for (let v = m.valid.lo; v <= m.valid.hi; v++) out.push(v);
  return out;
}

/** Deterministic PRNG so fuzz failures replay. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('every message spec has exported codecs and at least one version', () => {
  // 186 client-protocol specs plus 4 __consumer_offsets record schemas (group coordinator).
  assert.equal(messages.length, 190);
  for (const m of messages) {
    codecsOf(m);
    assert.ok(m.valid.lo <= m.valid.hi, m.name);
  }
});

for (const m of messages) {
  test(`${m.name}: every version round-trips (full, sparse, minimal) to identical bytes`, () => {
    const { encode, decode } = codecsOf(m);
    for (const version of versionsOf(m)) {
      for (const mode of ['full', 'sparse', 'minimal'] as SampleMode[]) {
        const where = `${m.name} v${version} ${mode}`;
        const { value, expected } = buildStruct(m.root, version, mode, 0);
        const bytes = encodeToBuffer(encode, version, value);
        const r = new Reader(bytes);
        const decoded = decode(r, version);
        assert.equal(r.remaining, 0, `${where}: decoder consumed every byte`);
        assert.deepEqual(decoded, expected, where);
        assert.deepEqual(encodeToBuffer(encode, version, decoded), bytes, `${where}: re-encode`);
      }
    }
  });
}

test('every truncation of an encoded message throws ProtocolError', () => {
  for (const m of messages) {
    const { encode, decode } = codecsOf(m);
    for (const version of [m.valid.lo, m.valid.hi]) {
      const bytes = encodeToBuffer(encode, version, buildStruct(m.root, version, 'full', 1).value);
      const step = Math.max(1, Math.floor(bytes.length / 200));
      for (let len = 0; len < bytes.length; len += step) {
        assert.throws(() => decode(new Reader(bytes.subarray(0, len)), version), ProtocolError,
          `${m.name} v${version} cut at ${len}/${bytes.length}`);
      }
    }
  }
});

test('corrupted and random input never throws anything but ProtocolError', () => {
  const rand = prng(12345);
  for (const m of messages) {
    const { encode, decode } = codecsOf(m);
    for (const version of [m.valid.lo, m.valid.hi]) {
      const good = encodeToBuffer(encode, version, buildStruct(m.root, version, 'full', 2).value);
      for (let i = 0; i < 12; i++) {
        const bad = Buffer.from(good);
        for (let k = 0; k < 3; k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
        const noise = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
        for (const input of [bad, noise]) {
          try {
            decode(new Reader(input), version);
          } catch (err) {
            assert.ok(err instanceof ProtocolError, `${m.name} v${version}: ${String(err)}`);
          }
        }
      }
    }
  }
});

test('unknown tagged fields are skipped on decode', () => {
  // ApiVersions v3 response: ErrorCode 0, ApiKeys [], ThrottleTimeMs 0, then tags 9 (3 bytes) and 1.
  const bytes = Buffer.from([
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x09, 0x03, 0xaa, 0xbb, 0xcc, 0x0a, 0x01, 0x00,
  ]);
  const r = new Reader(bytes);
  const decoded = generated.decodeApiVersionsResponse(r, 3);
  assert.equal(r.remaining, 0);
  assert.equal(decoded.finalizedFeaturesEpoch, -1);
  assert.deepEqual(decoded.apiKeys, []);
});

test('a known tagged field that overruns its declared size is rejected', () => {
  // Tag 1 (FinalizedFeaturesEpoch, int64) declared as 2 bytes but int64 reads 8.
  const bytes = Buffer.from([
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 5,
  ]);
  assert.throws(() => generated.decodeApiVersionsResponse(new Reader(bytes), 3), ProtocolError);
});

test('codecs reject versions outside the spec range', () => {
  assert.throws(() => generated.decodeProduceRequest(new Reader(Buffer.alloc(64)), 12), ProtocolError);
  assert.throws(() => generated.encodeProduceRequest(new Writer(), -1, { acks: 1, timeoutMs: 1, topicData: [] }), ProtocolError);
});
