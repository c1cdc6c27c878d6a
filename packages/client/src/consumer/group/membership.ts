import { setTimeout as delay } from 'node:timers/promises';
import { HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi } from '@tributary/protocol/generated/index.ts';
import type { JoinGroupResponse } from '@tributary/protocol/generated/11-join-group.ts';
import { kafkaError, KafkaError } from '../../kafka-errors.ts';
import { ClientError } from '../../errors.ts';
import type { Assignor, MemberSubscription, TopicPartition } from '../assignors/types.ts';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, encodeAssignment, encodeSubscription, memberSubscription } from './consumer-protocol.ts';
import { COORDINATOR_LOAD_IN_PROGRESS, isCoordinatorMoved, type CoordinatorLink } from './coordinator.ts';

const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;
const NO_GENERATION = -1;
/** Extra time on top of the rebalance timeout before a JoinGroup request times out (Java's 5 s). */
const JOIN_TIMEOUT_SLACK_MS = 5_000;
/** Join attempts in one `join()` before giving up (each failure is a retriable answer). */
const JOIN_ATTEMPTS_MAX = 50;

export interface MembershipOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  retryBackoffMs: number;
  rackId: string | null;
  /** In preference order. */
  assignors: readonly Assignor[];
}

export interface MembershipHooks {
  /** Before each JoinGroup: give up partitions (eager: all; lost ones when the generation is gone). */
  beforeJoin(generationValid: boolean): Promise<void>;
  /** Topics to put in the subscription and partitions owned now (cooperative only). */
  subscription(): { topics: readonly string[]; owned: readonly TopicPartition[] };
  /** Leader only: partition counts of the group's topics (topics without metadata left out). */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
  /** Something needs the member to rejoin (heartbeat answer) or failed fatally. */
  onRejoinNeeded(): void;
  onFatal(err: Error): void;
}

export interface JoinResult {
  generationId: number;
  protocolName: string;
  assignor: Assignor;
  isLeader: boolean;
  assigned: TopicPartition[];
  /** Leader only: the counts the assignment was computed from (to notice partition changes). */
  partitionCounts: Map<string, number> | null;
}

export type MemberState = 'unjoined' | 'joining' | 'stable';

/**
 * The classic group membership of one consumer: JoinGroup (with MEMBER_ID_REQUIRED), SyncGroup
 * (running the assignor when leader), heartbeats on a timer, LeaveGroup. Error answers map to
 * Kafka's reactions: coordinator moves → rediscover; REBALANCE_IN_PROGRESS → rejoin;
 * ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID → forget the generation (and member id) and rejoin.
 */
export class GroupMembership {
  memberId = '';
  generationId = NO_GENERATION;
  protocolName: string | null = null;
  state: MemberState = 'unjoined';
  rejoinNeeded = true;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeating = false;
  private stopped = false;

  constructor(readonly link: CoordinatorLink, readonly opts: MembershipOptions, private readonly hooks: MembershipHooks) {}

  get rebalanceProtocol(): 'eager' | 'cooperative' {
    return this.opts.assignors.every((a) => a.rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager';
  }

  get generationValid(): boolean { return this.generationId !== NO_GENERATION; }

  requestRejoin(): void {
    if (this.rejoinNeeded) return;
    this.rejoinNeeded = true;
    this.hooks.onRejoinNeeded();
  }

  /** Forgets the generation (and the member id after UNKNOWN_MEMBER_ID): owned partitions are lost. */
  resetGeneration(forgetMemberId: boolean): void {
    this.generationId = NO_GENERATION;
    if (forgetMemberId) this.memberId = '';
    this.state = 'unjoined';
    this.requestRejoin();
  }

  /** Joins (or rejoins) until a SyncGroup succeeds; throws on fatal answers. */
  async join(): Promise<JoinResult> {
    this.state = 'joining';
    this.stopHeartbeat();
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new ClientError('CLIENT_CLOSED', 'group consumer is closed');
      await this.hooks.beforeJoin(this.generationValid);
      this.rejoinNeeded = false;
      try {
        const joined = await this.sendJoin();
        const result = await this.sync(joined);
        this.state = 'stable';
        this.startHeartbeat();
        return result;
      } catch (err) {
        if (!(err instanceof KafkaError) && !isConnectionError(err)) { this.state = 'unjoined'; throw err; }
        if (attempt >= JOIN_ATTEMPTS_MAX || !this.reactToJoinError(err)) { this.state = 'unjoined'; throw err; }
        if (!(err instanceof KafkaError) || isCoordinatorMoved(err.code)) await delay(this.opts.retryBackoffMs);
      }
    }
  }

  /** True when the error is retriable by rejoining; adjusts member id / generation / coordinator. */
  private reactToJoinError(err: unknown): boolean {
    if (!(err instanceof KafkaError)) { this.link.markUnknown(); return true; }
    switch (err.code) {
      case MEMBER_ID_REQUIRED: return true; // sendJoin stored the id
      case UNKNOWN_MEMBER_ID: this.memberId = ''; this.generationId = NO_GENERATION; return true;
      case ILLEGAL_GENERATION: this.generationId = NO_GENERATION; return true;
      case REBALANCE_IN_PROGRESS: return true;
      case COORDINATOR_LOAD_IN_PROGRESS: return true;
      default:
        if (isCoordinatorMoved(err.code)) { this.link.markUnknown(); return true; }
        return false;
    }
  }

  private async sendJoin(): Promise<JoinGroupResponse> {
    const { topics, owned } = this.hooks.subscription();
    const cooperative = this.rebalanceProtocol === 'cooperative';
    const protocols = this.opts.assignors.map((a) => ({
      name: a.name,
      metadata: encodeSubscription({
        topics, ownedPartitions: cooperative ? owned : [], generationId: this.generationId,
        userData: a.subscriptionUserData?.(this.generationId) ?? null, rackId: this.opts.rackId,
      }),
    }));
    const conn = await this.link.connection();
    const res = await conn.send(JoinGroupApi, {
      groupId: this.opts.groupId, sessionTimeoutMs: this.opts.sessionTimeoutMs, rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
      memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE, protocols, reason: null,
    }, { timeoutMs: this.opts.rebalanceTimeoutMs + JOIN_TIMEOUT_SLACK_MS });
    if (res.errorCode === MEMBER_ID_REQUIRED) this.memberId = res.memberId;
    if (res.errorCode !== 0) {
      if (res.errorCode === REBALANCE_IN_PROGRESS || res.errorCode === COORDINATOR_LOAD_IN_PROGRESS) await delay(this.opts.retryBackoffMs);
      throw kafkaError(res.errorCode, `join group ${this.opts.groupId}`);
    }
    this.memberId = res.memberId;
    this.generationId = res.generationId ?? NO_GENERATION;
    this.protocolName = res.protocolName ?? null;
    return res;
  }

  private async sync(joined: JoinGroupResponse): Promise<JoinResult> {
    const name = joined.protocolName ?? this.protocolName ?? this.opts.assignors[0]!.name;
    const assignor = this.opts.assignors.find((a) => a.name === name);
    if (assignor === undefined) throw new ClientError('PROTOCOL_VIOLATION', `coordinator chose assignor ${name}, which this member did not offer`);
    const isLeader = joined.leader === joined.memberId;
    let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
    let counts: Map<string, number> | null = null;
    if (isLeader && joined.skipAssignment !== true) {
      const members: MemberSubscription[] = joined.members.map((m) => memberSubscription(m.memberId, m.groupInstanceId ?? null, m.metadata));
      counts = await this.hooks.partitionCounts([...new Set(members.flatMap((m) => m.topics))]);
      const plan = assignor.assign(members, counts);
      assignments = members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment(plan.get(m.memberId) ?? []) }));
    }
    const conn = await this.link.connection();
    const res = await conn.send(SyncGroupApi, {
      groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE, protocolName: name, assignments,
    }, { timeoutMs: this.opts.rebalanceTimeoutMs + JOIN_TIMEOUT_SLACK_MS });
    if (res.errorCode !== 0) throw kafkaError(res.errorCode, `sync group ${this.opts.groupId}`);
    return {
      generationId: this.generationId, protocolName: name, assignor, isLeader,
      assigned: decodeAssignment(res.assignment).partitions, partitionCounts: counts,
    };
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), this.opts.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    this.heartbeatTimer = null;
    if (this.stopped || this.state !== 'stable' || this.heartbeating) return;
    this.heartbeating = true;
    try {
      const conn = await this.link.connection();
      const res = await conn.send(HeartbeatApi, {
        groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId,
      });
      this.onHeartbeatAnswer(res.errorCode);
    } catch (err) {
      if (isConnectionError(err) || (err instanceof KafkaError && err.code === COORDINATOR_NOT_AVAILABLE_CODE)) this.link.markUnknown();
      else if (!this.stopped) this.hooks.onFatal(err as Error);
    } finally {
      this.heartbeating = false;
    }
    if (!this.stopped && this.state === 'stable') this.startHeartbeat();
  }

  private onHeartbeatAnswer(code: number): void {
    if (this.state !== 'stable') return; // a join started meanwhile; its answer decides
    switch (code) {
      case 0: return;
      case REBALANCE_IN_PROGRESS: this.requestRejoin(); return;
      case ILLEGAL_GENERATION: this.resetGeneration(false); return;
      case UNKNOWN_MEMBER_ID: this.resetGeneration(true); return;
      case COORDINATOR_LOAD_IN_PROGRESS: return;
      default:
        if (isCoordinatorMoved(code)) { this.link.markUnknown(); return; }
        this.state = 'unjoined';
        this.hooks.onFatal(kafkaError(code, `heartbeat to group ${this.opts.groupId}`));
    }
  }

  /** LeaveGroup (dynamic members only: static ones keep their slot until the session times out). */
  async leave(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    const wasMember = this.memberId !== '';
    this.state = 'unjoined';
    if (!wasMember || this.opts.groupInstanceId !== null) return;
    try {
      const conn = await this.link.connection();
      const res = await conn.send(LeaveGroupApi, {
        groupId: this.opts.groupId, memberId: this.memberId,
        members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is being closed' }],
      });
      if (res.errorCode !== 0 && res.errorCode !== UNKNOWN_MEMBER_ID) throw kafkaError(res.errorCode, `leave group ${this.opts.groupId}`);
    } finally {
      this.memberId = '';
      this.generationId = NO_GENERATION;
    }
  }

  stop(): void {
    this.stopped = true;
    this.stopHeartbeat();
  }
}

const COORDINATOR_NOT_AVAILABLE_CODE = 15;

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'CONNECTION_CLOSED' || code === 'CONNECT_FAILED' || code === 'REQUEST_TIMEOUT' || code === 'NO_BROKERS';
}
