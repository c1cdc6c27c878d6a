import {
  DeleteGroupsApi, DescribeGroupsApi, FindCoordinatorApi, HeartbeatApi, JoinGroupApi, LeaveGroupApi, ListGroupsApi,
  OffsetCommitApi, OffsetFetchApi, SyncGroupApi,
} from '@tributary/protocol/generated/index.ts';
import type {
  DeleteGroupsRequest, DescribeGroupsRequest, FindCoordinatorRequest, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
  OffsetCommitRequest, OffsetFetchRequest, SyncGroupRequest,
} from '@tributary/protocol/generated/index.ts';
import type { FakeCluster } from './fake-cluster.ts';
import type { FakeRequest } from './network/fake-broker.ts';

interface Member {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  rebalanceTimeoutMs: number;
  join: FakeRequest | null;
  sync: FakeRequest | null;
  assignment: Buffer;
}

type State = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

interface Group {
  state: State;
  generation: number;
  members: Map<string, Member>;
  leader: string;
  protocol: string;
  timer: NodeJS.Timeout | null;
  offsets: Map<string, { topic: string; partition: number; offset: number; metadata: string | null }>;
}

/**
 * A scripted, single-node classic group coordinator for client unit tests, plugged into a
 * FakeCluster: member ids with MEMBER_ID_REQUIRED, generations, rebalances that complete once every
 * known member rejoined (or the rebalance timeout evicts the rest), SyncGroup fan-out, heartbeats,
 * LeaveGroup, offsets in memory. No session expiry and no persistence.
 */
export class FakeGroupCoordinator {
  readonly groups = new Map<string, Group>();
  /** Every request key seen with its group-visible summary, for assertions. */
  readonly log: string[] = [];
  /** Return a non-zero code to answer one heartbeat with it. */
  heartbeatError: (memberId: string) => number = () => 0;
  /** Return a non-zero code to answer one FindCoordinator with it. */
  findCoordinatorError: () => number = () => 0;
  private nextId = 0;

  constructor(readonly cluster: FakeCluster, maxVersions: Partial<Record<number, number>> = {}) {
    const ranges: Array<[number, number, number]> = [[8, 2, 8], [9, 1, 8], [10, 0, 4], [11, 0, 7], [12, 0, 4], [13, 0, 4], [14, 0, 5], [15, 0, 5], [16, 0, 4], [42, 0, 2]];
    cluster.extraApiKeys = ranges.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion: maxVersions[apiKey] ?? maxVersion }));
    cluster.extraHandler = (req) => this.handle(req);
  }

  group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) this.groups.set(id, (g = { state: 'Empty', generation: 0, members: new Map(), leader: '', protocol: '', timer: null, offsets: new Map() }));
    return g;
  }

  private handle(req: FakeRequest): boolean {
    const v = req.header.requestApiVersion;
    switch (req.header.requestApiKey) {
      case 10: this.findCoordinator(req, req.body as FindCoordinatorRequest, v); return true;
      case 11: this.join(req, req.body as JoinGroupRequest, v); return true;
      case 14: this.sync(req, req.body as SyncGroupRequest); return true;
      case 12: this.heartbeat(req, req.body as HeartbeatRequest); return true;
      case 13: this.leave(req, req.body as LeaveGroupRequest, v); return true;
      case 8: this.commit(req, req.body as OffsetCommitRequest); return true;
      case 9: this.fetchOffsets(req, req.body as OffsetFetchRequest, v); return true;
      case 15: this.describe(req, req.body as DescribeGroupsRequest); return true;
      case 16: req.reply(ListGroupsApi, { errorCode: 0, groups: [...this.groups].map(([groupId, g]) => ({ groupId, protocolType: 'consumer', groupState: g.state })) }); return true;
      case 42: this.deleteGroups(req, req.body as DeleteGroupsRequest); return true;
      default: return false;
    }
  }

  private findCoordinator(req: FakeRequest, body: FindCoordinatorRequest, v: number): void {
    const errorCode = this.findCoordinatorError();
    const port = this.cluster.broker.port;
    if (v >= 4) {
      req.reply(FindCoordinatorApi, { coordinators: (body.coordinatorKeys ?? []).map((key) => ({ key, nodeId: 1, host: '127.0.0.1', port, errorCode, errorMessage: null })) });
    } else {
      req.reply(FindCoordinatorApi, { errorCode, errorMessage: null, nodeId: 1, host: '127.0.0.1', port });
    }
  }

  private join(req: FakeRequest, body: JoinGroupRequest, v: number): void {
    const g = this.group(body.groupId);
    const fail = (errorCode: number, memberId = body.memberId): void =>
      req.reply(JoinGroupApi, { errorCode, generationId: -1, protocolName: null, leader: '', memberId, members: [] });
    let memberId = body.memberId;
    const instanceId = body.groupInstanceId ?? null;
    if (memberId === '') {
      memberId = `${req.header.clientId ?? 'client'}-${++this.nextId}`;
      if (instanceId !== null) {
        for (const m of g.members.values()) if (m.instanceId === instanceId) g.members.delete(m.memberId);
      } else if (v >= 4) {
        g.members.set(memberId, this.newMember(memberId, body, req));
        g.members.get(memberId)!.join = null;
        this.log.push(`join ${memberId} MEMBER_ID_REQUIRED`);
        fail(79, memberId);
        return;
      }
    } else if (!g.members.has(memberId)) {
      fail(25);
      return;
    }
    const existing = g.members.get(memberId);
    const m = existing ?? this.newMember(memberId, body, req);
    m.protocols = body.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
    m.join = req;
    g.members.set(memberId, m);
    this.log.push(`join ${memberId}`);
    if (g.state !== 'PreparingRebalance') this.prepareRebalance(g);
    this.tryCompleteJoin(g);
  }

  private newMember(memberId: string, body: JoinGroupRequest, req: FakeRequest): Member {
    return {
      memberId, instanceId: body.groupInstanceId ?? null, clientId: req.header.clientId ?? '', protocols: [],
      rebalanceTimeoutMs: body.rebalanceTimeoutMs ?? body.sessionTimeoutMs, join: null, sync: null, assignment: Buffer.alloc(0),
    };
  }

  private prepareRebalance(g: Group): void {
    for (const m of g.members.values()) {
      m.sync?.reply(SyncGroupApi, { errorCode: 27, assignment: Buffer.alloc(0) });
      m.sync = null;
    }
    g.state = 'PreparingRebalance';
    const timeout = Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs));
    if (g.timer !== null) clearTimeout(g.timer);
    g.timer = setTimeout(() => {
      g.timer = null;
      for (const m of [...g.members.values()]) if (m.join === null) g.members.delete(m.memberId);
      this.tryCompleteJoin(g);
    }, timeout);
  }

  private tryCompleteJoin(g: Group): void {
    const members = [...g.members.values()];
    if (g.state !== 'PreparingRebalance' || members.some((m) => m.join === null)) return;
    if (g.timer !== null) clearTimeout(g.timer);
    g.timer = null;
    g.generation++;
    if (!g.members.has(g.leader)) g.leader = members[0]!.memberId;
    const first = members[0]!.protocols.map((p) => p.name);
    g.protocol = first.find((name) => members.every((m) => m.protocols.some((p) => p.name === name))) ?? '';
    g.state = 'CompletingRebalance';
    this.log.push(`generation ${g.generation} leader ${g.leader} ${g.protocol} members ${members.map((m) => m.memberId).join(',')}`);
    for (const m of members) {
      const isLeader = m.memberId === g.leader;
      m.join!.reply(JoinGroupApi, {
        errorCode: 0, generationId: g.generation, protocolType: 'consumer', protocolName: g.protocol, leader: g.leader, memberId: m.memberId,
        members: isLeader ? members.map((x) => ({ memberId: x.memberId, groupInstanceId: x.instanceId, metadata: x.protocols.find((p) => p.name === g.protocol)!.metadata })) : [],
      });
      m.join = null;
    }
  }

  private check(g: Group, memberId: string, generation: number): number {
    if (!g.members.has(memberId)) return 25;
    if (generation !== g.generation) return 22;
    if (g.state === 'PreparingRebalance') return 27;
    return 0;
  }

  private sync(req: FakeRequest, body: SyncGroupRequest): void {
    const g = this.group(body.groupId);
    const code = this.check(g, body.memberId, body.generationId);
    if (code !== 0) { req.reply(SyncGroupApi, { errorCode: code, assignment: Buffer.alloc(0) }); return; }
    const m = g.members.get(body.memberId)!;
    if (g.state === 'Stable') { req.reply(SyncGroupApi, { errorCode: 0, protocolType: 'consumer', protocolName: g.protocol, assignment: m.assignment }); return; }
    m.sync = req;
    if (body.memberId !== g.leader) return;
    const given = new Map(body.assignments.map((a) => [a.memberId, Buffer.from(a.assignment)]));
    g.state = 'Stable';
    this.log.push(`sync generation ${g.generation}`);
    for (const x of g.members.values()) {
      x.assignment = given.get(x.memberId) ?? Buffer.alloc(0);
      x.sync?.reply(SyncGroupApi, { errorCode: 0, protocolType: 'consumer', protocolName: g.protocol, assignment: x.assignment });
      x.sync = null;
    }
  }

  private heartbeat(req: FakeRequest, body: HeartbeatRequest): void {
    const injected = this.heartbeatError(body.memberId);
    const code = injected !== 0 ? injected : this.check(this.group(body.groupId), body.memberId, body.generationId);
    req.reply(HeartbeatApi, { errorCode: code });
  }

  private leave(req: FakeRequest, body: LeaveGroupRequest, v: number): void {
    const g = this.group(body.groupId);
    const ids = v >= 3 ? (body.members ?? []).map((m) => m.memberId) : [body.memberId ?? ''];
    for (const id of ids) { g.members.delete(id); this.log.push(`leave ${id}`); }
    if (g.members.size === 0) {
      g.state = 'Empty';
      if (g.timer !== null) clearTimeout(g.timer);
      g.timer = null;
    } else {
      if (g.state !== 'PreparingRebalance') this.prepareRebalance(g);
      this.tryCompleteJoin(g);
    }
    req.reply(LeaveGroupApi, { errorCode: 0, members: ids.map((memberId) => ({ memberId, groupInstanceId: null, errorCode: 0 })) });
  }

  private commit(req: FakeRequest, body: OffsetCommitRequest): void {
    const g = this.group(body.groupId);
    const generation = body.generationIdOrMemberEpoch ?? -1;
    let code = 0;
    if (generation < 0 && body.memberId === '') code = g.state === 'Empty' ? 0 : 25;
    else if (!g.members.has(body.memberId ?? '')) code = 25;
    else if (generation !== g.generation) code = 22;
    else if (g.state === 'CompletingRebalance') code = 27;
    if (code === 0) {
      for (const t of body.topics) for (const p of t.partitions) {
        g.offsets.set(`${t.name}-${p.partitionIndex}`, { topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata ?? null });
      }
    }
    this.log.push(`commit ${body.memberId ?? ''} ${code}`);
    req.reply(OffsetCommitApi, { topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })) });
  }

  private fetchOffsets(req: FakeRequest, body: OffsetFetchRequest, v: number): void {
    const groupId = v >= 8 ? body.groups![0]!.groupId : body.groupId!;
    const wanted = v >= 8 ? body.groups![0]!.topics : body.topics;
    const g = this.group(groupId);
    const topics = wanted === null || wanted === undefined
      ? [...new Set([...g.offsets.values()].map((o) => o.topic))].map((name) => ({ name, partitionIndexes: [...g.offsets.values()].filter((o) => o.topic === name).map((o) => o.partition) }))
      : wanted;
    const answer = topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const o = g.offsets.get(`${t.name}-${p}`);
        return { partitionIndex: p, committedOffset: o?.offset ?? -1, committedLeaderEpoch: -1, metadata: o?.metadata ?? '', errorCode: 0 };
      }),
    }));
    if (v >= 8) req.reply(OffsetFetchApi, { groups: [{ groupId, topics: answer, errorCode: 0 }] });
    else req.reply(OffsetFetchApi, { topics: answer, errorCode: 0 });
  }

  private describe(req: FakeRequest, body: DescribeGroupsRequest): void {
    req.reply(DescribeGroupsApi, {
      groups: body.groups.map((groupId) => {
        const g = this.groups.get(groupId);
        if (g === undefined) return { errorCode: 0, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        return {
          errorCode: 0, groupId, groupState: g.state, protocolType: 'consumer', protocolData: g.protocol,
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, clientHost: '/127.0.0.1',
            memberMetadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? Buffer.alloc(0), memberAssignment: m.assignment,
          })),
        };
      }),
    });
  }

  private deleteGroups(req: FakeRequest, body: DeleteGroupsRequest): void {
    req.reply(DeleteGroupsApi, {
      throttleTimeMs: 0,
      results: body.groupsNames.map((groupId) => {
        const g = this.groups.get(groupId);
        const errorCode = g === undefined ? 69 : g.members.size > 0 ? 68 : 0;
        if (errorCode === 0) this.groups.delete(groupId);
        return { groupId, errorCode };
      }),
    });
  }

  close(): void {
    for (const g of this.groups.values()) if (g.timer !== null) clearTimeout(g.timer);
  }
}
