/**
 * The ZooKeeper store's local view: what reads return, kept current by watches. Every refresh
 * re-reads one piece of ZooKeeper state, re-arms its watch, applies what changed and emits the
 * matching MetadataEvent. Refreshes run one at a time (the store serialises them), so the view
 * never interleaves two updates, and a version check makes each apply idempotent: a write's own
 * refresh and the watch it triggers produce one event, not two.
 */
import type { Logger } from '../../logger.ts';
import type {
  BrokerRegistration, MetadataEvent, PartitionState, TopicConfigRecord, TopicRecord,
} from '../types.ts';
import type { ZkSession, ZkWatcher } from './zk-client.ts';
import {
  BROKER_CONFIGS_PATH, BROKER_IDS_PATH, CONTROLLER_EPOCH_PATH, CONTROLLER_PATH, DEFAULT_BROKER_ENTITY, TOPICS_PATH,
  brokerConfigPath, brokerPath, decodeBroker, decodeConfig, decodeController, decodeControllerEpoch, decodeState,
  decodeTopic, statePath, topicConfigPath, topicPath,
} from './zk-layout.ts';

export interface TopicView {
  record: TopicRecord;
  /** ZooKeeper version of /brokers/topics/<topic> (CAS token for adding partitions). */
  zkVersion: number;
  partitions: PartitionState[];
  config: TopicConfigRecord;
}

export class ZkView {
  readonly brokers = new Map<number, BrokerRegistration>();
  readonly topics = new Map<string, TopicView>();
  readonly topicIds = new Map<string, string>();
  /** Dynamic broker overrides by entity ('<default>' or the broker id) with their node versions. */
  readonly brokerConfigs = new Map<string, { configs: Record<string, string>; version: number }>();
  controllerId = -1;
  controllerEpoch = 0;
  /** ZooKeeper version of /controller_epoch as last read (the controller's fencing token). */
  controllerEpochZkVersion = -1;

  private readonly emit: (e: MetadataEvent) => void;
  private readonly log: Logger;

  constructor(emit: (e: MetadataEvent) => void, log: Logger) {
    this.emit = emit;
    this.log = log;
  }

  async refreshBrokers(zk: ZkSession, watch: ZkWatcher): Promise<void> {
    const ids = new Set((await zk.getChildren(BROKER_IDS_PATH, watch)).map(Number).filter((n) => Number.isInteger(n)));
    for (const id of [...this.brokers.keys()]) {
      if (ids.has(id)) continue;
      this.brokers.delete(id);
      this.emit({ type: 'broker-unregistered', brokerId: id });
    }
    for (const id of [...ids].sort((a, b) => a - b)) {
      const node = await zk.getDataOrNull(brokerPath(id), watch);
      if (node === undefined) continue;
      const broker = decodeBroker(id, node.data);
      const known = this.brokers.get(id);
      if (known !== undefined && known.host === broker.host && known.port === broker.port && known.rack === broker.rack) continue;
      if (known !== undefined) this.emit({ type: 'broker-unregistered', brokerId: id });
      this.brokers.set(id, broker);
      this.emit({ type: 'broker-registered', broker });
    }
  }

  /** Re-lists topics; `deep` also re-reads (and re-watches) every known topic, as after a new session. */
  async refreshTopics(zk: ZkSession, watch: ZkWatcher, deep: boolean): Promise<void> {
    const names = new Set(await zk.getChildren(TOPICS_PATH, watch));
    for (const name of [...this.topics.keys()]) if (!names.has(name)) this.uninstall(name);
    for (const name of names) {
      if (!this.topics.has(name)) await this.loadTopic(zk, watch, name);
      else if (deep) await this.refreshTopicDeep(zk, watch, name);
    }
  }

  /** One topic: installs, updates or removes it to match ZooKeeper. */
  async syncTopic(zk: ZkSession, watch: ZkWatcher, name: string): Promise<void> {
    const exists = await zk.exists(topicPath(name), watch);
    if (!exists) this.uninstall(name);
    else if (!this.topics.has(name)) await this.loadTopic(zk, watch, name);
    else await this.refreshTopicRecord(zk, watch, name);
  }

  private uninstall(name: string): void {
    const t = this.topics.get(name);
    if (t === undefined) return;
    this.topics.delete(name);
    this.topicIds.delete(t.record.topicId);
    this.emit({ type: 'topic-deleted', topic: t.record });
  }

  private async loadTopic(zk: ZkSession, watch: ZkWatcher, name: string): Promise<void> {
    const node = await zk.getDataOrNull(topicPath(name), watch);
    if (node === undefined) return;
    const zt = decodeTopic(name, node.data);
    const states = await this.readStates(zk, watch, name, 0, zt.assignments.length);
    if (states === undefined) return;
    const config = await zk.getDataOrNull(topicConfigPath(name), watch);
    const record: TopicRecord = { name, topicId: zt.topicId, assignments: zt.assignments };
    this.topics.set(name, {
      record, zkVersion: node.version, partitions: states,
      config: { configs: config === undefined ? {} : decodeConfig(topicConfigPath(name), config.data), version: config?.version ?? 0 },
    });
    this.topicIds.set(zt.topicId, name);
    this.emit({ type: 'topic-created', topic: record });
  }

  /** States of partitions [from, to); undefined (and a watch to retry) when one is not written yet. */
  private async readStates(zk: ZkSession, watch: ZkWatcher, name: string, from: number, to: number): Promise<PartitionState[] | undefined> {
    const nodes = await Promise.all(Array.from({ length: to - from }, (_, i) => zk.getDataOrNull(statePath(name, from + i), watch)));
    const missing = nodes.findIndex((n) => n === undefined);
    if (missing >= 0) {
      // Created by a tool that writes states later (Kafka's controller does): retry when it appears.
      this.log.warn('partition state not in ZooKeeper yet', { topic: name, partition: from + missing });
      await zk.exists(statePath(name, from + missing), watch);
      return undefined;
    }
    return nodes.map((n, i) => decodeState(name, from + i, n!.data, n!.version));
  }

  async refreshTopicRecord(zk: ZkSession, watch: ZkWatcher, name: string): Promise<void> {
    const t = this.topics.get(name);
    if (t === undefined) { await this.syncTopicIfPresent(zk, watch, name); return; }
    const node = await zk.getDataOrNull(topicPath(name), watch);
    if (node === undefined || node.version <= t.zkVersion) return;
    const zt = decodeTopic(name, node.data);
    if (zt.topicId !== t.record.topicId) {
      this.uninstall(name);
      await this.loadTopic(zk, watch, name);
      return;
    }
    const previousCount = t.record.assignments.length;
    const added = zt.assignments.length > previousCount
      ? await this.readStates(zk, watch, name, previousCount, zt.assignments.length)
      : [];
    if (added === undefined) return;
    t.zkVersion = node.version;
    t.record = { ...t.record, assignments: zt.assignments };
    t.partitions.push(...added);
    if (added.length > 0) this.emit({ type: 'partitions-added', topic: t.record, previousCount });
  }

  private async syncTopicIfPresent(zk: ZkSession, watch: ZkWatcher, name: string): Promise<void> {
    if (await zk.exists(topicPath(name), watch)) await this.loadTopic(zk, watch, name);
  }

  private async refreshTopicDeep(zk: ZkSession, watch: ZkWatcher, name: string): Promise<void> {
    await this.refreshTopicRecord(zk, watch, name);
    const t = this.topics.get(name);
    if (t === undefined) return;
    for (let p = 0; p < t.partitions.length; p++) await this.refreshState(zk, watch, name, p);
    await this.refreshTopicConfig(zk, watch, name);
  }

  async refreshState(zk: ZkSession, watch: ZkWatcher, name: string, p: number): Promise<void> {
    const node = await zk.getDataOrNull(statePath(name, p), watch);
    if (node === undefined) return;
    this.applyState(name, p, decodeState(name, p, node.data, node.version));
  }

  /** Applies a state read or written; ignored unless newer than the view's. */
  applyState(name: string, p: number, state: PartitionState): void {
    const t = this.topics.get(name);
    const current = t?.partitions[p];
    if (t === undefined || current === undefined || state.version <= current.version) return;
    t.partitions[p] = state;
    this.emit({ type: 'partition-state', topic: name, partition: p, state });
  }

  async refreshTopicConfig(zk: ZkSession, watch: ZkWatcher, name: string): Promise<void> {
    const path = topicConfigPath(name);
    const node = await zk.getDataOrNull(path, watch);
    if (node === undefined) { await zk.exists(path, watch); return; }
    this.applyTopicConfig(name, { configs: decodeConfig(path, node.data), version: node.version });
  }

  applyTopicConfig(name: string, config: TopicConfigRecord): void {
    const t = this.topics.get(name);
    if (t === undefined || config.version <= t.config.version) return;
    t.config = config;
    this.emit({ type: 'topic-config', topic: name, config });
  }

  async refreshBrokerConfigs(zk: ZkSession, watch: ZkWatcher): Promise<void> {
    const entities = new Set(await zk.getChildren(BROKER_CONFIGS_PATH, watch));
    for (const e of [...this.brokerConfigs.keys()]) {
      if (!entities.has(e)) this.applyBrokerConfig(e, {}, Number.MAX_SAFE_INTEGER);
    }
    for (const e of entities) await this.refreshBrokerConfig(zk, watch, e);
  }

  async refreshBrokerConfig(zk: ZkSession, watch: ZkWatcher, entity: string): Promise<void> {
    const brokerId = entity === DEFAULT_BROKER_ENTITY ? null : Number(entity);
    if (brokerId !== null && !Number.isInteger(brokerId)) return;
    const path = brokerConfigPath(brokerId);
    const node = await zk.getDataOrNull(path, watch);
    if (node === undefined) return;
    this.applyBrokerConfig(entity, decodeConfig(path, node.data), node.version);
  }

  applyBrokerConfig(entity: string, configs: Record<string, string>, version: number): void {
    const known = this.brokerConfigs.get(entity);
    if (known !== undefined && version <= known.version && version !== Number.MAX_SAFE_INTEGER) return;
    if (version === Number.MAX_SAFE_INTEGER) this.brokerConfigs.delete(entity);
    else this.brokerConfigs.set(entity, { configs, version });
    this.emit({ type: 'broker-config', brokerId: entity === DEFAULT_BROKER_ENTITY ? null : Number(entity), configs: { ...configs } });
  }

  /** Reads /controller and /controller_epoch (re-arming both watches); emits when either changed. */
  async refreshController(zk: ZkSession, watch: ZkWatcher): Promise<void> {
    const node = await zk.getDataOrNull(CONTROLLER_PATH, watch);
    // No controller: watch for the next one's creation (getData set no watch on a missing node).
    const id = node === undefined ? ((await zk.exists(CONTROLLER_PATH, watch)) ? -2 : -1) : decodeController(node.data);
    if (id === -2) { await this.refreshController(zk, watch); return; }
    const epochNode = await zk.getDataOrNull(CONTROLLER_EPOCH_PATH, watch);
    const epoch = epochNode === undefined ? 0 : decodeControllerEpoch(epochNode.data);
    this.controllerEpochZkVersion = epochNode?.version ?? -1;
    this.setController(id, epoch);
  }

  setController(id: number, epoch: number): void {
    if (id === this.controllerId && epoch === this.controllerEpoch) return;
    this.controllerId = id;
    this.controllerEpoch = Math.max(this.controllerEpoch, epoch);
    this.emit({ type: 'controller-changed', controllerId: id, epoch: this.controllerEpoch });
  }
}
