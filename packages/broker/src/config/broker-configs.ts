/**
 * Broker configuration definitions, with Kafka's names, types and defaults (Kafka 3.x), except
 * where noted ("Tributary:"). Unknown keys are rejected at startup, so keys commonly found in a
 * stock `server.properties` that have no effect here yet are still defined, documented as such.
 * Update modes are Kafka's (docs "Update Mode"): read-only keys need a restart; cluster-wide keys
 * may be set dynamically per broker or as the cluster default. No key is per-broker only here:
 * Kafka's per-broker keys (listeners, SSL, ...) cannot be applied to a running Tributary broker.
 */
import {
  atLeast, between, eachOf, LONG_MAX, oneOf,
  type ConfigDef, type ConfigType, type ConfigUpdateMode, type ConfigValue,
} from './types.ts';

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;
export const CLEANUP_POLICIES = ['delete', 'compact'] as const;

function def(
  name: string, type: ConfigType, defaultValue: ConfigValue, updateMode: ConfigUpdateMode, doc: string,
  validate?: (v: ConfigValue) => string | undefined,
): ConfigDef {
  return validate === undefined ? { name, type, defaultValue, updateMode, doc } : { name, type, defaultValue, updateMode, doc, validate };
}

const listenerList = (v: ConfigValue): string | undefined => {
  if (!Array.isArray(v)) return undefined;
  for (const l of v) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*:\/\/(\[[0-9a-fA-F:.]*\]|[^:/\s]*):\d{1,5}$/.test(l)) {
      return `listener ${JSON.stringify(l)} is not of the form NAME://host:port`;
    }
  }
  return undefined;
};

const RO = 'read-only';
const CW = 'cluster-wide';

export const BROKER_CONFIGS: readonly ConfigDef[] = [
  // ---- identity and networking
  def('broker.id', 'int', 0, RO, 'The broker id. Tributary: defaults to 0 (Kafka: -1, generated).', atLeast(0)),
  def('broker.rack', 'string', null, RO, 'Rack of the broker, used for rack-aware replica placement.'),
  def('listeners', 'list', ['PLAINTEXT://:9092'], RO,
    'Comma-separated listener URIs NAME://host:port. An empty host binds all interfaces; port 0 picks a free port. Only PLAINTEXT is supported. Tributary: read-only (Kafka: per-broker); listeners are bound at startup.',
    listenerList),
  def('advertised.listeners', 'list', null, RO,
    'Listeners published to clients in Metadata when they differ from `listeners`. Defaults to `listeners` (with the actual bound port). Tributary: read-only (Kafka: per-broker).',
    listenerList),
  def('zookeeper.connect', 'string', null, RO,
    'ZooKeeper connection string (host:port[,host:port...][/chroot]). Set: cluster mode, the metadata lives in ZooKeeper (Kafka\'s layout) and brokers elect a controller; unset: a single node with an embedded metadata store.'),
  def('zookeeper.connection.timeout.ms', 'int', 18000, RO, 'How long the broker waits for its ZooKeeper connection at startup.', atLeast(1)),
  def('zookeeper.session.timeout.ms', 'int', 6000, RO,
    'ZooKeeper session timeout: a broker that cannot reach ZooKeeper for this long loses its registration (and leadership). Tributary: defaults to 6000 (Kafka: 18000).', atLeast(1)),
  def('controlled.shutdown.enable', 'boolean', true, RO,
    'On shutdown (SIGTERM), move leadership of every partition this broker leads to another in-sync replica, and leave every ISR, before stopping (cluster mode).'),
  def('controlled.shutdown.max.retries', 'int', 3, RO, 'Rounds of controlled shutdown before the broker stops anyway.', atLeast(1)),
  def('controlled.shutdown.retry.backoff.ms', 'long', 5000, RO,
    'How long one controlled-shutdown round waits for leadership to move before the next round.', atLeast(1)),
  def('auto.leader.rebalance.enable', 'boolean', true, RO,
    'The controller periodically moves leadership back to the preferred replica (first in the assignment) when it is in the ISR.'),
  def('leader.imbalance.check.interval.seconds', 'long', 300, RO, 'How often the controller checks for partitions not led by their preferred replica.', atLeast(1)),
  def('leader.imbalance.per.broker.percentage', 'int', 10, RO,
    'Accepted for compatibility. Tributary: every partition whose preferred replica is in the ISR is moved back at each check.', atLeast(0)),
  def('replica.high.watermark.checkpoint.interval.ms', 'long', 5000, RO,
    'How often the high watermarks are written to `replication-offset-checkpoint` in each log dir (also on clean shutdown).', atLeast(1)),
  def('socket.request.max.bytes', 'int', 104857600, RO,
    'Largest request frame accepted; a larger size prefix closes the connection.', atLeast(1)),
  def('socket.send.buffer.bytes', 'int', 102400, RO, 'Accepted for compatibility; the OS default is used.'),
  def('socket.receive.buffer.bytes', 'int', 102400, RO, 'Accepted for compatibility; the OS default is used.'),
  def('connections.max.idle.ms', 'long', 600000, RO, 'Idle connections are closed after this many milliseconds.', atLeast(1)),
  def('queued.max.requests', 'int', 500, RO,
    'Requests being handled across all connections before the broker stops reading from sockets.', atLeast(1)),
  def('tributary.connection.inflight.requests.max', 'int', 100, RO,
    'Tributary: unanswered requests per connection before the broker stops reading from that connection (resumed as responses are sent).',
    atLeast(1)),
  def('num.network.threads', 'int', 3, CW, 'Accepted for compatibility; Tributary runs one event loop.', atLeast(1)),
  def('num.io.threads', 'int', 8, CW, 'Accepted for compatibility; Tributary runs one event loop.', atLeast(1)),
  def('num.recovery.threads.per.data.dir', 'int', 1, CW, 'Accepted for compatibility.', atLeast(1)),

  // ---- topics
  def('num.partitions', 'int', 1, RO, 'Default partition count of auto-created topics.', atLeast(1)),
  def('default.replication.factor', 'int', 1, RO, 'Default replication factor of new topics (auto-created, or created with replicationFactor -1).', atLeast(1)),
  def('auto.create.topics.enable', 'boolean', true, RO, 'Create a topic when Metadata asks for an unknown one and allows auto-creation.'),
  def('delete.topic.enable', 'boolean', true, RO, 'Allow DeleteTopics.'),
  def('min.insync.replicas', 'int', 1, CW, 'Minimum ISR size for acks=all produce requests.', atLeast(1)),
  def('unclean.leader.election.enable', 'boolean', false, CW, 'Allow a replica outside the ISR to become leader (may lose data).'),
  def('offsets.topic.num.partitions', 'int', 50, RO, 'Partitions of __consumer_offsets.', atLeast(1)),
  def('offsets.topic.replication.factor', 'short', 1, RO,
    'Replication factor of __consumer_offsets. Tributary: defaults to 1 for the single-node default deployment (Kafka: 3).', atLeast(1)),
  def('offsets.retention.minutes', 'int', 10080, RO, 'Committed offsets of empty groups are kept this long.', atLeast(1)),
  def('transaction.state.log.num.partitions', 'int', 50, RO, 'Partitions of __transaction_state.', atLeast(1)),
  def('transaction.state.log.replication.factor', 'short', 1, RO,
    'Replication factor of __transaction_state. Tributary: defaults to 1 (Kafka: 3).', atLeast(1)),
  def('transaction.state.log.min.isr', 'int', 1, RO, 'min.insync.replicas of __transaction_state. Tributary: defaults to 1 (Kafka: 2).', atLeast(1)),
  def('transaction.max.timeout.ms', 'int', 900000, RO, 'Largest transaction timeout a producer may ask for.', atLeast(1)),
  def('group.initial.rebalance.delay.ms', 'int', 3000, RO, 'Delay before the first rebalance of a new group.', atLeast(0)),
  def('group.min.session.timeout.ms', 'int', 6000, RO, 'Smallest session timeout a group member may ask for.'),
  def('group.max.session.timeout.ms', 'int', 1800000, RO, 'Largest session timeout a group member may ask for.'),
  def('group.max.size', 'int', 2147483647, RO, 'Most members a consumer group may have (GROUP_MAX_SIZE_REACHED beyond).', atLeast(1)),
  def('offsets.retention.check.interval.ms', 'long', 600000, RO, 'How often expired committed offsets are removed.', atLeast(1)),
  def('offset.metadata.max.bytes', 'int', 4096, RO, 'Largest metadata string of a committed offset (OFFSET_METADATA_TOO_LARGE beyond).', atLeast(0)),
  def('offsets.commit.timeout.ms', 'int', 5000, RO,
    'An offset commit (and a group metadata write) waits this long for the __consumer_offsets replicas.', atLeast(1)),
  def('offsets.load.buffer.size', 'int', 5242880, RO, 'Bytes read per step when loading __consumer_offsets into the group cache.', atLeast(1)),
  def('offsets.topic.segment.bytes', 'int', 104857600, RO, 'segment.bytes of __consumer_offsets.', atLeast(1)),
  def('offsets.topic.compression.codec', 'int', 0, RO, 'Compression of __consumer_offsets writes. Tributary: accepted; writes are uncompressed.', atLeast(0)),
  def('replica.lag.time.max.ms', 'long', 30000, RO, 'A follower that has not caught up for this long leaves the ISR.', atLeast(1)),
  def('fetch.max.bytes', 'int', 57671680, RO, 'Largest Fetch response (caps the request MaxBytes).', atLeast(1024)),
  def('message.max.bytes', 'int', 1048588, CW, 'Largest record batch accepted (topic override: max.message.bytes).', atLeast(0)),

  // ---- log
  def('log.dirs', 'list', null, RO, 'Data directories. Tributary: only the first is used for now.'),
  def('log.dir', 'string', './data', RO, 'Data directory, used when log.dirs is not set. Tributary: defaults to ./data.'),
  def('log.segment.bytes', 'int', 1073741824, CW, 'Size of a log segment file.', atLeast(14)),
  def('log.roll.ms', 'long', null, CW, 'Roll a new segment after this long (overrides log.roll.hours).', atLeast(1)),
  def('log.roll.hours', 'int', 168, RO, 'Roll a new segment after this many hours.', atLeast(1)),
  def('log.roll.jitter.ms', 'long', null, CW, 'Random jitter subtracted from the roll time (overrides log.roll.jitter.hours).', atLeast(0)),
  def('log.roll.jitter.hours', 'int', 0, RO, 'Random jitter subtracted from the roll time, in hours.', atLeast(0)),
  def('log.retention.ms', 'long', null, CW, 'Delete segments older than this; -1 keeps forever. Overrides minutes and hours.', atLeast(-1)),
  def('log.retention.minutes', 'int', null, RO, 'Retention in minutes, used when log.retention.ms is not set.', atLeast(-1)),
  def('log.retention.hours', 'int', 168, RO, 'Retention in hours, used when neither log.retention.ms nor minutes is set.', atLeast(-1)),
  def('log.retention.bytes', 'long', -1, CW, 'Delete old segments while a partition is larger than this; -1 = no size limit.'),
  def('log.retention.check.interval.ms', 'long', 300000, RO, 'How often retention is enforced.', atLeast(1)),
  def('log.flush.interval.messages', 'long', LONG_MAX, CW, 'Fsync a partition after this many appended records.', atLeast(1)),
  def('log.flush.interval.ms', 'long', null, CW,
    'Fsync a partition when its oldest unflushed record is this old; when unset, log.flush.scheduler.interval.ms is used.', atLeast(0)),
  def('log.flush.scheduler.interval.ms', 'long', LONG_MAX, RO, 'How often the flusher checks partitions.', atLeast(0)),
  def('log.index.interval.bytes', 'int', 4096, CW, 'Bytes between offset-index entries.', atLeast(0)),
  def('log.index.size.max.bytes', 'int', 10485760, CW, 'Largest offset/time index file.', atLeast(4)),
  def('log.cleanup.policy', 'list', ['delete'], CW, 'delete and/or compact.', eachOf(...CLEANUP_POLICIES)),
  def('log.cleaner.delete.retention.ms', 'long', 86400000, CW, 'How long tombstones are kept on compacted topics.', atLeast(0)),
  def('log.cleaner.min.compaction.lag.ms', 'long', 0, CW, 'Records stay uncompacted for at least this long.', atLeast(0)),
  def('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, CW, 'Records become eligible for compaction after this long.', atLeast(1)),
  def('log.cleaner.min.cleanable.ratio', 'double', 0.5, CW, 'Dirty ratio above which a log is compacted.', between(0, 1)),
  def('log.segment.delete.delay.ms', 'long', 60000, CW, 'Delay before a deleted segment file is removed.', atLeast(0)),
  def('log.preallocate', 'boolean', false, CW, 'Preallocate segment files.'),
  def('log.message.timestamp.type', 'string', 'CreateTime', CW, 'CreateTime or LogAppendTime.', oneOf(...TIMESTAMP_TYPES)),
  def('log.message.timestamp.before.max.ms', 'long', LONG_MAX, CW,
    'Largest allowed distance of a CreateTime timestamp before broker time (INVALID_TIMESTAMP beyond).', atLeast(0)),
  def('log.message.timestamp.after.max.ms', 'long', LONG_MAX, CW,
    'Largest allowed distance of a CreateTime timestamp after broker time (INVALID_TIMESTAMP beyond).', atLeast(0)),
  def('log.message.downconversion.enable', 'boolean', true, CW, 'Allow down-conversion for old fetch versions.'),
  def('compression.type', 'string', 'producer', CW, 'Final compression of stored batches; producer keeps the producer\'s codec.',
    oneOf(...COMPRESSION_TYPES)),

  // ---- broker-side schema validation (Confluent Server's key)
  def('confluent.schema.registry.url', 'list', null, RO,
    'Schema Registry URL(s) used by broker-side schema validation (topic configs confluent.{key,value}.schema.validation), tried in order when one is unreachable. No default: enabling validation on a topic without it fails with INVALID_CONFIG.'),
];

export const BROKER_CONFIG_BY_NAME: ReadonlyMap<string, ConfigDef> = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));
