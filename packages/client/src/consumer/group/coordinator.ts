import { setTimeout as delay } from 'node:timers/promises';
import { FindCoordinatorApi } from '@tributary/protocol/generated/index.ts';
import type { Cluster } from '../../cluster.ts';
import type { Connection } from '../../network/connection.ts';
import { kafkaError, KafkaError } from '../../kafka-errors.ts';
import { ClientError } from '../../errors.ts';

export const COORDINATOR_LOAD_IN_PROGRESS = 14;
export const COORDINATOR_NOT_AVAILABLE = 15;
export const NOT_COORDINATOR = 16;
const KEY_TYPE_GROUP = 0;
const RETRY_BACKOFF_MAX_MS = 1000;

/** Codes after which the coordinator must be looked up again. */
export function isCoordinatorMoved(code: number): boolean {
  return code === COORDINATOR_NOT_AVAILABLE || code === NOT_COORDINATOR;
}

export interface CoordinatorAddress {
  nodeId: number;
  host: string;
  port: number;
}

/** One FindCoordinator (group key); v4+ sends the key in the batched list. */
export async function findCoordinator(cluster: Cluster, groupId: string): Promise<CoordinatorAddress> {
  const conn = await cluster.anyConnection();
  const res = await conn.send(FindCoordinatorApi, { key: groupId, keyType: KEY_TYPE_GROUP, coordinatorKeys: [groupId] });
  const c = res.coordinators !== undefined && res.coordinators.length > 0
    ? res.coordinators[0]!
    : { errorCode: res.errorCode ?? 0, errorMessage: res.errorMessage, nodeId: res.nodeId ?? -1, host: res.host ?? '', port: res.port ?? -1 };
  if (c.errorCode !== 0) throw kafkaError(c.errorCode, `find coordinator for group ${groupId}`, c.errorMessage);
  return { nodeId: c.nodeId, host: c.host, port: c.port };
}

/**
 * A dedicated connection to a group's coordinator. Dedicated because a JoinGroup or SyncGroup can
 * wait at the broker for the whole rebalance, and a broker answers a connection's requests in
 * order: sharing the fetch connection would stall fetches behind it.
 */
export class CoordinatorLink {
  private conn: Promise<Connection> | null = null;
  private address: CoordinatorAddress | null = null;
  private closed = false;

  constructor(readonly cluster: Cluster, readonly groupId: string) {}

  get coordinator(): CoordinatorAddress | null { return this.address; }

  /** The coordinator connection, looking the coordinator up (with retries) when unknown. */
  connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(new ClientError('CLIENT_CLOSED', 'group client is closed'));
    if (this.conn !== null) {
      const current = this.conn;
      return current.then((c) => (c.closed ? this.reopen(current) : c), () => this.reopen(current));
    }
    const p = this.open();
    this.conn = p;
    return p;
  }

  private reopen(stale: Promise<Connection>): Promise<Connection> {
    if (this.conn === stale) { this.conn = null; this.address = null; }
    return this.connection();
  }

  private async open(): Promise<Connection> {
    const addr = await this.cluster.withRetries(`find coordinator for ${this.groupId}`, () => findCoordinator(this.cluster, this.groupId));
    const conn = this.cluster.newConnection(addr.host, addr.port);
    await conn.connect();
    if (this.closed) { conn.close(); throw new ClientError('CLIENT_CLOSED', 'group client is closed'); }
    this.address = addr;
    return conn;
  }

  /** Forgets the coordinator after NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE or a dropped connection. */
  markUnknown(): void {
    const p = this.conn;
    this.conn = null;
    this.address = null;
    p?.then((c) => c.close(), () => undefined);
  }

  /**
   * Runs a coordinator request, rediscovering on coordinator moves and backing off on
   * COORDINATOR_LOAD_IN_PROGRESS and connection failures, up to the cluster's retry count.
   */
  async request<T>(what: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(await this.connection());
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const moved = err instanceof KafkaError && isCoordinatorMoved(err.code);
        const transient = moved || (err instanceof KafkaError && err.code === COORDINATOR_LOAD_IN_PROGRESS)
          || code === 'CONNECTION_CLOSED' || code === 'CONNECT_FAILED' || code === 'REQUEST_TIMEOUT';
        if (!transient || this.closed || attempt >= this.cluster.retries) throw err;
        if (moved || err instanceof ClientError) this.markUnknown();
        await delay(Math.min(this.cluster.retryBackoffMs * 2 ** attempt, RETRY_BACKOFF_MAX_MS));
      }
    }
  }

  close(): void {
    this.closed = true;
    this.markUnknown();
  }
}
