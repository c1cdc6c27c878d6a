/**
 * The group coordinator service: membership (GroupCoordinator), offsets (GroupOffsets), admin
 * functions, persistence in `__consumer_offsets` (GroupStore over a CoordinatorLog) and the
 * periodic offset expiry. `start` loads the partitions this broker leads (in the background:
 * requests for groups there get COORDINATOR_LOAD_IN_PROGRESS meanwhile) and then follows
 * leadership: a partition this broker comes to lead is loaded, one it stops leading is unloaded
 * (its groups answer NOT_COORDINATOR from then on, so clients find the new coordinator).
 */
import type { Clock, TimerHandle } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { CoordinatorLog } from './coordinator-log.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { GroupOffsets, type PartitionExists } from './group-offsets.ts';
import { GroupStore } from './group-store.ts';

export interface GroupServiceOptions {
  readonly log: CoordinatorLog;
  readonly config: GroupCoordinatorConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly partitionExists: PartitionExists;
  /** Test hook: awaited before each `__consumer_offsets` partition is replayed. */
  readonly beforeLoad?: (partition: number) => Promise<void>;
  readonly newUuid?: () => string;
}

export class GroupService {
  readonly coordinator: GroupCoordinator;
  readonly offsets: GroupOffsets;
  readonly store: GroupStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly retentionCheckIntervalMs: number;
  private expiryTimer: TimerHandle | null = null;
  private expiring = false;
  private unfollowLeadership: (() => void) | null = null;
  /** Resolves when the startup load has finished. */
  loaded: Promise<void> = Promise.resolve();

  constructor(opts: GroupServiceOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.retentionCheckIntervalMs = opts.config.offsetsRetentionCheckIntervalMs;
    this.store = new GroupStore(opts.log, opts.clock, opts.logger, opts.beforeLoad);
    this.coordinator = new GroupCoordinator(this.store, opts.config, opts.clock, opts.logger, opts.newUuid);
    this.offsets = new GroupOffsets(this.coordinator, opts.partitionExists);
  }

  start(): void {
    this.unfollowLeadership = this.store.log.onLeadershipChange((partition, isLeader) => {
      if (isLeader) void this.coordinator.onElection(partition);
      else this.coordinator.onResignation(partition);
    });
    this.loaded = this.coordinator.start();
    this.expiryTimer = this.clock.setInterval(() => { void this.runExpiry(); }, this.retentionCheckIntervalMs);
  }

  stop(): void {
    this.unfollowLeadership?.();
    this.unfollowLeadership = null;
    if (this.expiryTimer !== null) this.clock.clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    this.coordinator.stop();
  }

  /** One offset-expiry pass (also run by the timer); overlapping passes are skipped. */
  async runExpiry(): Promise<number> {
    if (this.expiring) return 0;
    this.expiring = true;
    try {
      const n = await this.offsets.expireOffsets();
      if (n > 0) this.logger.info('expired committed offsets', { count: n });
      return n;
    } finally {
      this.expiring = false;
    }
  }
}

export { GroupCoordinator } from './group-coordinator.ts';
export { joinError, PROTOCOL_METADATA_BYTES_MAX, PROTOCOLS_PER_MEMBER_MAX } from './group-requests.ts';
export type { JoinRequest, SyncRequest, LeaveResult, MemberIdentity } from './group-requests.ts';
export { GroupOffsets, type CommitRequest, type FetchResult, type TopicErrors } from './group-offsets.ts';
export { describeGroup, listGroups, deleteGroup, CLASSIC_GROUP_TYPE } from './group-admin.ts';
export { ReplicaCoordinatorLog, type CoordinatorLog, type LeadershipListener } from './coordinator-log.ts';
export { groupCoordinatorConfig, type GroupCoordinatorConfig } from './config.ts';
export { partitionForGroup, javaStringHashCode } from './group-records.ts';
export { GROUP_STATES, type GroupState, type JoinResult, type SyncResult } from './classic-group.ts';
