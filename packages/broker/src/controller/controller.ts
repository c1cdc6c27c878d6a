/**
 * The cluster controller (DESIGN.md §3): every broker runs one; the one whose broker holds
 * /controller is active. While active it keeps partition leadership in step with broker
 * membership:
 * - a broker leaves (its ephemeral node is gone): every partition it led gets a new leader from the
 *   live ISR (first in assignment order); dead brokers leave every ISR (never emptying it); the
 *   leader epoch is bumped; with no live ISR member the partition goes offline (leader -1) unless
 *   the topic's `unclean.leader.election.enable` is true, then any live replica leads;
 * - a broker joins: offline partitions whose ISR holds it (or, unclean, any live replica) get a leader;
 * - on becoming controller (failover, or the first start): one full pass, as Kafka's
 *   onControllerFailover elects leaders for offline partitions.
 * Writes are compare-and-set on the partition state (retried from the refreshed view on
 * BAD_VERSION) and fenced by the controller epoch in the store. Replica placement for new topics
 * is `assignReplicas` (assignment.ts), which TopicManager calls in cluster mode.
 */
import { systemClock, type Clock, type TimerHandle } from '@tributary/storage';
import { TopicConfig, type BrokerConfig } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { MetadataError, type MetadataEvent, type MetadataStore } from '../metadata/index.ts';
import { nextPartitionState } from './election.ts';
import { ElectionType, electLeader, imbalancedPartitions } from './preferred-election.ts';

/** Compare-and-set attempts per partition before leaving it to the next pass. */
const PARTITION_CAS_RETRIES_MAX = 10;

export interface ControllerOptions {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly store: MetadataStore;
  readonly log: Logger;
  readonly clock?: Clock;
}

export class Controller {
  private readonly brokerId: number;
  private readonly config: BrokerConfig;
  private readonly store: MetadataStore;
  private readonly log: Logger;
  private unsubscribe: (() => void) | null = null;
  private active = false;
  /** A pass is running; `again` asks it to run once more when done (coalesces event bursts). */
  private running: Promise<void> | null = null;
  private again = false;
  private readonly clock: Clock;
  private rebalanceTimer: TimerHandle | null = null;
  private rebalancing = false;

  constructor(opts: ControllerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.brokerId = opts.brokerId;
    this.config = opts.config;
    this.store = opts.store;
    this.log = opts.log;
  }

  /** Follows the store; runs for controller through `store.electController`. */
  async start(): Promise<void> {
    this.unsubscribe = this.store.subscribe((e) => this.onEvent(e));
    await this.store.electController(this.brokerId);
    this.setActive(this.store.controllerId() === this.brokerId);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.active = false;
    this.stopRebalanceTimer();
    await this.running;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Resolves when no reconciliation pass is running or queued (tests, controlled shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    this.log.info(active ? 'this broker is now the controller' : 'this broker is no longer the controller',
      { brokerId: this.brokerId, controllerEpoch: this.store.controllerEpoch() });
    if (active) {
      this.schedule();
      if (this.config.bool('auto.leader.rebalance.enable')) {
        const intervalMs = this.config.int('leader.imbalance.check.interval.seconds') * 1000;
        this.rebalanceTimer = this.clock.setInterval(() => { void this.rebalanceLeaders(); }, intervalMs);
      }
    } else {
      this.stopRebalanceTimer();
    }
  }

  private stopRebalanceTimer(): void {
    if (this.rebalanceTimer !== null) this.clock.clearInterval(this.rebalanceTimer);
    this.rebalanceTimer = null;
  }

  /**
   * auto.leader.rebalance.enable: moves leadership back to the preferred replica (first in the
   * assignment) of every partition where it is live and in the ISR. Kafka only acts above
   * leader.imbalance.per.broker.percentage; every imbalanced partition is moved here.
   */
  async rebalanceLeaders(): Promise<number> {
    if (!this.active || this.rebalancing) return 0;
    this.rebalancing = true;
    let moved = 0;
    try {
      for (const { topic, partition } of imbalancedPartitions(this.store)) {
        if (!this.active) break;
        const r = await electLeader(this.store, ElectionType.PREFERRED, topic, partition);
        if (r.errorCode === 0) {
          moved++;
          this.log.info('preferred leader elected', { topic, partition });
        }
      }
    } catch (e) {
      this.log.error('leader rebalance failed', { error: (e as Error).message });
    } finally {
      this.rebalancing = false;
    }
    return moved;
  }

  private onEvent(e: MetadataEvent): void {
    switch (e.type) {
      case 'controller-changed': this.setActive(e.controllerId === this.brokerId); break;
      case 'session-lost': this.setActive(false); break;
      case 'broker-registered':
      case 'broker-unregistered':
      case 'topic-created':
      case 'partitions-added':
        if (this.active) this.schedule();
        break;
      case 'topic-config':
        if (this.active && e.config.configs['unclean.leader.election.enable'] !== undefined) this.schedule();
        break;
      case 'partition-state':
        // Someone else's write (or our own) may leave work: only look again when it does.
        if (this.active && this.planFor(e.topic, e.partition, this.liveBrokers()) !== undefined) this.schedule();
        break;
      default: break;
    }
  }

  private schedule(): void {
    if (this.running !== null) { this.again = true; return; }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.reconcileAll();
        } while (this.again && this.active);
      } catch (e) {
        this.log.error('controller pass failed', { error: (e as Error).message });
      } finally {
        this.running = null;
      }
    })();
  }

  private liveBrokers(): Set<number> {
    return new Set(this.store.brokers().map((b) => b.id));
  }

  private uncleanElectionEnabled(topic: string): boolean {
    return new TopicConfig(this.config, this.store.topicConfig(topic)?.configs ?? {}).bool('unclean.leader.election.enable');
  }

  private planFor(topic: string, partition: number, live: ReadonlySet<number>): ReturnType<typeof nextPartitionState> {
    const replicas = this.store.topic(topic)?.assignments[partition];
    const state = this.store.partitionState(topic, partition);
    if (replicas === undefined || state === undefined) return undefined;
    return nextPartitionState(replicas, state, live, this.uncleanElectionEnabled(topic));
  }

  /** One pass over every partition; the live set is re-read per topic so a pass sees late changes. */
  private async reconcileAll(): Promise<void> {
    for (const t of this.store.topics()) {
      const live = this.liveBrokers();
      for (let p = 0; p < t.assignments.length; p++) {
        if (!this.active) return;
        await this.reconcilePartition(t.name, p, live);
      }
    }
  }

  private async reconcilePartition(topic: string, partition: number, live: ReadonlySet<number>): Promise<void> {
    for (let attempt = 0; attempt < PARTITION_CAS_RETRIES_MAX && this.active; attempt++) {
      const state = this.store.partitionState(topic, partition);
      const next = this.planFor(topic, partition, live);
      if (state === undefined || next === undefined) return;
      try {
        await this.store.updatePartitionState(topic, partition, next, state.version);
        if (next.leader !== state.leader) {
          this.log.info('partition leader changed', { topic, partition, from: state.leader, to: next.leader, leaderEpoch: next.leaderEpoch, isr: next.isr });
        }
        return;
      } catch (e) {
        if (!(e instanceof MetadataError)) throw e;
        if (e.code === 'UNKNOWN_TOPIC' || e.code === 'UNKNOWN_PARTITION' || e.code === 'CLOSED') return;
        if (e.code !== 'BAD_VERSION') {
          this.log.warn('partition state update failed', { topic, partition, error: e.message });
          return;
        }
        // BAD_VERSION: the store refreshed its view; plan again from it.
      }
    }
  }
}
