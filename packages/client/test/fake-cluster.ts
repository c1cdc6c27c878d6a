import { ApiVersionsApi, FetchApi, ListOffsetsApi, MetadataApi, ProduceApi } from '@tributary/protocol/generated/index.ts';
import type { FetchRequest, ListOffsetsRequest, MetadataRequest, ProduceRequest } from '@tributary/protocol/generated/index.ts';
import { batchSize, lastOffsetDelta, setBaseOffset } from '@tributary/protocol/records/batch-header.ts';
import { FakeBroker, type FakeRequest } from './network/fake-broker.ts';

interface Log {
  batches: Buffer[];
  baseOffsets: number[];
  logStartOffset: number;
  next: number;
}

/**
 * A one-node in-memory "Kafka" for client tests: Metadata, Produce, Fetch, ListOffsets over
 * real framing, logs as arrays of stored batches. Hooks let a test inject errors.
 */
export class FakeCluster {
  readonly broker = new FakeBroker();
  readonly logs = new Map<string, Log[]>();
  readonly produceRequests: ProduceRequest[] = [];
  readonly requestKeys: number[] = [];
  /** Return a non-zero code to fail a produce partition once. */
  produceError: (topic: string, partition: number) => number = () => 0;
  /** Return a non-zero code to answer a topic's metadata with that error. */
  metadataError: (topic: string) => number = () => 0;
  /** Handles API keys this fake does not (e.g. a FakeGroupCoordinator); returns false when it does not either. */
  extraHandler: (req: FakeRequest) => boolean = () => false;
  /** Extra ApiVersions entries for keys served by `extraHandler`. */
  extraApiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }> = [];
  /** Return true to drop the connection instead of answering a produce request. */
  dropProduce: () => boolean = () => false;
  /** ControllerId in Metadata responses (librdkafka's mock reports one that is not a broker). */
  controllerId = 1;

  async start(): Promise<this> {
    await this.broker.start();
    this.broker.onRequest = (req) => this.handle(req);
    return this;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.broker.port}`;
  }

  createTopic(name: string, partitions: number): void {
    this.logs.set(name, Array.from({ length: partitions }, () => ({ batches: [], baseOffsets: [], logStartOffset: 0, next: 0 })));
  }

  private handle(req: FakeRequest): void {
    this.requestKeys.push(req.header.requestApiKey);
    switch (req.header.requestApiKey) {
      case 18:
        req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 9 }, { apiKey: 1, minVersion: 4, maxVersion: 12 },
          { apiKey: 2, minVersion: 1, maxVersion: 7 }, { apiKey: 3, minVersion: 1, maxVersion: 12 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 }, ...this.extraApiKeys,
        ] });
        return;
      case 3: return this.metadata(req, req.body as MetadataRequest);
      case 0: return this.produce(req, req.body as ProduceRequest);
      case 1: return this.fetch(req, req.body as FetchRequest);
      case 2: return this.listOffsets(req, req.body as ListOffsetsRequest);
      default: this.extraHandler(req);
    }
  }

  private metadata(req: FakeRequest, body: MetadataRequest): void {
    const names = body.topics === null || body.topics === undefined ? [...this.logs.keys()] : body.topics.map((t) => t.name ?? '');
    req.reply(MetadataApi, {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.broker.port, rack: null }], clusterId: 'fake', controllerId: this.controllerId,
      topics: names.map((name) => {
        const log = this.logs.get(name);
        const injected = this.metadataError(name);
        if (injected !== 0) return { errorCode: injected, name, isInternal: false, partitions: [] };
        return {
          errorCode: log ? 0 : 3, name, isInternal: false,
          partitions: (log ?? []).map((_, i) => ({ errorCode: 0, partitionIndex: i, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
        };
      }),
    });
  }

  private produce(req: FakeRequest, body: ProduceRequest): void {
    if (this.dropProduce()) {
      req.socket.destroy();
      return;
    }
    this.produceRequests.push(body);
    const responses = body.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const log = this.logs.get(t.name)?.[p.index];
        if (log === undefined) return { index: p.index, errorCode: 3, baseOffset: -1 };
        const injected = this.produceError(t.name, p.index);
        if (injected !== 0) return { index: p.index, errorCode: injected, baseOffset: -1 };
        const batch = Buffer.from(p.records!);
        const base = log.next;
        setBaseOffset(batch, 0, base);
        log.batches.push(batch);
        log.baseOffsets.push(base);
        log.next = base + lastOffsetDelta(batch) + 1;
        return { index: p.index, errorCode: 0, baseOffset: base };
      }),
    }));
    if (body.acks !== 0) req.reply(ProduceApi, { responses, throttleTimeMs: 0 });
  }

  /** Serves whole stored batches from the one containing fetchOffset, up to partitionMaxBytes (cut mid-batch). */
  private fetch(req: FakeRequest, body: FetchRequest): void {
    const responses = body.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const log = this.logs.get(t.topic ?? '')?.[p.partition];
        if (log === undefined) return { partitionIndex: p.partition, errorCode: 3, highWatermark: -1, records: null };
        if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.next) {
          return { partitionIndex: p.partition, errorCode: 1, highWatermark: log.next, records: null };
        }
        let i = log.baseOffsets.findIndex((b, k) => b + lastOffsetDelta(log.batches[k]!) >= p.fetchOffset);
        const chunks: Buffer[] = [];
        let bytes = 0;
        while (i >= 0 && i < log.batches.length && bytes < p.partitionMaxBytes) {
          chunks.push(log.batches[i]!);
          bytes += batchSize(log.batches[i]!);
          i++;
        }
        let records = Buffer.concat(chunks);
        if (records.length > p.partitionMaxBytes && chunks.length > 1) records = records.subarray(0, p.partitionMaxBytes);
        return { partitionIndex: p.partition, errorCode: 0, highWatermark: log.next, lastStableOffset: log.next, logStartOffset: log.logStartOffset, abortedTransactions: [], records };
      }),
    }));
    const answer = (): void => req.reply(FetchApi, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses });
    const empty = responses.every((t) => t.partitions.every((p) => p.records === null || p.records.length === 0));
    if (empty) setTimeout(answer, Math.min(body.maxWaitMs, 50));
    else answer();
  }

  private listOffsets(req: FakeRequest, body: ListOffsetsRequest): void {
    req.reply(ListOffsetsApi, {
      topics: body.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const log = this.logs.get(t.name)?.[p.partitionIndex];
          if (log === undefined) return { partitionIndex: p.partitionIndex, errorCode: 3 };
          return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset: p.timestamp === -2 ? log.logStartOffset : log.next };
        }),
      })),
    });
  }

  async close(): Promise<void> {
    await this.broker.close();
  }
}
