// Micro-benchmark for the broker's hot codecs: Produce request decode and Fetch response encode.
// Run: node --import tsx packages/protocol/bench/codecs.bench.ts
import { FetchApi, ProduceApi, type FetchResponse, type ProduceRequest } from '../src/generated/index.ts';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';

const partitionsPerTopic = 10;
const topics = 5;
const records = Buffer.alloc(16 * 1024, 1);

function timeOps(name: string, ops: number, fn: () => void): void {
  for (let i = 0; i < ops / 10; i++) fn(); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) fn();
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${name}: ${(ops / (ns / 1e9)).toFixed(0)} ops/s (${(ns / ops / 1000).toFixed(2)} us/op)`);
}

const produce: ProduceRequest = {
  transactionalId: null, acks: -1, timeoutMs: 30000,
  topicData: Array.from({ length: topics }, (_, t) => ({
    name: `topic-${t}`,
    partitionData: Array.from({ length: partitionsPerTopic }, (_, p) => ({ index: p, records })),
  })),
};
const pw = new Writer();
ProduceApi.encodeRequest(pw, 9, produce);
const produceBytes = pw.toBuffer();
timeOps(`Produce v9 decode (${topics}x${partitionsPerTopic} partitions)`, 50000, () => {
  ProduceApi.decodeRequest(new Reader(produceBytes), 9);
});

const fetch: FetchResponse = {
  throttleTimeMs: 0, errorCode: 0, sessionId: 1,
  responses: Array.from({ length: topics }, (_, t) => ({
    topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
    partitions: Array.from({ length: partitionsPerTopic }, (_, p) => ({
      partitionIndex: p, errorCode: 0, highWatermark: 1000, lastStableOffset: 1000, logStartOffset: 0,
      abortedTransactions: null, preferredReadReplica: -1, records,
    })),
  })),
};
timeOps(`Fetch v16 response encode (${topics}x${partitionsPerTopic} partitions)`, 50000, () => {
  const w = new Writer(1024);
  FetchApi.encodeResponse(w, 16, fetch);
  w.toChunks();
});
