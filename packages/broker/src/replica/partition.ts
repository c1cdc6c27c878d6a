/**
 * One partition replica hosted by this broker: its log, leader epoch, ISR and high watermark.
 *
 * High watermark rule (Kafka's): the minimum log end offset over the ISR, leader included. On a
 * single node the ISR is just the leader, so HW = LEO after every append; followers' LEOs are
 * tracked in `followerLogEndOffsets` for replication to plug into. The HW never moves back
 * (asserted), and every advance notifies the listeners registered by delayed fetches.
 */
import type { AppendResult, PartitionLog } from '@tributary/storage';
import type { PartitionState } from '../metadata/index.ts';

export class Partition {
  readonly topic: string;
  readonly index: number;
  readonly topicId: string;
  readonly log: PartitionLog;
  private readonly localBrokerId: number;
  private state: PartitionState;
  private hw: number;
  /** Follower broker id -> last log end offset it fetched from (replication fills this in). */
  private readonly followerLogEndOffsets = new Map<number, number>();
  private readonly hwListeners = new Set<() => void>();

  constructor(topic: string, index: number, topicId: string, log: PartitionLog, state: PartitionState, localBrokerId: number) {
    this.topic = topic;
    this.index = index;
    this.topicId = topicId;
    this.log = log;
    this.state = state;
    this.localBrokerId = localBrokerId;
    // Single node: every record in the recovered log was acknowledged, so it is all committed.
    // Replication will load the HW from a checkpoint instead.
    this.hw = log.logEndOffset;
    if (this.isLeader) log.assignLeaderEpoch(state.leaderEpoch);
  }

  get leaderId(): number { return this.state.leader; }
  get leaderEpoch(): number { return this.state.leaderEpoch; }
  get isr(): readonly number[] { return this.state.isr; }
  get isLeader(): boolean { return this.state.leader === this.localBrokerId; }
  get highWatermark(): number { return this.hw; }
  get logEndOffset(): number { return this.log.logEndOffset; }
  get logStartOffset(): number { return this.log.logStartOffset; }
  /** Without transactions the last stable offset equals the high watermark. */
  get lastStableOffset(): number { return this.hw; }

  /** Applies a partition-state change from the metadata store (leader, epoch, ISR). */
  applyState(next: PartitionState): void {
    if (next.leaderEpoch < this.state.leaderEpoch) {
      throw new Error(`invariant: leader epoch of ${this.topic}-${this.index} went back ${this.state.leaderEpoch} -> ${next.leaderEpoch}`);
    }
    this.state = next;
    // Kafka records a new leader epoch when leadership starts, not on the first append.
    if (this.isLeader) this.log.assignLeaderEpoch(next.leaderEpoch);
    this.maybeAdvanceHighWatermark();
  }

  /** Appends validated batches as leader, then advances the HW where the ISR allows. */
  appendAsLeader(batches: Buffer, opts: { logAppendTimeMs?: number } = {}): AppendResult {
    const result = this.log.appendAsLeader(batches, this.state.leaderEpoch, opts);
    this.maybeAdvanceHighWatermark();
    return result;
  }

  /** Replication hook: a follower fetched from `logEndOffset`, so it holds everything before it. */
  updateFollowerLogEndOffset(brokerId: number, logEndOffset: number): void {
    this.followerLogEndOffsets.set(brokerId, logEndOffset);
    this.maybeAdvanceHighWatermark();
  }

  /** Moves the log start offset (DeleteRecords); returns the new log start offset. */
  deleteRecordsBefore(offset: number): number {
    return this.log.deleteRecordsBefore(offset);
  }

  /** Registers a callback for the next HW advances; returns the unregister function. */
  onHighWatermarkAdvance(listener: () => void): () => void {
    this.hwListeners.add(listener);
    return () => { this.hwListeners.delete(listener); };
  }

  private maybeAdvanceHighWatermark(): void {
    let candidate = this.log.logEndOffset;
    for (const id of this.state.isr) {
      if (id === this.localBrokerId) continue;
      candidate = Math.min(candidate, this.followerLogEndOffsets.get(id) ?? this.hw);
    }
    if (candidate <= this.hw) return;
    this.hw = candidate;
    for (const l of [...this.hwListeners]) l();
  }
}
