/**
 * One partition replica hosted by this broker: its log, role (leader, follower or neither, from the
 * partition state in the metadata store), ISR bookkeeping and high watermark (Kafka's ISR model).
 *
 * - Leader: tracks each follower's log end offset (the offset of its last fetch) and the last time
 *   it was caught up; the HW is the minimum log end offset over the ISR (leader included) and never
 *   moves back (asserted). ISR changes are proposed here (`isrExpansion`, `isrShrink`) and written
 *   by the ReplicaManager with compare-and-set; while a write is in flight the HW counts the union
 *   of the current and the proposed ISR, which is never less safe than either.
 * - Follower: appends the leader's batches with their offsets; its HW is min(leader HW, own log
 *   end offset). Truncation (by leader epoch, done by the replica fetcher) is the one place the HW
 *   may drop, and only down to the new log end offset.
 * Listeners registered with `onHighWatermarkAdvance` also hear role changes, so waiters (acks=all,
 * long polls) re-check when leadership moves; `onLogAppend` wakes follower fetches.
 */
import type { AppendResult, PartitionLog } from '@tributary/storage';
import type { PartitionState } from '../metadata/index.ts';

interface FollowerState {
  /** Offset of the follower's last fetch: it holds everything before it. -1 until it fetches. */
  logEndOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export type ReplicaRole = 'leader' | 'follower' | 'none';

/** What an applied state change means for this replica. */
export interface RoleChange {
  readonly role: ReplicaRole;
  /** The role or the leader epoch changed (a follower must then truncate by epoch before fetching). */
  readonly changed: boolean;
}

export class Partition {
  readonly topic: string;
  readonly index: number;
  readonly topicId: string;
  readonly log: PartitionLog;
  private readonly localBrokerId: number;
  private assigned: readonly number[];
  private state: PartitionState;
  private hw: number;
  private leaderEpochStartOffset = 0;
  private readonly followers = new Map<number, FollowerState>();
  /** The ISR being written to the metadata store by this leader, null when no write is in flight. */
  private proposedIsr: readonly number[] | null = null;
  private readonly hwListeners = new Set<() => void>();
  private readonly appendListeners = new Set<() => void>();

  constructor(
    topic: string, index: number, topicId: string, log: PartitionLog, state: PartitionState, localBrokerId: number,
    replicas: readonly number[] = [localBrokerId], nowMs = 0, checkpointedHighWatermark?: number,
  ) {
    this.topic = topic;
    this.index = index;
    this.topicId = topicId;
    this.log = log;
    this.state = state;
    this.localBrokerId = localBrokerId;
    this.assigned = replicas;
    // Without a HW checkpoint: a sole in-sync leader acknowledged everything it holds; any other
    // replica starts from its log start and learns the HW again (leader: from follower fetches).
    const soleInSync = state.leader === localBrokerId && state.isr.length === 1 && state.isr[0] === localBrokerId;
    this.hw = soleInSync ? log.logEndOffset : log.logStartOffset;
    // With one (replication-offset-checkpoint): start from it, within the log's bounds.
    if (!soleInSync && checkpointedHighWatermark !== undefined) {
      this.hw = Math.max(log.logStartOffset, Math.min(checkpointedHighWatermark, log.logEndOffset));
    }
    if (this.isLeader) this.becomeLeader(nowMs);
  }

  get leaderId(): number { return this.state.leader; }
  get leaderEpoch(): number { return this.state.leaderEpoch; }
  get isr(): readonly number[] { return this.state.isr; }
  get stateVersion(): number { return this.state.version; }
  get replicas(): readonly number[] { return this.assigned; }
  get isLeader(): boolean { return this.state.leader === this.localBrokerId; }
  get role(): ReplicaRole {
    if (this.isLeader) return 'leader';
    return this.assigned.includes(this.localBrokerId) && this.state.leader >= 0 ? 'follower' : 'none';
  }
  get highWatermark(): number { return this.hw; }
  get logEndOffset(): number { return this.log.logEndOffset; }
  get logStartOffset(): number { return this.log.logStartOffset; }
  /** Without transactions the last stable offset equals the high watermark. */
  get lastStableOffset(): number { return this.hw; }
  get isrWriteInFlight(): boolean { return this.proposedIsr !== null; }

  /** The topic's assignment changed (partition reassignment). */
  setReplicas(replicas: readonly number[]): void {
    this.assigned = replicas;
  }

  /** Applies a partition-state change from the metadata store (leader, epoch, ISR). */
  applyState(next: PartitionState, nowMs = 0): RoleChange {
    if (next.leaderEpoch < this.state.leaderEpoch) {
      throw new Error(`invariant: leader epoch of ${this.topic}-${this.index} went back ${this.state.leaderEpoch} -> ${next.leaderEpoch}`);
    }
    if (next.version < this.state.version) return { role: this.role, changed: false }; // stale delivery
    const before = this.role;
    const epochChanged = next.leaderEpoch !== this.state.leaderEpoch;
    this.state = next;
    const role = this.role;
    const changed = role !== before || epochChanged;
    if (role === 'leader' && changed) this.becomeLeader(nowMs);
    if (role !== 'leader') this.followers.clear();
    this.maybeAdvanceHighWatermark();
    if (changed) this.notify(this.hwListeners);
    return { role, changed };
  }

  /** Kafka's makeLeader: a new epoch starts at the log end offset; follower tracking restarts. */
  private becomeLeader(nowMs: number): void {
    this.log.assignLeaderEpoch(this.state.leaderEpoch);
    this.leaderEpochStartOffset = this.log.logEndOffset;
    this.followers.clear();
    for (const id of this.assigned) {
      if (id === this.localBrokerId) continue;
      // Followers in the ISR get a full replica.lag.time.max.ms to show up before they can be dropped.
      const caughtUp = this.state.isr.includes(id) ? nowMs : 0;
      this.followers.set(id, { logEndOffset: -1, lastCaughtUpTimeMs: caughtUp, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: 0 });
    }
  }

  /** Appends validated batches as leader, then advances the HW where the ISR allows. */
  appendAsLeader(batches: Buffer, opts: { logAppendTimeMs?: number } = {}): AppendResult {
    if (!this.isLeader) throw new Error(`invariant: leader append to ${this.topic}-${this.index} on a non-leader`);
    const result = this.log.appendAsLeader(batches, this.state.leaderEpoch, opts);
    this.maybeAdvanceHighWatermark();
    this.notify(this.appendListeners);
    return result;
  }

  /** Appends batches fetched from the leader, keeping the leader's offsets (contiguity checked by the log). */
  appendAsFollower(batches: Buffer): AppendResult {
    if (this.isLeader) throw new Error(`invariant: follower append to ${this.topic}-${this.index} on the leader`);
    return this.log.appendAsFollower(batches);
  }

  /** Follower: the leader reported its HW; ours is min(leader HW, own log end offset), never lower. */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    const candidate = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (candidate > this.hw) this.setHighWatermark(candidate);
  }

  /** Follower truncation (by leader epoch): drops offsets >= `offset`; the HW follows down if above. */
  truncateTo(offset: number): void {
    if (this.isLeader) throw new Error(`invariant: truncation of ${this.topic}-${this.index} while leader`);
    this.log.truncateTo(offset);
    if (this.hw > this.log.logEndOffset) this.hw = this.log.logEndOffset;
  }

  /** Follower fell below the leader's log start: start over there. */
  truncateFullyAndStartAt(offset: number): void {
    if (this.isLeader) throw new Error(`invariant: truncation of ${this.topic}-${this.index} while leader`);
    this.log.truncateFullyAndStartAt(offset);
    this.hw = offset;
  }

  /**
   * Leader: follower `brokerId` fetched from `fetchOffset`, so its log ends there. Updates its
   * caught-up time as Kafka does (caught up to the leader's end now, or to the leader's end at its
   * previous fetch), then advances the HW. Returns false when `brokerId` is not a follower here.
   */
  recordFollowerFetch(brokerId: number, fetchOffset: number, nowMs: number): boolean {
    const f = this.followers.get(brokerId);
    if (f === undefined || !this.isLeader) return false;
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leaderEnd;
    f.lastFetchTimeMs = nowMs;
    this.maybeAdvanceHighWatermark();
    return true;
  }

  /** Compatibility alias: a follower fetched from `logEndOffset`. */
  updateFollowerLogEndOffset(brokerId: number, logEndOffset: number, nowMs = 0): void {
    this.recordFollowerFetch(brokerId, logEndOffset, nowMs);
  }

  /** Leader: the ISR with `brokerId` added when it has caught up (LEO >= HW and within this epoch). */
  isrExpansion(brokerId: number): number[] | null {
    const f = this.followers.get(brokerId);
    if (!this.isLeader || f === undefined || this.state.isr.includes(brokerId)) return null;
    if (f.logEndOffset < this.hw || f.logEndOffset < this.leaderEpochStartOffset) return null;
    return [...this.state.isr, brokerId];
  }

  /** Leader: the ISR without followers that have not caught up for `lagTimeMaxMs`, or null if none lag. */
  isrShrink(nowMs: number, lagTimeMaxMs: number): number[] | null {
    if (!this.isLeader) return null;
    const leaderEnd = this.log.logEndOffset;
    const lagging = this.state.isr.filter((id) => {
      const f = this.followers.get(id);
      if (id === this.localBrokerId || f === undefined) return false;
      return f.logEndOffset !== leaderEnd && nowMs - f.lastCaughtUpTimeMs > lagTimeMaxMs;
    });
    return lagging.length === 0 ? null : this.state.isr.filter((id) => !lagging.includes(id));
  }

  /** The ReplicaManager starts (isr) or ends (null) a compare-and-set ISR write. */
  setProposedIsr(isr: readonly number[] | null): void {
    this.proposedIsr = isr;
    this.maybeAdvanceHighWatermark();
  }

  /** Moves the log start offset (DeleteRecords); returns the new log start offset. */
  deleteRecordsBefore(offset: number): number {
    return this.log.deleteRecordsBefore(offset);
  }

  /** Registers a callback for HW advances and role changes; returns the unregister function. */
  onHighWatermarkAdvance(listener: () => void): () => void {
    this.hwListeners.add(listener);
    return () => { this.hwListeners.delete(listener); };
  }

  /** Registers a callback for leader appends (wakes follower fetches); returns the unregister function. */
  onLogAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => { this.appendListeners.delete(listener); };
  }

  /** Test and operator view of the leader's follower tracking. */
  followerLogEndOffset(brokerId: number): number | undefined {
    return this.followers.get(brokerId)?.logEndOffset;
  }

  private maybeAdvanceHighWatermark(): void {
    if (!this.isLeader) return;
    let candidate = this.log.logEndOffset;
    const counted = this.proposedIsr === null ? this.state.isr : new Set([...this.state.isr, ...this.proposedIsr]);
    for (const id of counted) {
      if (id === this.localBrokerId) continue;
      const leo = this.followers.get(id)?.logEndOffset ?? -1;
      candidate = Math.min(candidate, leo < 0 ? this.hw : leo);
    }
    if (candidate > this.hw) this.setHighWatermark(candidate);
  }

  private setHighWatermark(next: number): void {
    if (next < this.hw) throw new Error(`invariant: HW of ${this.topic}-${this.index} moved back ${this.hw} -> ${next}`);
    this.hw = next;
    this.notify(this.hwListeners);
    this.notify(this.appendListeners); // follower fetches carry the HW too
  }

  private notify(listeners: Set<() => void>): void {
    if (listeners.size === 0) return;
    for (const l of [...listeners]) l();
  }
}
