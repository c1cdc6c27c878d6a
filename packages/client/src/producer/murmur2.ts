/**
 * Kafka's murmur2 hash, bit-for-bit as Java's `org.apache.kafka.common.utils.Utils.murmur2`
 * (MurmurHash2, seed 0x9747b28c). Returns a signed int32 like Java. Keyed records land on
 * `toPositive(murmur2(key)) % numPartitions`, so any client that agrees on this function
 * agrees on partition placement.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) | ((data[i4 + 1]! & 0xff) << 8) | ((data[i4 + 2]! & 0xff) << 16) | ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const extra = length & 3;
  if (extra >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (extra >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (extra >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs, which breaks on MIN_VALUE). */
export function toPositive(x: number): number {
  return x & 0x7fffffff;
}
