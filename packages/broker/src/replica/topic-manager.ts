/**
 * Topic lifecycle for the admin and metadata handlers: create (with name and config validation
 * and replica placement), delete, add partitions, and auto-creation. Outcomes are values carrying
 * a Kafka error code; the metadata store is the source of truth and the ReplicaManager follows it.
 */
import { validateTopicConfigs, type BrokerConfig } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { MetadataError, type BrokerRegistration, type MetadataStore, type TopicRecord } from '../metadata/index.ts';

/** Cluster mode: the controller's rack-aware placement (controller/assignment.ts) instead of round-robin. */
export type ReplicaPlacer = (brokers: readonly BrokerRegistration[], partitions: number, replicationFactor: number, firstPartition: number) => number[][];

/** Kafka's limit: 249 so that `<topic>-<partition>` directory names stay within 255 bytes. */
export const TOPIC_NAME_LENGTH_MAX = 249;
/** Partitions one CreateTopics/CreatePartitions request may ask for per topic. */
export const PARTITIONS_PER_TOPIC_MAX = 100_000;
const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const INTERNAL_TOPICS: ReadonlySet<string> = new Set([CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);

export type TopicResult =
  | { readonly ok: true; readonly topic: TopicRecord }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

export interface CreateTopicRequest {
  readonly name: string;
  /** -1 or undefined: num.partitions. Ignored when `assignments` is given. */
  readonly numPartitions?: number;
  /** -1 or undefined: default.replication.factor. Ignored when `assignments` is given. */
  readonly replicationFactor?: number;
  /** Explicit replicas per partition. */
  readonly assignments?: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
  /** Check everything, create nothing. */
  readonly validateOnly?: boolean;
}

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** Returns a problem description for an illegal topic name, or undefined when it is legal. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters, topic name: ${name}`;
  }
  if (!LEGAL_TOPIC_CHARS.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return undefined;
}

const fail = (errorCode: number, message: string): TopicResult => ({ ok: false, errorCode, message });

export class TopicManager {
  private readonly config: BrokerConfig;
  private readonly store: MetadataStore;
  /** Picks the first broker of the round-robin placement; injected for deterministic tests. */
  private readonly placementStart: (brokerCount: number) => number;
  private readonly placer: ReplicaPlacer | undefined;

  constructor(config: BrokerConfig, store: MetadataStore, placementStart: (brokerCount: number) => number = () => 0, placer?: ReplicaPlacer) {
    this.config = config;
    this.store = store;
    this.placementStart = placementStart;
    this.placer = placer;
  }

  async createTopic(req: CreateTopicRequest): Promise<TopicResult> {
    const nameProblem = topicNameProblem(req.name);
    if (nameProblem !== undefined) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (this.store.topic(req.name) !== undefined) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${req.name}' already exists.`);
    const collision = this.collidingTopic(req.name);
    if (collision !== undefined) {
      return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${req.name}' collides with existing topic: ${collision}`);
    }
    const configs = req.configs ?? {};
    const valid = validateTopicConfigs(Object.entries(configs), this.config);
    if (!valid.ok) return fail(valid.errorCode, valid.message);
    const assignments = req.assignments ?? this.place(req.numPartitions, req.replicationFactor);
    if (!Array.isArray(assignments)) return assignments as TopicResult;
    const bad = this.checkAssignments(assignments);
    if (bad !== undefined) return bad;
    if (req.validateOnly === true) return { ok: true, topic: { name: req.name, topicId: '', assignments } };
    return this.wrap(() => this.store.createTopic(req.name, assignments, configs));
  }

  /** Auto-creation (Metadata with AllowAutoTopicCreation): broker defaults, no overrides. */
  autoCreateTopic(name: string): Promise<TopicResult> {
    return this.createTopic({ name });
  }

  get autoCreateEnabled(): boolean {
    return this.config.bool('auto.create.topics.enable');
  }

  async deleteTopic(name: string): Promise<TopicResult> {
    if (!this.config.bool('delete.topic.enable')) {
      return fail(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled (delete.topic.enable=false)');
    }
    return this.wrap(() => this.store.deleteTopic(name));
  }

  /** Grows `name` to `totalCount` partitions (CreatePartitions). */
  async createPartitions(name: string, totalCount: number, assignments?: readonly (readonly number[])[], validateOnly = false): Promise<TopicResult> {
    const topic = this.store.topic(name);
    if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const current = topic.assignments.length;
    if (totalCount <= current) {
      return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than or equal to the requested ${totalCount}.`);
    }
    if (totalCount > PARTITIONS_PER_TOPIC_MAX) return fail(ErrorCode.INVALID_PARTITIONS, `Partition count ${totalCount} exceeds ${PARTITIONS_PER_TOPIC_MAX}`);
    const added = assignments ?? this.place(totalCount - current, topic.assignments[0]!.length, current);
    if (!Array.isArray(added)) return added as TopicResult;
    if (added.length !== totalCount - current) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${totalCount - current} but ${added.length} assignments provided.`);
    }
    const bad = this.checkAssignments(added);
    if (bad !== undefined) return bad;
    if (validateOnly) return { ok: true, topic: { ...topic, assignments: [...topic.assignments, ...added] } };
    return this.wrap(() => this.store.addPartitions(name, added));
  }

  /** Round-robin replica placement over registered brokers (rack awareness comes with clusters). */
  private place(numPartitions = -1, replicationFactor = -1, firstPartition = 0): (readonly number[])[] | TopicResult {
    const partitions = numPartitions === -1 ? this.config.int('num.partitions') : numPartitions;
    const rf = replicationFactor === -1 ? this.config.int('default.replication.factor') : replicationFactor;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > PARTITIONS_PER_TOPIC_MAX) {
      return fail(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be between 1 and ${PARTITIONS_PER_TOPIC_MAX}.`);
    }
    const brokers = this.store.brokers().map((b) => b.id);
    if (rf < 1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (rf > brokers.length) {
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${rf} larger than available brokers: ${brokers.length}.`);
    }
    if (this.placer !== undefined) return this.placer(this.store.brokers(), partitions, rf, firstPartition);
    const start = this.placementStart(brokers.length);
    const out: number[][] = [];
    for (let p = 0; p < partitions; p++) {
      const replicas: number[] = [];
      for (let r = 0; r < rf; r++) replicas.push(brokers[(start + firstPartition + p + r) % brokers.length]!);
      out.push(replicas);
    }
    return out;
  }

  private checkAssignments(assignments: readonly (readonly number[])[]): TopicResult | undefined {
    if (assignments.length === 0) return fail(ErrorCode.INVALID_PARTITIONS, 'At least one partition is required.');
    const known = new Set(this.store.brokers().map((b) => b.id));
    for (const [p, replicas] of assignments.entries()) {
      if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${p} has an empty or duplicated replica list.`);
      }
      const unknown = replicas.find((id) => !known.has(id));
      if (unknown !== undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker ${unknown} in the assignment of partition ${p}.`);
    }
    return undefined;
  }

  /** Kafka rejects names that differ only by '.' vs '_' (they collide in metric names). */
  private collidingTopic(name: string): string | undefined {
    if (!name.includes('.') && !name.includes('_')) return undefined;
    const key = name.replaceAll('.', '_');
    return this.store.topics().find((t) => t.name !== name && t.name.replaceAll('.', '_') === key)?.name;
  }

  private async wrap(op: () => Promise<TopicRecord>): Promise<TopicResult> {
    try {
      return { ok: true, topic: await op() };
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      switch (e.code) {
        case 'TOPIC_EXISTS': return fail(ErrorCode.TOPIC_ALREADY_EXISTS, e.message);
        case 'UNKNOWN_TOPIC': return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, e.message);
        case 'INVALID_ASSIGNMENT': return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, e.message);
        default: throw e;
      }
    }
  }
}
