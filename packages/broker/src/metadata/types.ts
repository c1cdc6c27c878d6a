/**
 * The metadata store: cluster id, broker registrations, topics with their partition assignments,
 * per-partition leader/ISR state and topic config overrides (DESIGN.md §3).
 *
 * Reads are synchronous from the store's local view (a ZooKeeper implementation keeps that view
 * current with watches); writes are asynchronous and durable when they resolve. Partition state and
 * topic configs carry a version and are updated with compare-and-set, as ZooKeeper nodes are.
 * Expected failures are MetadataError values with a stable `code`.
 */

export interface BrokerRegistration {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface TopicRecord {
  readonly name: string;
  /** Kafka UUID text form (22-char base64url), unique and never the zero id. */
  readonly topicId: string;
  /** Replica broker ids per partition; index = partition number. The first replica is preferred leader. */
  readonly assignments: readonly (readonly number[])[];
}

export interface PartitionState {
  /** Leader broker id, or -1 when there is none. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Bumped on every update; the compare-and-set token. */
  readonly version: number;
  /** Epoch of the controller that wrote the state (cluster mode; absent in single-node stores). */
  readonly controllerEpoch?: number;
}

export interface PartitionStateUpdate {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
}

export interface TopicConfigRecord {
  readonly configs: Readonly<Record<string, string>>;
  readonly version: number;
}

export type MetadataEvent =
  | { readonly type: 'broker-registered'; readonly broker: BrokerRegistration }
  | { readonly type: 'broker-unregistered'; readonly brokerId: number }
  | { readonly type: 'topic-created'; readonly topic: TopicRecord }
  | { readonly type: 'topic-deleted'; readonly topic: TopicRecord }
  | { readonly type: 'partitions-added'; readonly topic: TopicRecord; readonly previousCount: number }
  | { readonly type: 'partition-state'; readonly topic: string; readonly partition: number; readonly state: PartitionState }
  | { readonly type: 'topic-config'; readonly topic: string; readonly config: TopicConfigRecord }
  /** Dynamic broker overrides of one broker (brokerId null: the cluster-wide default) were replaced. */
  | { readonly type: 'broker-config'; readonly brokerId: number | null; readonly configs: Readonly<Record<string, string>> }
  /** The controller changed: `controllerId` -1 while there is none; `epoch` is the controller epoch. */
  | { readonly type: 'controller-changed'; readonly controllerId: number; readonly epoch: number }
  /**
   * The store's coordination session ended (ZooKeeper session expiry). Until 'session-restored', the
   * local view may be stale and this broker's registration and controllership are gone: stop acting
   * as leader or controller. After 'session-restored' the view has been reloaded (with events for
   * every difference) and the registration re-created.
   */
  | { readonly type: 'session-lost' }
  | { readonly type: 'session-restored' };

export type MetadataListener = (event: MetadataEvent) => void;

export type MetadataErrorCode =
  | 'TOPIC_EXISTS'
  | 'UNKNOWN_TOPIC'
  | 'UNKNOWN_PARTITION'
  | 'BAD_VERSION'
  | 'INVALID_ASSIGNMENT'
  | 'CLOSED'
  | 'CORRUPT_STATE'
  /** The coordination service could not be reached, or the session was lost mid-operation. */
  | 'UNAVAILABLE'
  /** A broker with this id is registered by another live process. */
  | 'BROKER_ID_IN_USE';

export class MetadataError extends Error {
  readonly code: MetadataErrorCode;
  constructor(code: MetadataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetadataError';
    this.code = code;
  }
}

export interface MetadataStore {
  /** Loads or creates the state (and the cluster id on first start). */
  start(): Promise<void>;
  close(): Promise<void>;

  clusterId(): string;

  registerBroker(broker: BrokerRegistration): Promise<void>;
  unregisterBroker(brokerId: number): Promise<void>;
  brokers(): readonly BrokerRegistration[];

  topics(): readonly TopicRecord[];
  topic(name: string): TopicRecord | undefined;
  topicById(topicId: string): TopicRecord | undefined;
  /**
   * Creates a topic with the given assignments and config overrides; each partition starts with
   * leader = first replica, leader epoch 0, ISR = all replicas. Throws MetadataError('TOPIC_EXISTS').
   */
  createTopic(name: string, assignments: readonly (readonly number[])[], configs: Readonly<Record<string, string>>): Promise<TopicRecord>;
  /** Throws MetadataError('UNKNOWN_TOPIC'). */
  deleteTopic(name: string): Promise<TopicRecord>;
  /** Appends partitions (assignments for the new ones only). Throws UNKNOWN_TOPIC. */
  addPartitions(name: string, newAssignments: readonly (readonly number[])[]): Promise<TopicRecord>;

  partitionState(topic: string, partition: number): PartitionState | undefined;
  /** Compare-and-set: throws MetadataError('BAD_VERSION') when the stored version differs. */
  updatePartitionState(topic: string, partition: number, next: PartitionStateUpdate, expectedVersion: number): Promise<PartitionState>;

  topicConfig(topic: string): TopicConfigRecord | undefined;
  /** Replaces the topic's overrides. Compare-and-set when expectedVersion is given. */
  setTopicConfig(topic: string, configs: Readonly<Record<string, string>>, expectedVersion?: number): Promise<TopicConfigRecord>;

  /**
   * Dynamic broker config overrides (AlterConfigs on a BROKER resource): of one broker, or the
   * cluster-wide default when `brokerId` is null. Empty when none are set.
   */
  brokerConfigOverrides(brokerId: number | null): Readonly<Record<string, string>>;
  /** Replaces the dynamic overrides of one broker (null: the cluster default); durable when resolved. */
  setBrokerConfigOverrides(brokerId: number | null, configs: Readonly<Record<string, string>>): Promise<void>;

  /**
   * Runs this broker for controller: returns once the first attempt settled, and keeps running
   * (taking over when the current controller goes away) until close. Single-node stores make the
   * local broker the controller at once.
   */
  electController(brokerId: number): Promise<void>;
  /** The current controller's broker id, -1 while there is none. */
  controllerId(): number;
  /** The current controller epoch (bumped on every controller change; 0 before the first). */
  controllerEpoch(): number;

  /** Change notifications, delivered after the change is durable. Returns an unsubscribe function. */
  subscribe(listener: MetadataListener): () => void;
}
