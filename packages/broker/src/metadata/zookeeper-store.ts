/**
 * Cluster metadata store on a real ZooKeeper (DESIGN.md §3), in Kafka's layout (zookeeper/zk-layout.ts).
 *
 * - Reads are synchronous from a local view (zookeeper/zk-view.ts) kept current by watches.
 * - Writes go to ZooKeeper (multi-ops where several nodes change together, version-checked where
 *   the interface asks for compare-and-set); when a write resolves, the view already holds it and its
 *   event has been delivered. Topic creation writes the topic, its partition nodes, their initial
 *   states and its config in one transaction, so no broker ever sees half a topic. Deletion removes
 *   them in one transaction too (instead of Kafka's /admin/delete_topics hand-off to the controller).
 * - The controller is elected through the ephemeral /controller node; winning bumps
 *   /controller_epoch in the same transaction. The winner's partition-state writes carry a check of
 *   /controller_epoch's version, so a deposed controller cannot overwrite its successor's decisions.
 * - Session expiry: 'session-lost' is emitted at once (the registration and controllership are
 *   gone); a new session is opened, the view reloaded (events for every difference), the broker
 *   re-registered, the candidacy resumed, and 'session-restored' emitted.
 */
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import { randomKafkaUuid, type RandomBytes } from './ids.ts';
import { checkAssignments } from './local-store.ts';
import {
  MetadataError,
  type BrokerRegistration, type MetadataEvent, type MetadataListener, type MetadataStore, type PartitionState,
  type PartitionStateUpdate, type TopicConfigRecord, type TopicRecord,
} from './types.ts';
import { ZkCode, ZkError, ZkEventType, ZkSession, isZkCode, type ZkOp, type ZkSessionOptions } from './zookeeper/zk-client.ts';
import {
  BROKER_CONFIGS_PATH, BROKER_IDS_PATH, CLUSTER_ID_PATH, CONTROLLER_EPOCH_PATH, CONTROLLER_PATH, DEFAULT_BROKER_ENTITY,
  PERSISTENT_PATHS, TOPICS_PATH, TOPIC_CONFIGS_PATH,
  brokerConfigPath, brokerPath, decodeClusterId, decodeControllerEpoch, encodeBroker, encodeClusterId, encodeConfig,
  encodeController, encodeState, encodeTopic, partitionPath, partitionsPath, statePath, topicConfigPath, topicPath,
} from './zookeeper/zk-layout.ts';
import { ZkView } from './zookeeper/zk-view.ts';
import { parseZooKeeperConnect } from '../config/broker-config.ts';

type Watcher = (e: { getPath(): string; getType(): number }) => void;

/** Compare-and-set retries of internal read-modify-write loops before giving up. */
const CAS_RETRIES_MAX = 10;
/** Pause between attempts to open a new session after expiry. */
const RECONNECT_BACKOFF_MS = 500;

export interface ZooKeeperStoreOptions extends ZkSessionOptions {
  readonly log?: Logger;
  readonly random?: RandomBytes;
  readonly nowMs?: () => number;
}

export class ZooKeeperMetadataStore implements MetadataStore {
  private readonly opts: ZooKeeperStoreOptions;
  private readonly log: Logger;
  private readonly nowMs: () => number;
  private readonly listeners = new Set<MetadataListener>();
  private readonly view: ZkView;
  private zk: ZkSession | null = null;
  /** Bumped per session: watch callbacks of an older session are ignored. */
  private generation = 0;
  private cluster: string | null = null;
  private registration: BrokerRegistration | null = null;
  private candidate: number | null = null;
  private refreshChain: Promise<void> = Promise.resolve();
  private watcher: Watcher = () => undefined;
  private closed = false;

  constructor(opts: ZooKeeperStoreOptions) {
    this.opts = opts;
    this.log = opts.log ?? silentLogger;
    this.nowMs = opts.nowMs ?? Date.now;
    this.view = new ZkView((e) => this.emit(e), this.log);
  }

  // ---- lifecycle

  async start(): Promise<void> {
    await this.ensureChroot();
    await this.openSession();
    const zk = this.session();
    for (const p of PERSISTENT_PATHS) await zk.mkdirp(p);
    this.cluster = await this.loadOrCreateClusterId(zk);
    await this.refresh((z, w) => this.reloadAll(z, w, false));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.candidate = null;
    await this.refreshChain;
    this.zk?.close();
    this.zk = null;
    this.listeners.clear();
  }

  clusterId(): string {
    if (this.cluster === null) throw new MetadataError('CLOSED', 'metadata store not started');
    return this.cluster;
  }

  /** The chroot of `host:port/chroot` must exist before a session rooted there can create anything. */
  private async ensureChroot(): Promise<void> {
    const parsed = parseZooKeeperConnect(this.opts.connect);
    if (parsed === undefined) throw new MetadataError('UNAVAILABLE', `bad ZooKeeper connect string ${this.opts.connect}`);
    if (parsed.chroot === null) return;
    const root = await this.connect({ ...this.opts, connect: parsed.hosts }, () => undefined);
    try {
      await root.mkdirp(parsed.chroot);
    } finally {
      root.close();
    }
  }

  private async connect(opts: ZkSessionOptions, onExpired: () => void): Promise<ZkSession> {
    try {
      return await ZkSession.open(opts, onExpired);
    } catch (e) {
      throw new MetadataError('UNAVAILABLE', (e as Error).message, { cause: e });
    }
  }

  private async openSession(): Promise<void> {
    const generation = ++this.generation;
    // One watcher function per session: the client keeps one registration per path for the same function.
    this.watcher = (e) => this.onWatch(generation, e.getPath(), e.getType());
    this.zk = await this.connect(this.opts, () => this.onExpired(generation));
  }

  private session(): ZkSession {
    if (this.closed || this.zk === null) throw new MetadataError('CLOSED', 'metadata store is closed or has no ZooKeeper session');
    return this.zk;
  }

  private async loadOrCreateClusterId(zk: ZkSession): Promise<string> {
    const existing = await zk.getDataOrNull(CLUSTER_ID_PATH);
    if (existing !== undefined) return decodeClusterId(existing.data);
    try {
      await zk.create(CLUSTER_ID_PATH, encodeClusterId(randomKafkaUuid(this.opts.random)));
    } catch (e) {
      if (!isZkCode(e, ZkCode.NODE_EXISTS)) throw e;
    }
    return decodeClusterId((await zk.getData(CLUSTER_ID_PATH)).data);
  }

  private onExpired(generation: number): void {
    if (generation !== this.generation || this.closed) return;
    this.log.warn('ZooKeeper session expired', {});
    this.zk?.close();
    this.zk = null;
    this.generation++;
    this.view.setController(-1, this.view.controllerEpoch);
    this.emit({ type: 'session-lost' });
    void this.recover();
  }

  /** Opens a new session and restores what the old one held; retries until it works or the store closes. */
  private async recover(): Promise<void> {
    while (!this.closed) {
      try {
        await this.openSession();
        await this.refresh((z, w) => this.reloadAll(z, w, true));
        if (this.registration !== null) await this.registerBroker(this.registration);
        if (this.candidate !== null) await this.tryElect();
        this.log.info('ZooKeeper session re-established', {});
        this.emit({ type: 'session-restored' });
        return;
      } catch (e) {
        this.log.warn('ZooKeeper session recovery failed; retrying', { error: (e as Error).message });
        this.zk?.close();
        this.zk = null;
        await new Promise((r) => setTimeout(r, RECONNECT_BACKOFF_MS));
      }
    }
  }

  // ---- the view and its refreshes

  private async reloadAll(zk: ZkSession, watch: Watcher, deep: boolean): Promise<void> {
    await this.view.refreshBrokers(zk, watch);
    await this.view.refreshTopics(zk, watch, deep);
    await this.view.refreshBrokerConfigs(zk, watch);
    await this.view.refreshController(zk, watch);
  }

  /** Queues a view refresh on the current session; resolves when it (and those before it) ran. */
  private refresh(task: (zk: ZkSession, watch: Watcher) => Promise<void>): Promise<void> {
    const generation = this.generation;
    const run = async (): Promise<void> => {
      if (this.closed || generation !== this.generation || this.zk === null) return;
      await task(this.zk, this.watcher);
    };
    const p = this.refreshChain.then(run);
    this.refreshChain = p.catch((e: unknown) => {
      if (!this.closed) this.log.error('metadata view refresh failed', { error: (e as Error).message });
    });
    return p;
  }

  private onWatch(generation: number, path: string, type: number): void {
    if (generation !== this.generation || this.closed) return;
    const parts = path.split('/');
    const afterTask = this.watchTask(path, parts);
    if (afterTask === undefined) return;
    void this.refresh(afterTask).catch(() => undefined);
    if (path === CONTROLLER_PATH && type === ZkEventType.NODE_DELETED && this.candidate !== null) {
      void this.tryElect().catch((e: unknown) => this.log.warn('controller election failed', { error: (e as Error).message }));
    }
  }

  private watchTask(path: string, parts: string[]): Parameters<ZooKeeperMetadataStore['refresh']>[0] | undefined {
    const v = this.view;
    if (path === BROKER_IDS_PATH || path.startsWith(`${BROKER_IDS_PATH}/`)) return (z, w) => v.refreshBrokers(z, w);
    if (path === TOPICS_PATH) return (z, w) => v.refreshTopics(z, w, false);
    if (path === CONTROLLER_PATH || path === CONTROLLER_EPOCH_PATH) return (z, w) => v.refreshController(z, w);
    if (path === BROKER_CONFIGS_PATH) return (z, w) => v.refreshBrokerConfigs(z, w);
    if (path.startsWith(`${BROKER_CONFIGS_PATH}/`)) return (z, w) => v.refreshBrokerConfig(z, w, parts[3]!);
    if (path.startsWith(`${TOPIC_CONFIGS_PATH}/`)) return (z, w) => v.refreshTopicConfig(z, w, parts[3]!);
    if (path.startsWith(`${TOPICS_PATH}/`)) {
      const topic = parts[3]!;
      // /brokers/topics/<t>/partitions/<p>/state
      if (parts.length === 7 && parts[6] === 'state') return (z, w) => v.refreshState(z, w, topic, Number(parts[5]));
      if (parts.length === 4) return (z, w) => v.syncTopic(z, w, topic);
    }
    return undefined;
  }

  private emit(e: MetadataEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.error('metadata listener failed', { event: e.type, error: (err as Error).message, stack: (err as Error).stack });
      }
    }
  }

  subscribe(listener: MetadataListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Runs a ZooKeeper write; connection problems become MetadataError('UNAVAILABLE'). */
  private async zkWrite<T>(op: (zk: ZkSession) => Promise<T>): Promise<T> {
    const zk = this.session();
    try {
      return await op(zk);
    } catch (e) {
      if (e instanceof ZkError && (e.zkCode === ZkCode.CONNECTION_LOSS || e.zkCode === ZkCode.SESSION_EXPIRED)) {
        throw new MetadataError('UNAVAILABLE', e.message, { cause: e });
      }
      throw e;
    }
  }

  // ---- brokers

  async registerBroker(broker: BrokerRegistration): Promise<void> {
    this.registration = broker;
    const data = encodeBroker(broker, this.nowMs());
    const deadline = this.nowMs() + 2 * this.opts.sessionTimeoutMs + this.opts.connectionTimeoutMs;
    for (;;) {
      const zk = this.session();
      try {
        await this.zkWrite((z) => z.create(brokerPath(broker.id), data, true));
        break;
      } catch (e) {
        if (!isZkCode(e, ZkCode.NODE_EXISTS)) throw e;
      }
      const node = await zk.getDataOrNull(brokerPath(broker.id));
      if (node !== undefined && node.ephemeralOwner === zk.sessionId) {
        await zk.setData(brokerPath(broker.id), data, -1);
        break;
      }
      // A previous incarnation's session has not expired yet (restart after a crash): wait for it.
      if (this.nowMs() > deadline) {
        throw new MetadataError('BROKER_ID_IN_USE', `Broker id ${broker.id} is registered in ZooKeeper by another live session`);
      }
      await zk.waitForDeletion(brokerPath(broker.id), deadline - this.nowMs());
    }
    await this.refresh((z, w) => this.view.refreshBrokers(z, w));
  }

  async unregisterBroker(brokerId: number): Promise<void> {
    if (this.registration?.id === brokerId) this.registration = null;
    if (this.closed || this.zk === null) return;
    try {
      await this.zkWrite((z) => z.remove(brokerPath(brokerId)));
    } catch (e) {
      if (!isZkCode(e, ZkCode.NO_NODE)) throw e;
    }
    await this.refresh((z, w) => this.view.refreshBrokers(z, w));
  }

  brokers(): readonly BrokerRegistration[] {
    return [...this.view.brokers.values()].sort((a, b) => a.id - b.id);
  }

  // ---- controller

  async electController(brokerId: number): Promise<void> {
    this.candidate = brokerId;
    await this.tryElect();
  }

  /** One election round: create /controller and bump /controller_epoch atomically, or follow the winner. */
  private async tryElect(): Promise<void> {
    const brokerId = this.candidate;
    if (brokerId === null || this.closed) return;
    for (let attempt = 0; attempt < CAS_RETRIES_MAX; attempt++) {
      const zk = this.session();
      const epochNode = await zk.getDataOrNull(CONTROLLER_EPOCH_PATH);
      const epoch = epochNode === undefined ? 0 : decodeControllerEpoch(epochNode.data);
      const epochOp: ZkOp = epochNode === undefined
        ? { op: 'create', path: CONTROLLER_EPOCH_PATH, data: Buffer.from('1') }
        : { op: 'set', path: CONTROLLER_EPOCH_PATH, data: Buffer.from(String(epoch + 1)), version: epochNode.version };
      try {
        await this.zkWrite((z) => z.multi([
          { op: 'create', path: CONTROLLER_PATH, data: encodeController(brokerId, this.nowMs()), ephemeral: true }, epochOp,
        ]));
        this.log.info('elected controller', { brokerId, controllerEpoch: epoch + 1 });
        break;
      } catch (e) {
        if (e instanceof ZkError && e.opIndex === 0 && e.zkCode === ZkCode.NODE_EXISTS) break;
        if (!(e instanceof ZkError && e.opIndex === 1)) throw e;
      }
    }
    await this.refresh((z, w) => this.view.refreshController(z, w));
  }

  controllerId(): number {
    return this.view.controllerId;
  }

  controllerEpoch(): number {
    return this.view.controllerEpoch;
  }

  private isController(): boolean {
    return this.candidate !== null && this.view.controllerId === this.candidate && this.zk !== null;
  }

  // ---- topics

  topics(): readonly TopicRecord[] {
    return [...this.view.topics.values()].map((t) => t.record);
  }

  topic(name: string): TopicRecord | undefined {
    return this.view.topics.get(name)?.record;
  }

  topicById(topicId: string): TopicRecord | undefined {
    const name = this.view.topicIds.get(topicId);
    return name === undefined ? undefined : this.topic(name);
  }

  async createTopic(name: string, assignments: readonly (readonly number[])[], configs: Readonly<Record<string, string>>): Promise<TopicRecord> {
    if (this.view.topics.has(name)) throw new MetadataError('TOPIC_EXISTS', `Topic '${name}' already exists.`);
    checkAssignments(name, assignments);
    let topicId = randomKafkaUuid(this.opts.random);
    while (this.view.topicIds.has(topicId)) topicId = randomKafkaUuid(this.opts.random);
    const staleConfig = await this.session().getDataOrNull(topicConfigPath(name));
    const ops: ZkOp[] = [
      { op: 'create', path: topicPath(name), data: encodeTopic({ topicId, assignments }) },
      staleConfig === undefined
        ? { op: 'create', path: topicConfigPath(name), data: encodeConfig(configs) }
        : { op: 'set', path: topicConfigPath(name), data: encodeConfig(configs), version: staleConfig.version },
      { op: 'create', path: partitionsPath(name), data: Buffer.alloc(0) },
      ...this.partitionCreateOps(name, assignments, 0),
    ];
    try {
      await this.zkWrite((z) => z.multi(ops));
    } catch (e) {
      if (e instanceof ZkError && e.opIndex === 0 && e.zkCode === ZkCode.NODE_EXISTS) {
        await this.refresh((z, w) => this.view.syncTopic(z, w, name));
        throw new MetadataError('TOPIC_EXISTS', `Topic '${name}' already exists.`);
      }
      throw e;
    }
    await this.refresh((z, w) => this.view.syncTopic(z, w, name));
    return this.topic(name) ?? { name, topicId, assignments: assignments.map((r) => [...r]) };
  }

  private partitionCreateOps(name: string, assignments: readonly (readonly number[])[], first: number): ZkOp[] {
    return assignments.flatMap((replicas, i): ZkOp[] => [
      { op: 'create', path: partitionPath(name, first + i), data: Buffer.alloc(0) },
      { op: 'create', path: statePath(name, first + i), data: encodeState(initialState(replicas), this.view.controllerEpoch) },
    ]);
  }

  async deleteTopic(name: string): Promise<TopicRecord> {
    for (let attempt = 0; attempt < CAS_RETRIES_MAX; attempt++) {
      const zk = this.session();
      const t = this.view.topics.get(name);
      if (t === undefined) throw new MetadataError('UNKNOWN_TOPIC', `Topic '${name}' does not exist`);
      let partitions: string[];
      try {
        partitions = await zk.getChildren(partitionsPath(name));
      } catch (e) {
        if (!isZkCode(e, ZkCode.NO_NODE)) throw e;
        partitions = [];
      }
      const ops: ZkOp[] = [
        ...partitions.flatMap((p): ZkOp[] => [
          { op: 'remove', path: `${partitionsPath(name)}/${p}/state` }, { op: 'remove', path: `${partitionsPath(name)}/${p}` },
        ]),
        ...(partitions.length > 0 || t.record.assignments.length > 0 ? [{ op: 'remove', path: partitionsPath(name) } as ZkOp] : []),
        { op: 'remove', path: topicPath(name) },
        { op: 'remove', path: topicConfigPath(name) },
      ];
      try {
        await this.zkWrite((z) => z.multi(ops));
        await this.refresh((z, w) => this.view.syncTopic(z, w, name));
        return t.record;
      } catch (e) {
        // NOT_EMPTY: partitions were added meanwhile; NO_NODE: someone else deleted it. Re-sync and retry.
        if (!(e instanceof ZkError) || (e.zkCode !== ZkCode.NOT_EMPTY && e.zkCode !== ZkCode.NO_NODE)) throw e;
        await this.refresh((z, w) => this.view.syncTopic(z, w, name));
      }
    }
    throw new MetadataError('BAD_VERSION', `Topic '${name}' kept changing while being deleted`);
  }

  async addPartitions(name: string, newAssignments: readonly (readonly number[])[]): Promise<TopicRecord> {
    const t = this.view.topics.get(name);
    if (t === undefined) throw new MetadataError('UNKNOWN_TOPIC', `Topic '${name}' does not exist`);
    checkAssignments(name, newAssignments);
    const assignments = [...t.record.assignments, ...newAssignments];
    try {
      await this.zkWrite((z) => z.multi([
        { op: 'set', path: topicPath(name), data: encodeTopic({ topicId: t.record.topicId, assignments }), version: t.zkVersion },
        ...this.partitionCreateOps(name, newAssignments, t.record.assignments.length),
      ]));
    } catch (e) {
      await this.refresh((z, w) => this.view.syncTopic(z, w, name));
      if (e instanceof ZkError && e.opIndex === 0 && e.zkCode === ZkCode.NO_NODE) throw new MetadataError('UNKNOWN_TOPIC', `Topic '${name}' does not exist`);
      if (e instanceof ZkError && e.opIndex === 0 && e.zkCode === ZkCode.BAD_VERSION) {
        throw new MetadataError('BAD_VERSION', `Partitions of '${name}' changed concurrently`, { cause: e });
      }
      throw e;
    }
    await this.refresh((z, w) => this.view.refreshTopicRecord(z, w, name));
    return this.topic(name)!;
  }

  // ---- partition state

  partitionState(topic: string, partition: number): PartitionState | undefined {
    return this.view.topics.get(topic)?.partitions[partition];
  }

  async updatePartitionState(topic: string, partition: number, next: PartitionStateUpdate, expectedVersion: number): Promise<PartitionState> {
    const t = this.view.topics.get(topic);
    if (t === undefined) throw new MetadataError('UNKNOWN_TOPIC', `Topic '${topic}' does not exist`);
    const current = t.partitions[partition];
    if (current === undefined) throw new MetadataError('UNKNOWN_PARTITION', `Partition ${topic}-${partition} does not exist`);
    if (current.version === expectedVersion && next.leaderEpoch < current.leaderEpoch) {
      throw new MetadataError('BAD_VERSION', `Leader epoch of ${topic}-${partition} cannot go back (${current.leaderEpoch} -> ${next.leaderEpoch})`);
    }
    const controllerEpoch = this.view.controllerEpoch;
    const data = encodeState(next, controllerEpoch);
    const path = statePath(topic, partition);
    const fenced = this.isController() && this.view.controllerEpochZkVersion >= 0;
    try {
      await this.zkWrite((z) => fenced
        ? z.multi([{ op: 'check', path: CONTROLLER_EPOCH_PATH, version: this.view.controllerEpochZkVersion }, { op: 'set', path, data, version: expectedVersion }])
        : z.setData(path, data, expectedVersion).then(() => undefined));
    } catch (e) {
      if (e instanceof ZkError && (e.zkCode === ZkCode.BAD_VERSION || e.zkCode === ZkCode.NO_NODE)) {
        // Bring the view up to date first, so the caller can retry from it.
        await this.refresh((z, w) => this.view.refreshState(z, w, topic, partition));
        const what = fenced && e.opIndex === 0 ? 'the controller epoch moved on (this broker is no longer controller)' : `expected version ${expectedVersion}`;
        throw new MetadataError('BAD_VERSION', `Partition state of ${topic}-${partition} changed: ${what}`, { cause: e });
      }
      throw e;
    }
    const state: PartitionState = { leader: next.leader, leaderEpoch: next.leaderEpoch, isr: [...next.isr], version: expectedVersion + 1, controllerEpoch };
    await this.refresh(async () => { this.view.applyState(topic, partition, state); });
    return state;
  }

  // ---- configs

  topicConfig(topic: string): TopicConfigRecord | undefined {
    return this.view.topics.get(topic)?.config;
  }

  async setTopicConfig(topic: string, configs: Readonly<Record<string, string>>, expectedVersion?: number): Promise<TopicConfigRecord> {
    if (!this.view.topics.has(topic)) throw new MetadataError('UNKNOWN_TOPIC', `Topic '${topic}' does not exist`);
    let version: number;
    try {
      version = await this.zkWrite((z) => z.setData(topicConfigPath(topic), encodeConfig(configs), expectedVersion ?? -1));
    } catch (e) {
      if (e instanceof ZkError && e.zkCode === ZkCode.BAD_VERSION) {
        await this.refresh((z, w) => this.view.refreshTopicConfig(z, w, topic));
        throw new MetadataError('BAD_VERSION', `Config of topic ${topic} is not at version ${expectedVersion}`, { cause: e });
      }
      throw e;
    }
    const config: TopicConfigRecord = { configs: { ...configs }, version };
    await this.refresh(async () => { this.view.applyTopicConfig(topic, config); });
    return this.topicConfig(topic) ?? config;
  }

  brokerConfigOverrides(brokerId: number | null): Readonly<Record<string, string>> {
    return this.view.brokerConfigs.get(brokerId === null ? DEFAULT_BROKER_ENTITY : String(brokerId))?.configs ?? {};
  }

  async setBrokerConfigOverrides(brokerId: number | null, configs: Readonly<Record<string, string>>): Promise<void> {
    const path = brokerConfigPath(brokerId);
    const data = encodeConfig(configs);
    let version: number;
    try {
      version = await this.zkWrite((z) => z.setData(path, data, -1));
    } catch (e) {
      if (!isZkCode(e, ZkCode.NO_NODE)) throw e;
      await this.zkWrite((z) => z.create(path, data));
      version = 0;
    }
    const entity = brokerId === null ? DEFAULT_BROKER_ENTITY : String(brokerId);
    await this.refresh(async () => { this.view.applyBrokerConfig(entity, { ...configs }, version); });
  }
}

function initialState(replicas: readonly number[]): { leader: number; leaderEpoch: number; isr: readonly number[] } {
  return { leader: replicas[0] ?? -1, leaderEpoch: 0, isr: [...replicas] };
}
