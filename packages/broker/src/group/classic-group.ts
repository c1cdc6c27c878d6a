/**
 * One classic consumer group: members, state, generation, selected protocol, leader and committed
 * offsets. Pure data plus the rules Kafka's GroupMetadata applies (valid state transitions,
 * protocol support and selection, static member bookkeeping); timers and replies live in the
 * coordinator. Member metadata and assignments are opaque bytes, never parsed here except to
 * learn the subscribed topics of a "consumer" group (OffsetDelete, offset expiry).
 */
import { Reader, decodeConsumerProtocolSubscription } from '@tributary/protocol';
import type { TimerHandle } from '@tributary/storage';
import type { CommittedOffset } from './group-records.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';
export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];
export const CONSUMER_PROTOCOL_TYPE = 'consumer';
const CONSUMER_SUBSCRIPTION_VERSION_MAX = 3;

/** Kafka's GroupMetadata.validPreviousStates. */
const VALID_PREVIOUS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  Empty: ['PreparingRebalance'],
};

export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
  readonly skipAssignment: boolean;
}

export interface SyncResult {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export class GroupMember {
  memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly MemberProtocol[];
  assignment: Buffer = Buffer.alloc(0);
  /** Set while the member waits for the JoinGroup response (awaiting join). */
  joinWaiter: ((r: JoinResult) => void) | null = null;
  /** Set while the member waits for the SyncGroup response (awaiting sync). */
  syncWaiter: ((r: SyncResult) => void) | null = null;
  /** Joined during the current rebalance for the first time. */
  isNew = false;
  heartbeatTimer: TimerHandle | null = null;

  constructor(init: {
    memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; rebalanceTimeoutMs: number;
    sessionTimeoutMs: number; protocolType: string; protocols: readonly MemberProtocol[];
  }) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  metadataFor(protocol: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocol);
    if (p === undefined) throw new Error(`invariant: member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** Same protocol names and metadata bytes, in the same order. */
  sameProtocols(other: readonly MemberProtocol[]): boolean {
    return this.protocols.length === other.length
      && this.protocols.every((p, i) => p.name === other[i]!.name && p.metadata.equals(other[i]!.metadata));
  }
}

export class ClassicGroup {
  readonly groupId: string;
  state: GroupState;
  stateTimestampMs: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined; value: expiry timer. */
  readonly pendingMembers = new Map<string, TimerHandle>();
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /** topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** A member joined during the initial rebalance delay (extends the delay). */
  newMemberAdded = false;
  rebalanceTimer: TimerHandle | null = null;
  /** True while the initial `group.initial.rebalance.delay.ms` runs: joins never complete early. */
  initialDelayActive = false;

  constructor(groupId: string, state: GroupState, nowMs: number) {
    this.groupId = groupId;
    this.state = state;
    this.stateTimestampMs = nowMs;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(next: GroupState, nowMs: number): void {
    if (!VALID_PREVIOUS[next].includes(this.state)) {
      throw new Error(`invariant: group ${this.groupId} cannot go from ${this.state} to ${next}`);
    }
    this.state = next;
    this.stateTimestampMs = nowMs;
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
  }

  remove(memberId: string): GroupMember | undefined {
    const m = this.members.get(memberId);
    if (m === undefined) return undefined;
    this.members.delete(memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) this.staticMembers.delete(m.groupInstanceId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return m;
  }

  /** A known instance id whose current member id differs from `memberId` is fenced. */
  isStaticMemberFenced(groupInstanceId: string | null | undefined, memberId: string): boolean {
    if (groupInstanceId === null || groupInstanceId === undefined) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /** Moves a static member to a new member id (the old id is fenced from now on). */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const m = this.members.get(oldMemberId);
    if (m === undefined) throw new Error(`invariant: static member ${groupInstanceId} has unknown id ${oldMemberId}`);
    this.members.delete(oldMemberId);
    m.memberId = newMemberId;
    this.members.set(newMemberId, m);
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return m;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.joinWaiter === null) return false;
    return true;
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) {
      for (const name of new Set(m.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const out = new Set<string>();
    for (const [name, n] of counts) if (n === this.members.size) out.add(name);
    return out;
  }

  /** Kafka's supportsProtocols: an empty group takes any non-empty type and list. */
  supportsProtocols(protocolType: string, names: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && names.length > 0;
    if (this.protocolType !== protocolType) return false;
    const candidates = this.candidateProtocols();
    return names.some((n) => candidates.has(n));
  }

  /** Each member votes for its most preferred candidate; most votes wins (ties: first member's preference order). */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.has(p.name));
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
    if (best === null) throw new Error(`invariant: group ${this.groupId} has no common protocol`);
    return best;
  }

  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Topics the members of a "consumer" group subscribe to (from their ConsumerProtocolSubscription
   * for the selected protocol); null when unknown (another protocol type, or unparsable bytes).
   */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const p = m.protocols.find((x) => x.name === this.protocolName);
      if (p === undefined) return null;
      try {
        const r = new Reader(p.metadata);
        const version = Math.min(r.int16(), CONSUMER_SUBSCRIPTION_VERSION_MAX);
        if (version < 0) return null;
        for (const t of decodeConsumerProtocolSubscription(r, version).topics) topics.add(t);
      } catch {
        return null;
      }
    }
    return topics;
  }

  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  setOffset(topic: string, partition: number, o: CommittedOffset | null): void {
    let byPartition = this.offsets.get(topic);
    if (o === null) {
      byPartition?.delete(partition);
      if (byPartition?.size === 0) this.offsets.delete(topic);
      return;
    }
    if (byPartition === undefined) this.offsets.set(topic, (byPartition = new Map()));
    byPartition.set(partition, o);
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0;
  }
}
