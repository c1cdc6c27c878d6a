/**
 * The classic group coordinator (Kafka's GroupCoordinator): JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup over the state machine Empty -> PreparingRebalance -> CompletingRebalance -> Stable
 * (Dead when deleted). Delayed JoinGroup/SyncGroup replies are promises resolved here when the
 * rebalance completes; every timer (rebalance, initial delay, session, pending member) runs on the
 * injected clock. Offsets and the admin operations are in group-offsets.ts / group-admin.ts; request shapes and limits in group-requests.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '@tributary/storage';
import { ErrorCode } from '../error-codes.ts';
import type { Logger } from '../logger.ts';
import { ClassicGroup, GroupMember, type JoinResult, type SyncResult } from './classic-group.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import {
  joinError, syncError, NEW_MEMBER_JOIN_TIMEOUT_MS, PROTOCOL_METADATA_BYTES_MAX, PROTOCOLS_PER_MEMBER_MAX,
  type JoinRequest, type LeaveResult, type MemberIdentity, type SyncRequest,
} from './group-requests.ts';
import type { GroupStore } from './group-store.ts';

export class GroupCoordinator {
  readonly store: GroupStore;
  readonly config: GroupCoordinatorConfig;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly newUuid: () => string;

  constructor(store: GroupStore, config: GroupCoordinatorConfig, clock: Clock, logger: Logger, newUuid: () => string = randomUUID) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.logger = logger;
    this.newUuid = newUuid;
  }

  /** Loads the led partitions; loaded members get fresh session timers. */
  start(): Promise<void> {
    return this.store.loadAll(this.groupLoaded);
  }

  /** This broker became leader of a `__consumer_offsets` partition: load its groups. */
  onElection(partition: number): Promise<void> {
    return this.store.elect(partition, this.groupLoaded);
  }

  /** This broker stopped leading a `__consumer_offsets` partition: unload its groups. */
  onResignation(partition: number): void {
    this.store.resign(partition, (group) => this.unloadGroup(group));
  }

  private readonly groupLoaded = (group: ClassicGroup): void => {
    for (const m of group.members.values()) this.scheduleHeartbeat(group, m, m.sessionTimeoutMs);
  };

  /**
   * Kafka's onGroupUnloaded: the group is Dead here, its timers stop, and waiting JoinGroup and
   * SyncGroup requests get NOT_COORDINATOR so their clients find the new coordinator.
   */
  private unloadGroup(group: ClassicGroup): void {
    this.clearTimers(group);
    group.pendingMembers.clear();
    group.transitionTo('Dead', this.clock.now());
    for (const m of group.members.values()) {
      const join = m.joinWaiter;
      const sync = m.syncWaiter;
      m.joinWaiter = null;
      m.syncWaiter = null;
      join?.(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
      sync?.(syncError(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Clears every timer; pending replies are dropped with their connections. */
  stop(): void {
    for (const g of this.store.groups.values()) this.clearTimers(g);
  }

  private validateJoin(req: JoinRequest): number {
    if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return ErrorCode.INVALID_SESSION_TIMEOUT;
    }
    if (req.protocols.length > PROTOCOLS_PER_MEMBER_MAX) return ErrorCode.INVALID_REQUEST;
    let bytes = 0;
    for (const p of req.protocols) bytes += p.metadata.length;
    return bytes > PROTOCOL_METADATA_BYTES_MAX ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE;
  }

  async join(req: JoinRequest): Promise<JoinResult> {
    const bad = this.validateJoin(req);
    if (bad !== ErrorCode.NONE) return joinError(req.memberId, bad);
    const coordinator = await this.store.checkCoordinator(req.groupId);
    if (coordinator !== ErrorCode.NONE) return joinError(req.memberId, coordinator);
    let group = this.store.groups.get(req.groupId);
    if (group === undefined) {
      if (req.memberId !== '') return joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      group = new ClassicGroup(req.groupId, 'Empty', this.clock.now());
      this.store.groups.set(req.groupId, group);
    }
    const g = group;
    return new Promise<JoinResult>((resolve) => {
      if (!this.acceptJoiningMember(g, req.memberId)) resolve(joinError(req.memberId, ErrorCode.GROUP_MAX_SIZE_REACHED));
      else if (req.memberId === '') this.joinUnknownMember(g, req, resolve);
      else this.joinKnownMember(g, req, resolve);
    });
  }

  /** Kafka's acceptJoiningMember: existing members always; new ones up to group.max.size. */
  private acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    const max = this.config.maxSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance': {
        if (group.members.get(memberId)?.joinWaiter != null) return true;
        let awaiting = 0;
        for (const m of group.members.values()) if (m.joinWaiter !== null) awaiting++;
        return awaiting < max;
      }
      default:
        return group.has(memberId) || group.size < max;
    }
  }

  private joinUnknownMember(group: ClassicGroup, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    if (group.is('Dead')) return resolve(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return resolve(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = `${req.clientId}-${this.newUuid()}`;
    if (req.groupInstanceId !== null) return this.joinStaticMember(group, req, newMemberId, resolve);
    if (req.requireKnownMemberId) {
      const timer = this.clock.setTimeout(() => this.expirePendingMember(group, newMemberId), req.sessionTimeoutMs);
      group.pendingMembers.set(newMemberId, timer);
      return resolve(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, req, newMemberId, resolve);
  }

  private joinKnownMember(group: ClassicGroup, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    const { memberId } = req;
    if (group.is('Dead')) return resolve(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return resolve(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.pendingMembers.has(memberId)) {
      if (req.groupInstanceId !== null) return resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return this.addMemberAndRebalance(group, req, memberId, resolve);
    }
    if (group.isStaticMemberFenced(req.groupInstanceId, memberId)) return resolve(joinError(memberId, ErrorCode.FENCED_INSTANCE_ID));
    const member = group.members.get(memberId);
    const instanceUnknown = req.groupInstanceId !== null && !group.staticMembers.has(req.groupInstanceId);
    if (member === undefined || instanceUnknown) return resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req, resolve);
      case 'CompletingRebalance':
        if (member.sameProtocols(req.protocols)) return resolve(this.currentJoinResult(group, member, false));
        return this.updateMemberAndRebalance(group, member, req, resolve);
      case 'Stable':
        if (group.leaderId === memberId || !member.sameProtocols(req.protocols)) return this.updateMemberAndRebalance(group, member, req, resolve);
        return resolve({ ...this.currentJoinResult(group, member, false), members: [] });
      default:
        return resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  /** A static member (re)joining with an unknown member id: replace the old id, rebalance only if needed. */
  private joinStaticMember(group: ClassicGroup, req: JoinRequest, newMemberId: string, resolve: (r: JoinResult) => void): void {
    const instanceId = req.groupInstanceId!;
    const oldMemberId = group.staticMembers.get(instanceId);
    if (oldMemberId === undefined) return this.addMemberAndRebalance(group, req, newMemberId, resolve);
    const old = group.members.get(oldMemberId)!;
    old.joinWaiter?.(joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    old.joinWaiter = null;
    old.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    old.syncWaiter = null;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
    if (!group.is('Stable') || !member.sameProtocols(req.protocols)) return this.updateMemberAndRebalance(group, member, req, resolve);
    const previous = { sessionTimeoutMs: member.sessionTimeoutMs, rebalanceTimeoutMs: member.rebalanceTimeoutMs };
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    const generation = group.generationId;
    void this.store.appendGroup(group).then((err) => {
      if (err === ErrorCode.NONE || group.generationId !== generation || group.members.get(newMemberId) !== member) {
        const isLeader = group.leaderId === newMemberId;
        return resolve({ ...this.currentJoinResult(group, member, isLeader), skipAssignment: isLeader });
      }
      // Kafka reverts the replacement when the write fails: the old id stays valid.
      group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
      Object.assign(member, previous);
      resolve(joinError(newMemberId, err === ErrorCode.NOT_COORDINATOR ? err : ErrorCode.COORDINATOR_NOT_AVAILABLE));
    });
  }

  private currentJoinResult(group: ClassicGroup, member: GroupMember, withMembers: boolean): JoinResult {
    const isLeader = group.leaderId === member.memberId;
    return {
      errorCode: ErrorCode.NONE, generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName,
      leader: group.leaderId ?? '', memberId: member.memberId, skipAssignment: false,
      members: withMembers || isLeader ? this.memberList(group) : [],
    };
  }

  private memberList(group: ClassicGroup): JoinResult['members'] {
    const protocol = group.protocolName;
    if (protocol === null) return [];
    return [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocol) }));
  }

  private addMemberAndRebalance(group: ClassicGroup, req: JoinRequest, memberId: string, resolve: (r: JoinResult) => void): void {
    const member = new GroupMember({
      memberId, groupInstanceId: req.groupInstanceId, clientId: req.clientId, clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs, sessionTimeoutMs: req.sessionTimeoutMs, protocolType: req.protocolType, protocols: req.protocols,
    });
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) this.clock.clearTimeout(pending);
    group.pendingMembers.delete(memberId);
    group.add(member);
    member.joinWaiter = resolve;
    this.scheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
  }

  private updateMemberAndRebalance(group: ClassicGroup, member: GroupMember, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    const earlier = member.joinWaiter;
    member.joinWaiter = earlier === null ? resolve : (r) => { earlier(r); resolve(r); };
    this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
  }

  private maybePrepareRebalance(group: ClassicGroup): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.prepareRebalance(group);
  }

  private prepareRebalance(group: ClassicGroup): void {
    if (group.is('CompletingRebalance')) this.resetAssignments(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.clock.now());
    this.clearRebalanceTimer(group);
    const delayMs = this.config.initialRebalanceDelayMs;
    if (wasEmpty && delayMs > 0) {
      group.initialDelayActive = true;
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, delayMs, Math.max(group.maxRebalanceTimeoutMs() - delayMs, 0));
    } else {
      group.rebalanceTimer = this.clock.setTimeout(() => this.completeJoin(group), group.maxRebalanceTimeoutMs());
    }
  }

  /** Kafka's InitialDelayedJoin: while new members keep arriving, wait up to the rebalance timeout. */
  private scheduleInitialDelay(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    group.rebalanceTimer = this.clock.setTimeout(() => {
      group.rebalanceTimer = null;
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelay(group, next, Math.max(remainingMs - next, 0));
        return;
      }
      group.initialDelayActive = false;
      this.completeJoin(group);
    }, delayMs);
  }

  private tryCompleteJoin(group: ClassicGroup): void {
    if (group.is('PreparingRebalance') && !group.initialDelayActive && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Kafka's onCompleteJoin: drop dynamic members that did not rejoin, start the next generation, answer the joiners. */
  private completeJoin(group: ClassicGroup): void {
    if (!group.is('PreparingRebalance')) return;
    this.clearRebalanceTimer(group);
    group.initialDelayActive = false;
    for (const m of [...group.members.values()]) {
      if (m.joinWaiter === null && m.groupInstanceId === null) this.removeMember(group, m);
    }
    const now = this.clock.now();
    if (group.size === 0) {
      group.generationId++;
      group.protocolName = null;
      group.transitionTo('Empty', now);
      void this.store.appendGroup(group).then((err) => {
        if (err !== ErrorCode.NONE) this.logger.warn('could not store empty group', { group: group.groupId, error: err });
      });
      return;
    }
    if (!this.electJoinedLeader(group)) {
      // Only static members that have not rejoined remain: wait another rebalance timeout.
      group.rebalanceTimer = this.clock.setTimeout(() => this.completeJoin(group), group.maxRebalanceTimeoutMs());
      return;
    }
    group.generationId++;
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', now);
    for (const m of group.members.values()) {
      const waiter = m.joinWaiter;
      m.joinWaiter = null;
      m.isNew = false;
      this.scheduleHeartbeat(group, m, m.sessionTimeoutMs);
      waiter?.(this.currentJoinResult(group, m, false));
    }
  }

  private electJoinedLeader(group: ClassicGroup): boolean {
    const leader = group.leaderId === null ? undefined : group.members.get(group.leaderId);
    if (leader !== undefined && leader.joinWaiter !== null) return true;
    for (const m of group.members.values()) {
      if (m.joinWaiter !== null) {
        group.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** Clears assignments and answers waiting SyncGroups with `errorCode` (a rebalance started or the write failed). */
  private resetAssignments(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = Buffer.alloc(0);
      const waiter = m.syncWaiter;
      m.syncWaiter = null;
      waiter?.(syncError(errorCode));
    }
  }

  async sync(req: SyncRequest): Promise<SyncResult> {
    if (req.assignments.some((a) => a.assignment.length > PROTOCOL_METADATA_BYTES_MAX)) return syncError(ErrorCode.INVALID_REQUEST);
    if (req.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID);
    const coordinator = await this.store.checkCoordinator(req.groupId);
    if (coordinator !== ErrorCode.NONE) return syncError(coordinator);
    const group = this.store.groups.get(req.groupId);
    if (group === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(req.groupInstanceId, req.memberId)) return syncError(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    if (member === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((req.protocolType !== null && req.protocolType !== group.protocolType)
      || (req.protocolName !== null && req.protocolName !== group.protocolName)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (group.state) {
      case 'Empty': return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance': return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
        return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
      case 'CompletingRebalance':
        return this.awaitSync(group, member, req);
      default:
        return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  }

  private awaitSync(group: ClassicGroup, member: GroupMember, req: SyncRequest): Promise<SyncResult> {
    this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
    const reply = new Promise<SyncResult>((resolve) => {
      const earlier = member.syncWaiter;
      member.syncWaiter = earlier === null ? resolve : (r) => { earlier(r); resolve(r); };
    });
    if (group.leaderId !== member.memberId) return reply;
    const assignments = new Map<string, Buffer>();
    for (const m of group.members.keys()) assignments.set(m, Buffer.alloc(0));
    for (const a of req.assignments) if (assignments.has(a.memberId)) assignments.set(a.memberId, a.assignment);
    const generation = group.generationId;
    void this.store.appendGroup(group, assignments).then((err) => {
      if (!group.is('CompletingRebalance') || group.generationId !== generation) return;
      if (err !== ErrorCode.NONE) {
        this.resetAssignments(group, err === ErrorCode.NOT_COORDINATOR ? err : ErrorCode.COORDINATOR_NOT_AVAILABLE);
        this.maybePrepareRebalance(group);
        return;
      }
      group.transitionTo('Stable', this.clock.now());
      for (const m of group.members.values()) {
        m.assignment = assignments.get(m.memberId) ?? Buffer.alloc(0);
        const waiter = m.syncWaiter;
        m.syncWaiter = null;
        waiter?.({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment });
      }
    });
    return reply;
  }

  async heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): Promise<number> {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const coordinator = this.store.checkLoaded(groupId);
    if (coordinator !== ErrorCode.NONE) return coordinator;
    const group = this.store.groups.get(groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(memberId);
    if (group.is('Empty') || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
    return group.is('PreparingRebalance') ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Refreshes a member's session (an offset commit counts as a heartbeat). */
  touch(group: ClassicGroup, member: GroupMember): void {
    this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
  }

  async leave(groupId: string, leaving: readonly MemberIdentity[]): Promise<LeaveResult> {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const coordinator = this.store.checkLoaded(groupId);
    if (coordinator !== ErrorCode.NONE) return { errorCode: coordinator, members: [] };
    const group = this.store.groups.get(groupId);
    if (group === undefined) return { errorCode: ErrorCode.NONE, members: leaving.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    return { errorCode: ErrorCode.NONE, members: leaving.map((m) => ({ ...m, errorCode: this.leaveOne(group, m) })) };
  }

  private leaveOne(group: ClassicGroup, who: MemberIdentity): number {
    let memberId = who.memberId;
    if (who.groupInstanceId !== null) {
      const current = group.staticMembers.get(who.groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && memberId !== current) return ErrorCode.FENCED_INSTANCE_ID;
      memberId = current;
    } else {
      const pending = group.pendingMembers.get(memberId);
      if (pending !== undefined) {
        this.clock.clearTimeout(pending);
        group.pendingMembers.delete(memberId);
        this.tryCompleteJoin(group);
        return ErrorCode.NONE;
      }
    }
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMemberAndUpdateGroup(group, member, 'leave');
    return ErrorCode.NONE;
  }

  private removeMember(group: ClassicGroup, member: GroupMember): void {
    if (member.heartbeatTimer !== null) this.clock.clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = null;
    const join = member.joinWaiter;
    const sync = member.syncWaiter;
    member.joinWaiter = null;
    member.syncWaiter = null;
    join?.(joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    sync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
  }

  private removeMemberAndUpdateGroup(group: ClassicGroup, member: GroupMember, reason: string): void {
    this.logger.info('removing group member', { group: group.groupId, member: member.memberId, reason });
    this.removeMember(group, member);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
  }

  private scheduleHeartbeat(group: ClassicGroup, member: GroupMember, timeoutMs: number): void {
    if (member.heartbeatTimer !== null) this.clock.clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = this.clock.setTimeout(() => {
      member.heartbeatTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      const keepAlive = (member.joinWaiter !== null && !member.isNew) || member.syncWaiter !== null;
      if (keepAlive) this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
      else this.removeMemberAndUpdateGroup(group, member, 'session timeout');
    }, timeoutMs);
  }

  private expirePendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.tryCompleteJoin(group);
  }

  private clearRebalanceTimer(group: ClassicGroup): void {
    if (group.rebalanceTimer !== null) this.clock.clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
  }

  /** Every timer of the group (it is being deleted or the broker stops). */
  clearTimers(group: ClassicGroup): void {
    this.clearRebalanceTimer(group);
    for (const m of group.members.values()) {
      if (m.heartbeatTimer !== null) this.clock.clearTimeout(m.heartbeatTimer);
      m.heartbeatTimer = null;
    }
    for (const t of group.pendingMembers.values()) this.clock.clearTimeout(t);
  }
}
