import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlRecordType, encodeControlBatch, parseControlRecord } from '../../src/records/control.ts';
import { decodeRecordBatches } from '../../src/records/record-batch.ts';
import { ProtocolError } from '../../src/wire/protocol-error.ts';

describe('control batches', () => {
  for (const type of ['ABORT', 'COMMIT'] as const) {
    it(`${type} marker: control + transactional batch with one record`, () => {
      const buf = encodeControlBatch({ producerId: 4000, producerEpoch: 3, type, coordinatorEpoch: 12, baseOffset: 99, timestamp: 1234 });
      const [b] = decodeRecordBatches(buf);
      assert.ok(b);
      assert.equal(b.isControl, true);
      assert.equal(b.isTransactional, true);
      assert.equal(b.producerId, 4000);
      assert.equal(b.producerEpoch, 3);
      assert.equal(b.baseSequence, -1);
      assert.equal(b.recordCount, 1);
      assert.equal(b.records[0]!.offset, 99);
      assert.equal(b.records[0]!.timestamp, 1234);
      assert.deepEqual(b.records[0]!.key, Buffer.from([0, 0, 0, ControlRecordType[type]]));
      assert.deepEqual(parseControlRecord(b.records[0]!), { version: 0, type: ControlRecordType[type], typeName: type, coordinatorEpoch: 12 });
    });
  }

  it('keeps unknown control types as UNKNOWN without reading the value', () => {
    assert.deepEqual(parseControlRecord({ key: Buffer.from([0, 0, 0, 42]), value: null }), { version: 0, type: 42, typeName: 'UNKNOWN' });
    assert.equal(parseControlRecord({ key: Buffer.from([0, 0, 0, 2]), value: null }).typeName, 'LEADER_CHANGE');
  });

  it('rejects a short key or a short marker value', () => {
    assert.throws(() => parseControlRecord({ key: Buffer.from([0, 0]), value: null }), ProtocolError);
    assert.throws(() => parseControlRecord({ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0]) }), ProtocolError);
  });
});
