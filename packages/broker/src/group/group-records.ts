/**
 * `__consumer_offsets` record formats, as Kafka writes them (GroupMetadataManager):
 * - key = int16 key version + key struct: version 0/1 is an OffsetCommitKey (we write 1), version 2
 *   a GroupMetadataKey;
 * - value = int16 value version + value struct; a null value is a tombstone (the offset or the
 *   group was deleted).
 * We write OffsetCommitValue v1 when the commit carries an explicit expire timestamp (retention
 * from OffsetCommit v2-4) and v3 otherwise, and GroupMetadataValue v3, as Kafka 3.x does, so
 * Kafka's own tooling can read the topic. Any version Kafka defines is read.
 * Also the group -> partition mapping: abs(Java String.hashCode) % partitions.
 */
import {
  Reader, Writer, decodeGroupMetadataKey, decodeGroupMetadataValue, decodeOffsetCommitKey, decodeOffsetCommitValue,
  encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue,
  type GroupMetadataValue, type KafkaRecord, type OffsetCommitValue,
} from '@tributary/protocol';

export const OFFSET_KEY_VERSION = 1;
export const GROUP_KEY_VERSION = 2;
const OFFSET_VALUE_VERSION_WITH_EXPIRY = 1;
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;
const OFFSET_VALUE_VERSION_MAX = 4;
const GROUP_VALUE_VERSION_MAX = 4;

/** Java's String.hashCode: s[0]*31^(n-1) + ... over UTF-16 code units, in int32 arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs(hash) % partitions (Utils.abs maps Integer.MIN_VALUE to 0). */
export function partitionForGroup(groupId: string, partitionCount: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % partitionCount;
}

export interface CommittedOffset {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestampMs: number;
  /** Explicit expiry (OffsetCommit v1 timestamp / v2-4 retention), or null for the broker default. */
  readonly expireTimestampMs: number | null;
}

function withVersion(version: number, encode: (w: Writer) => void): Buffer {
  const w = new Writer(64);
  w.int16(version);
  encode(w);
  return w.toBuffer();
}

export function offsetKey(group: string, topic: string, partition: number): Buffer {
  return withVersion(OFFSET_KEY_VERSION, (w) => encodeOffsetCommitKey(w, OFFSET_KEY_VERSION, { group, topic, partition }));
}

export function offsetValue(o: CommittedOffset): Buffer {
  const version = o.expireTimestampMs !== null ? OFFSET_VALUE_VERSION_WITH_EXPIRY : OFFSET_VALUE_VERSION;
  const v: OffsetCommitValue = {
    offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata,
    commitTimestamp: o.commitTimestampMs, expireTimestamp: o.expireTimestampMs ?? -1,
  };
  return withVersion(version, (w) => encodeOffsetCommitValue(w, version, v));
}

export function groupKey(group: string): Buffer {
  return withVersion(GROUP_KEY_VERSION, (w) => encodeGroupMetadataKey(w, GROUP_KEY_VERSION, { group }));
}

export function groupValue(v: GroupMetadataValue): Buffer {
  return withVersion(GROUP_VALUE_VERSION, (w) => encodeGroupMetadataValue(w, GROUP_VALUE_VERSION, v));
}

/** One decoded `__consumer_offsets` record; `value` null = tombstone. */
export type CoordinatorRecord =
  | { readonly type: 'offset'; readonly group: string; readonly topic: string; readonly partition: number; readonly value: CommittedOffset | null }
  | { readonly type: 'group'; readonly group: string; readonly value: GroupMetadataValue | null }
  | { readonly type: 'unknown'; readonly keyVersion: number };

function checkedVersion(r: Reader, max: number, what: string): number {
  const v = r.int16();
  if (v < 0 || v > max) throw new Error(`unknown ${what} version ${v}`);
  return v;
}

/** Decodes a record of the topic; throws on malformed bytes (the loader logs and skips it). */
export function decodeCoordinatorRecord(rec: Pick<KafkaRecord, 'key' | 'value'>): CoordinatorRecord {
  if (rec.key === null) throw new Error('record without a key');
  const kr = new Reader(rec.key);
  const keyVersion = kr.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const k = decodeOffsetCommitKey(kr, keyVersion);
    if (rec.value === null) return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: null };
    const vr = new Reader(rec.value);
    const v = decodeOffsetCommitValue(vr, checkedVersion(vr, OFFSET_VALUE_VERSION_MAX, 'offset value'));
    const value: CommittedOffset = {
      offset: v.offset, leaderEpoch: v.leaderEpoch ?? -1, metadata: v.metadata, commitTimestampMs: v.commitTimestamp,
      expireTimestampMs: v.expireTimestamp === undefined || v.expireTimestamp < 0 ? null : v.expireTimestamp,
    };
    return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value };
  }
  if (keyVersion === GROUP_KEY_VERSION) {
    const k = decodeGroupMetadataKey(kr, keyVersion);
    if (rec.value === null) return { type: 'group', group: k.group, value: null };
    const vr = new Reader(rec.value);
    return { type: 'group', group: k.group, value: decodeGroupMetadataValue(vr, checkedVersion(vr, GROUP_VALUE_VERSION_MAX, 'group value')) };
  }
  return { type: 'unknown', keyVersion };
}
