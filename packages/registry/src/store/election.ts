import { setTimeout as delay } from 'node:timers/promises';
import { Cluster } from '@tributary/client';
import { CoordinatorLink } from '@tributary/client/consumer/group/coordinator.ts';
import { HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi } from '@tributary/protocol/generated/index.ts';
import type { LeaderView } from '../server/http.ts';

/** Confluent's group protocol for registry leader election: type "sr", one sub-protocol "v0". */
export const SR_PROTOCOL_TYPE = 'sr';
const SR_PROTOCOL_NAME = 'v0';
const MEMBER_ID_REQUIRED = 79;
const UNKNOWN_MEMBER_ID = 25;
const DUPLICATE_URLS = 1;
/** Identity/assignment JSON larger than this is refused (member metadata is tiny). */
const metadataBytesMax = 64 * 1024;
const JOIN_TIMEOUT_SLACK_MS = 5_000;

/** Confluent's SchemaRegistryIdentity, the member metadata. */
export interface RegistryIdentity {
  version: 1;
  host: string;
  port: number;
  master_eligibility: boolean;
  scheme: string;
}

export interface ElectionOptions {
  bootstrapServers: string;
  groupId: string;
  identity: RegistryIdentity;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  onError?: (err: unknown) => void;
}

export const identityUrl = (i: RegistryIdentity): string => `${i.scheme}://${i.host}:${i.port}`;

function parseJson(buf: Buffer | null | undefined): Record<string, unknown> | null {
  if (buf === null || buf === undefined || buf.length === 0 || buf.length > metadataBytesMax) return null;
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The group leader's choice: the eligible member with the lexicographically smallest URL, as
 * Confluent's SchemaRegistryCoordinator does; two members advertising one URL is an error.
 */
export function chooseLeader(members: ReadonlyArray<{ memberId: string; metadata: Buffer }>): { error: number; master: string | null; master_identity: RegistryIdentity | null } {
  const urls = new Set<string>();
  let best: { memberId: string; identity: RegistryIdentity; url: string } | null = null;
  for (const m of members) {
    const identity = parseJson(m.metadata) as RegistryIdentity | null;
    if (identity === null || typeof identity.host !== 'string') continue;
    const url = identityUrl(identity);
    if (urls.has(url)) return { error: DUPLICATE_URLS, master: null, master_identity: null };
    urls.add(url);
    if (identity.master_eligibility === true && (best === null || url < best.url)) best = { memberId: m.memberId, identity, url };
  }
  return { error: 0, master: best?.memberId ?? null, master_identity: best?.identity ?? null };
}

/**
 * Leader election through the classic group protocol, interoperable with Confluent SR instances
 * sharing the group: JoinGroup with the identity as metadata, the group leader computes the
 * assignment naming the registry leader, SyncGroup hands it to everyone, heartbeats keep it. Any
 * heartbeat error (rebalance, fencing) forgets the leader and rejoins.
 */
export class LeaderElector implements LeaderView {
  private readonly cluster: Cluster;
  private readonly link: CoordinatorLink;
  private memberId = '';
  private generationId = -1;
  private leaderMemberId: string | null = null;
  private leaderIdentity: RegistryIdentity | null = null;
  private waiters: Array<() => void> = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;

  constructor(private readonly opts: ElectionOptions) {
    this.cluster = new Cluster({ bootstrapServers: opts.bootstrapServers, clientId: 'schema-registry-election' });
    this.link = new CoordinatorLink(this.cluster, opts.groupId);
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 10_000;
    this.rebalanceTimeoutMs = opts.rebalanceTimeoutMs ?? 10_000;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 1_000;
  }

  async start(): Promise<void> {
    await this.cluster.connect();
    this.loop = this.run();
  }

  isLeader(): boolean { return this.leaderMemberId !== null && this.leaderMemberId === this.memberId; }

  currentLeaderUrl(): string | null { return this.leaderIdentity === null ? null : identityUrl(this.leaderIdentity); }

  async leaderUrl(timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.currentLeaderUrl() === null && !this.stopped && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.currentLeaderUrl();
  }

  private setLeader(memberId: string | null, identity: RegistryIdentity | null): void {
    this.leaderMemberId = memberId;
    this.leaderIdentity = identity;
    if (identity !== null) { const w = this.waiters; this.waiters = []; for (const f of w) f(); }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.joinAndSync();
        await this.heartbeatUntilRejoin();
      } catch (err) {
        if (this.stopped) return;
        this.setLeader(null, null);
        this.opts.onError?.(err);
        this.link.markUnknown();
        await delay(500);
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    this.setLeader(null, null);
    const metadata = Buffer.from(JSON.stringify(this.opts.identity));
    const timeoutMs = this.rebalanceTimeoutMs + JOIN_TIMEOUT_SLACK_MS;
    for (;;) {
      const conn = await this.link.connection();
      const joined = await conn.send(JoinGroupApi, {
        groupId: this.opts.groupId, sessionTimeoutMs: this.sessionTimeoutMs, rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: this.memberId, groupInstanceId: null, protocolType: SR_PROTOCOL_TYPE,
        protocols: [{ name: SR_PROTOCOL_NAME, metadata }], reason: null,
      }, { timeoutMs });
      if (joined.errorCode === MEMBER_ID_REQUIRED) { this.memberId = joined.memberId; continue; }
      if (joined.errorCode === UNKNOWN_MEMBER_ID) { this.memberId = ''; continue; }
      if (joined.errorCode !== 0) throw new Error(`JoinGroup ${this.opts.groupId} failed with error ${joined.errorCode}`);
      this.memberId = joined.memberId;
      this.generationId = joined.generationId ?? -1;
      let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
      if (joined.leader === joined.memberId) {
        const plan = Buffer.from(JSON.stringify({ version: 1, ...chooseLeader(joined.members) }));
        assignments = joined.members.map((m) => ({ memberId: m.memberId, assignment: plan }));
      }
      const synced = await conn.send(SyncGroupApi, {
        groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null,
        protocolType: SR_PROTOCOL_TYPE, protocolName: SR_PROTOCOL_NAME, assignments,
      }, { timeoutMs });
      if (synced.errorCode !== 0) throw new Error(`SyncGroup ${this.opts.groupId} failed with error ${synced.errorCode}`);
      const a = parseJson(synced.assignment);
      const master = a !== null && typeof a['master'] === 'string' ? a['master'] : null;
      this.setLeader(master, master === null ? null : (a!['master_identity'] as RegistryIdentity | null) ?? null);
      return;
    }
  }

  private async heartbeatUntilRejoin(): Promise<void> {
    while (!this.stopped) {
      await delay(this.heartbeatIntervalMs);
      if (this.stopped) return;
      const conn = await this.link.connection();
      const res = await conn.send(HeartbeatApi, { groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
      if (res.errorCode === 0) continue;
      if (res.errorCode === UNKNOWN_MEMBER_ID) this.memberId = '';
      return;
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters) w();
    this.waiters = [];
    if (this.memberId !== '') {
      try {
        const conn = await this.link.connection();
        await conn.send(LeaveGroupApi, { groupId: this.opts.groupId, memberId: this.memberId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'registry shutting down' }] }, { timeoutMs: 3_000 });
      } catch { /* the session timeout covers it */ }
    }
    this.link.close();
    this.cluster.close();
    await this.loop?.catch(() => undefined);
  }
}
