import { setTimeout as delay } from 'node:timers/promises';
import { MetadataApi } from '@tributary/protocol/generated/index.ts';
import { Connection } from './network/connection.ts';
import { ClientError } from './errors.ts';
import { isTransient, kafkaError, METADATA_STALE_CODES, KafkaError } from './kafka-errors.ts';

export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionInfo {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  readonly errorCode: number;
}

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string | null;
  readonly isInternal: boolean;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionInfo[];
}

export interface ClusterOptions {
  /** 'host:port' strings, or one comma-separated string. */
  bootstrapServers: string | readonly string[];
  clientId?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Per-connection pipelining cap. */
  maxInFlight?: number;
  /** Attempts after the first for retriable failures. */
  retries?: number;
  retryBackoffMs?: number;
  /** Ask the broker to create unknown topics on Metadata (producers do, by default). */
  allowAutoTopicCreation?: boolean;
}

const DEFAULT_RETRIES = 5;
const DEFAULT_RETRY_BACKOFF_MS = 100;
const RETRY_BACKOFF_MAX_MS = 1000;

export function parseBootstrap(servers: string | readonly string[]): Array<{ host: string; port: number }> {
  const list = typeof servers === 'string' ? servers.split(',') : servers;
  const out: Array<{ host: string; port: number }> = [];
  for (const raw of list) {
    const s = raw.trim().replace(/^[a-zA-Z]+:\/\//, '');
    if (s === '') continue;
    const at = s.lastIndexOf(':');
    const port = Number(s.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new ClientError('INVALID_ARGUMENT', `bootstrap server ${JSON.stringify(raw)} is not host:port`);
    }
    out.push({ host: s.slice(0, at).replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) throw new ClientError('NO_BROKERS', 'no bootstrap servers given');
  return out;
}

/**
 * What the client knows about the cluster: brokers, topics, leaders, controller; and one
 * connection per broker id. Producer, Consumer and Admin (and later a group layer) share this.
 */
export class Cluster {
  readonly clientId: string;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly requestTimeoutMs: number;
  private readonly bootstrap: Array<{ host: string; port: number }>;
  private readonly options: ClusterOptions;
  private bootstrapConn: Connection | null = null;
  private readonly connections = new Map<number, Promise<Connection>>();
  private brokers = new Map<number, BrokerAddress>();
  private readonly topics = new Map<string, TopicInfo>();
  private controllerId = -1;
  private clusterIdValue: string | null = null;
  private refreshing: Promise<void> | null = null;
  private closedFlag = false;

  constructor(options: ClusterOptions) {
    this.options = options;
    this.bootstrap = parseBootstrap(options.bootstrapServers);
    this.clientId = options.clientId ?? 'tributary';
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.retryBackoffMs = options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  get clusterId(): string | null { return this.clusterIdValue; }
  get controller(): number { return this.controllerId; }
  brokerList(): BrokerAddress[] { return [...this.brokers.values()]; }
  topic(name: string): TopicInfo | undefined { return this.topics.get(name); }
  knownTopics(): string[] { return [...this.topics.keys()]; }

  /** Connects to a bootstrap server and loads broker metadata. */
  async connect(): Promise<void> {
    await this.withRetries('connect', async () => {
      await this.refreshMetadata([]);
    });
  }

  /** A new, unshared connection with this cluster's settings (e.g. a group coordinator's); the caller closes it. */
  newConnection(host: string, port: number): Connection {
    return new Connection({
      host, port, clientId: this.clientId,
      requestTimeoutMs: this.options.requestTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxInFlight: this.options.maxInFlight,
    });
  }

  /** Any live connection: a known broker's, or a bootstrap server tried in order. */
  async anyConnection(): Promise<Connection> {
    this.assertOpen();
    for (const [nodeId, p] of this.connections) {
      const conn = await p.catch(() => null);
      if (conn !== null && !conn.closed) return conn;
      this.connections.delete(nodeId);
    }
    if (this.bootstrapConn !== null && !this.bootstrapConn.closed) return this.bootstrapConn;
    let lastErr: unknown = null;
    const candidates = [...this.brokers.values(), ...this.bootstrap];
    for (const { host, port } of candidates) {
      const conn = this.newConnection(host, port);
      try {
        await conn.connect();
        this.bootstrapConn = conn;
        return conn;
      } catch (err) {
        lastErr = err;
      }
    }
    throw new ClientError('NO_BROKERS', `no broker reachable (${candidates.map((c) => `${c.host}:${c.port}`).join(', ')})`, { cause: lastErr });
  }

  /** The cached connection to a broker id, opened on first use and reopened after a close. */
  connectionTo(nodeId: number): Promise<Connection> {
    this.assertOpen();
    const existing = this.connections.get(nodeId);
    if (existing !== undefined) {
      return existing.then((c) => (c.closed ? this.reconnect(nodeId, existing) : c), () => this.reconnect(nodeId, existing));
    }
    return this.openTo(nodeId);
  }

  private reconnect(nodeId: number, stale: Promise<Connection>): Promise<Connection> {
    if (this.connections.get(nodeId) === stale) this.connections.delete(nodeId);
    return this.connectionTo(nodeId);
  }

  private openTo(nodeId: number): Promise<Connection> {
    const addr = this.brokers.get(nodeId);
    if (addr === undefined) return Promise.reject(new ClientError('NO_BROKERS', `broker ${nodeId} is not in the metadata`));
    const conn = this.newConnection(addr.host, addr.port);
    const p = conn.connect().then(() => conn);
    this.connections.set(nodeId, p);
    p.catch(() => { if (this.connections.get(nodeId) === p) this.connections.delete(nodeId); });
    return p;
  }

  /**
   * Connection to the controller (admin requests); refreshes metadata if it is unknown. A
   * controller id missing from the broker list (librdkafka's mock cluster reports 0 for broker 1)
   * is treated as unknown, as Java's admin client does: any broker gets the request.
   */
  async controllerConnection(): Promise<Connection> {
    if (this.controllerId < 0 || !this.brokers.has(this.controllerId)) await this.refreshMetadata([]);
    if (this.controllerId < 0 || !this.brokers.has(this.controllerId)) return this.anyConnection();
    return this.connectionTo(this.controllerId);
  }

  /** Leader broker id of a partition, or -1 when unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leader ?? -1;
  }

  /**
   * Loads metadata. `topics` = names to (re)load; [] = brokers only; null = all topics.
   * Concurrent refreshes of the same kind share one request.
   */
  async refreshMetadata(topics: readonly string[] | null = this.knownTopics()): Promise<void> {
    this.assertOpen();
    const conn = await this.anyConnection();
    const res = await conn.send(MetadataApi, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: this.options.allowAutoTopicCreation ?? false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const brokers = new Map<number, BrokerAddress>();
    for (const b of res.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null });
    this.brokers = brokers;
    this.controllerId = res.controllerId ?? -1;
    this.clusterIdValue = res.clusterId ?? null;
    if (topics === null) {
      // A full listing is authoritative: topics it no longer contains were deleted.
      const listed = new Set(res.topics.map((t) => t.name));
      for (const name of [...this.topics.keys()]) if (!listed.has(name)) this.topics.delete(name);
    }
    for (const t of res.topics) {
      if (t.name === null || t.name === undefined) continue;
      if (t.errorCode !== 0) {
        this.topics.delete(t.name);
        continue;
      }
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes, isr: p.isrNodes, offlineReplicas: p.offlineReplicas ?? [], errorCode: p.errorCode,
        };
      }
      this.topics.set(t.name, { name: t.name, topicId: t.topicId ?? null, isInternal: t.isInternal ?? false, partitions });
    }
    // Drop connections to brokers that left the cluster.
    for (const nodeId of [...this.connections.keys()]) {
      if (!brokers.has(nodeId)) {
        const p = this.connections.get(nodeId)!;
        this.connections.delete(nodeId);
        p.then((c) => c.close(), () => undefined);
      }
    }
    this.lastTopicErrors = new Map(res.topics.filter((t) => t.name && t.errorCode !== 0).map((t) => [t.name!, t.errorCode]));
  }

  private lastTopicErrors = new Map<string, number>();

  /**
   * Makes sure metadata for `topics` is loaded with a leader for every partition, refreshing with
   * backoff while the broker reports retriable topic errors (e.g. LEADER_NOT_AVAILABLE after
   * auto-creation). Throws the topic's KafkaError when it is not retriable or retries run out.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = (): string[] => topics.filter((t) => !this.isUsable(t));
    if (missing().length === 0) return;
    await this.withRetries('metadata', async () => {
      await this.refreshMetadata([...new Set([...this.knownTopics(), ...topics])]);
      for (const t of missing()) {
        const code = this.lastTopicErrors.get(t) ?? 5; // known but leaderless: LEADER_NOT_AVAILABLE
        throw kafkaError(code, `metadata for topic ${t}`);
      }
    });
  }

  private isUsable(topic: string): boolean {
    const info = this.topics.get(topic);
    if (info === undefined || info.partitions.length === 0) return false;
    for (const p of info.partitions) if (p === undefined || p.leader < 0) return false;
    return true;
  }

  /**
   * Runs `fn`, retrying transient failures up to `retries` times with exponential backoff; refreshes
   * metadata first when the failure means the cached leaders are stale.
   */
  async withRetries<T>(what: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      try {
        return await fn(attempt);
      } catch (err) {
        if (this.closedFlag || !isTransient(err) && !(err instanceof KafkaError && err.code === 3)) throw err;
        if (attempt >= this.retries) throw err;
        await delay(Math.min(this.retryBackoffMs * 2 ** attempt, RETRY_BACKOFF_MAX_MS));
        attempt++;
        if (err instanceof KafkaError && METADATA_STALE_CODES.has(err.code)) {
          await this.refreshMetadata().catch(() => undefined);
        }
      }
    }
  }

  private assertOpen(): void {
    if (this.closedFlag) throw new ClientError('CLIENT_CLOSED', 'client is closed');
  }

  close(): void {
    this.closedFlag = true;
    for (const p of this.connections.values()) p.then((c) => c.close(), () => undefined);
    this.connections.clear();
    this.bootstrapConn?.close();
    this.bootstrapConn = null;
  }
}
