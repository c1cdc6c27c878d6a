import { ProtocolError } from '../wire/protocol-error.ts';
import { encodeRecordBatch } from './record-batch.ts';
import type { KafkaRecord } from './record-codec.ts';

/**
 * Control batches and records (RECORDS.md §5). A transaction marker is a control +
 * transactional batch with one record: key = int16 version, int16 type;
 * value = int16 version, int32 coordinatorEpoch.
 */
export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;
export type ControlRecordTypeName = keyof typeof ControlRecordType;

const CONTROL_KEY_VERSION = 0;
const MARKER_VALUE_VERSION = 0;
const CONTROL_KEY_BYTES = 4;
const MARKER_VALUE_BYTES = 6;

export interface ControlBatchInput {
  producerId: number;
  producerEpoch: number;
  type: 'ABORT' | 'COMMIT';
  coordinatorEpoch: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  timestamp: number;
}

export function encodeControlBatch(input: ControlBatchInput): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_KEY_BYTES);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(ControlRecordType[input.type], 2);
  const value = Buffer.allocUnsafe(MARKER_VALUE_BYTES);
  value.writeInt16BE(MARKER_VALUE_VERSION, 0);
  value.writeInt32BE(input.coordinatorEpoch, 2);
  return encodeRecordBatch({
    records: [{ key, value, timestamp: input.timestamp }],
    baseOffset: input.baseOffset ?? 0,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
    now: input.timestamp,
  });
}

export interface ControlRecord {
  version: number;
  /** Numeric control type; unknown types are kept, and clients ignore them. */
  type: number;
  typeName: ControlRecordTypeName | 'UNKNOWN';
  /** Present for ABORT and COMMIT markers with a well-formed value. */
  coordinatorEpoch?: number;
}

/** Parses the key (and, for transaction markers, the value) of a control record. */
export function parseControlRecord(record: Pick<KafkaRecord, 'key' | 'value'>): ControlRecord {
  const key = record.key;
  if (key === null || key.length < CONTROL_KEY_BYTES) {
    throw new ProtocolError('CORRUPT_RECORDS', 'control record key must hold int16 version and int16 type');
  }
  const version = key.readInt16BE(0);
  const type = key.readInt16BE(2);
  const names = Object.keys(ControlRecordType) as ControlRecordTypeName[];
  const typeName = names.find((n) => ControlRecordType[n] === type) ?? 'UNKNOWN';
  const out: ControlRecord = { version, type, typeName };
  if (type === ControlRecordType.ABORT || type === ControlRecordType.COMMIT) {
    const value = record.value;
    if (value === null || value.length < MARKER_VALUE_BYTES) {
      throw new ProtocolError('CORRUPT_RECORDS', 'transaction marker value must hold int16 version and int32 coordinator epoch');
    }
    out.coordinatorEpoch = value.readInt32BE(2);
  }
  return out;
}
