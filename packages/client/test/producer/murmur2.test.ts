import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, toPositive } from '../../src/producer/murmur2.ts';

/**
 * Reference values computed with kafka-python 2.0.2 (Debian python3-kafka, Java-compatible port of
 * Utils.murmur2) via `/usr/bin/python3 -c "from kafka.partitioner.default import murmur2; ..."`.
 * kafka-python returns the hash as an unsigned 32-bit number; Java (and we) return it signed.
 */
const KAFKA_PYTHON_VECTORS: Array<[Buffer, number]> = [
  [Buffer.from(''), 275646681],
  [Buffer.from('a'), 2731586172],
  [Buffer.from('ab'), 316155434],
  [Buffer.from('abc'), 479470107],
  [Buffer.from('abcd'), 2971317748],
  [Buffer.from('hello'), 2132663229],
  [Buffer.from('key-0'), 29210041],
  [Buffer.from('key-1'), 193331640],
  [Buffer.from('21'), 3321034988],
  [Buffer.from('foobar'), 3504634814],
  [Buffer.from([0xff, 0xfe, 0x80]), 4134240899],
  [Buffer.from('The quick brown fox jumps over the lazy dog'), 495243318],
];

/** A second, deliberately naive implementation using BigInt arithmetic mod 2^32, mirroring Java. */
function murmur2BigInt(data: Uint8Array): number {
  const mask = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint): bigint => (a * b) & mask;
  let h = (0x9747b28cn ^ BigInt(data.length)) & mask;
  const len4 = Math.floor(data.length / 4);
  for (let i = 0; i < len4; i++) {
    let k = BigInt(data[i * 4]!) | (BigInt(data[i * 4 + 1]!) << 8n) | (BigInt(data[i * 4 + 2]!) << 16n) | (BigInt(data[i * 4 + 3]!) << 24n);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m);
    h ^= k;
  }
  const rest = data.length % 4;
  const base = data.length - rest;
  if (rest >= 3) h ^= BigInt(data[base + 2]!) << 16n;
  if (rest >= 2) h ^= BigInt(data[base + 1]!) << 8n;
  if (rest >= 1) {
    h ^= BigInt(data[base]!);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

test('murmur2 matches kafka-python (Java-compatible) reference values', () => {
  for (const [key, unsigned] of KAFKA_PYTHON_VECTORS) {
    assert.equal(murmur2(key), unsigned | 0, `key ${key.toString('hex')}`);
    assert.equal(toPositive(murmur2(key)), unsigned & 0x7fffffff);
  }
});

test('murmur2 agrees with an independent BigInt implementation on random inputs', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed;
  };
  for (let n = 0; n < 2000; n++) {
    const buf = Buffer.alloc(rnd() % 67);
    for (let i = 0; i < buf.length; i++) buf[i] = rnd() & 0xff;
    assert.equal(murmur2(buf), murmur2BigInt(buf));
  }
});

test('toPositive clears the sign bit, including for INT32_MIN', () => {
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(5), 5);
});
