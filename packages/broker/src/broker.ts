/**
 * Broker assembly: config -> metadata store -> logs -> replicas -> handlers -> network.
 * `startBroker` resolves once every listener is bound and this broker is registered; `close`
 * stops accepting, drops connections, then flushes and closes the logs and the store.
 */
import { resolve } from 'node:path';
import { LogManager, systemClock, type Clock } from '@tributary/storage';
import type { BrokerContext } from './broker-context.ts';
import { followDynamicBrokerConfig, parseBrokerConfig, type BrokerConfig } from './config/index.ts';
import { CORE_HANDLERS, HandlerRegistry, KafkaRequestDispatcher, type Handler } from './handlers/index.ts';
import { GroupService, ReplicaCoordinatorLog, groupCoordinatorConfig } from './group/index.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { Controller, assignReplicas, controlledShutdown } from './controller/index.ts';
import { EmbeddedMetadataStore, ZooKeeperMetadataStore, type MetadataStore } from './metadata/index.ts';
import { NetworkServer, type BoundListener } from './network/index.ts';
import { ReplicaManager, TopicManager } from './replica/index.ts';
import type { ReplicaPlacer } from './replica/topic-manager.ts';

/** Node timers overflow above 2^31-1 ms (they then fire after 1 ms): "never" is capped here. */
const TIMER_DELAY_MS_MAX = 2 ** 31 - 1;
/** Host advertised for a listener bound to all interfaces when advertised.listeners is unset. */
export const WILDCARD_ADVERTISED_HOST = 'localhost';

export interface StartBrokerOptions {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Defaults to the embedded store in the first log dir; tests may pass an InMemoryMetadataStore. */
  readonly metadataStore?: MetadataStore;
  /** Handlers beyond the core set (admin APIs, groups, ...). */
  readonly handlers?: readonly Handler[];
  /** Test hook: awaited before each `__consumer_offsets` partition is loaded at startup. */
  readonly groupLoadHook?: (partition: number) => Promise<void>;
  /** Cluster mode: index of the broker that gets a new topic's first replica (Kafka: random). */
  readonly placementStart?: (brokerCount: number) => number;
}

export interface Broker {
  readonly config: BrokerConfig;
  /** Bound listeners with their actual ports. */
  readonly listeners: readonly BoundListener[];
  /** Services for code running inside the broker process (admin handlers, console, tests). */
  readonly context: BrokerContext;
  close(): Promise<void>;
}

function flushCheckIntervalMs(config: BrokerConfig): number {
  const flushMs = config.intOrNull('log.flush.interval.ms') ?? Infinity;
  return Math.max(1, Math.min(config.int('log.flush.scheduler.interval.ms'), flushMs, TIMER_DELAY_MS_MAX));
}

export async function startBroker(props: Record<string, string>, opts: StartBrokerOptions = {}): Promise<Broker> {
  const config = parseBrokerConfig(props);
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? consoleLogger();
  const zkConnect = config.stringOrNull('zookeeper.connect');
  const store = opts.metadataStore ?? (zkConnect === null
    ? new EmbeddedMetadataStore(resolve(config.logDirs[0]!))
    : new ZooKeeperMetadataStore({
      connect: zkConnect,
      sessionTimeoutMs: config.int('zookeeper.session.timeout.ms'),
      connectionTimeoutMs: config.int('zookeeper.connection.timeout.ms'),
      log,
    }));
  await store.start();
  const logs = new LogManager({
    logDirs: [...config.logDirs],
    clock,
    retentionCheckIntervalMs: Math.min(config.int('log.retention.check.interval.ms'), TIMER_DELAY_MS_MAX),
    flushCheckIntervalMs: flushCheckIntervalMs(config),
  });
  const replicas = new ReplicaManager(config, store, logs, log, clock);
  // Dynamic broker overrides apply before any log opens (replicas.start), so topic defaults start out right.
  const unfollowConfig = followDynamicBrokerConfig(config, store, log, () => replicas.brokerConfigChanged());
  const controller = zkConnect === null ? null : new Controller({ brokerId: config.brokerId, config, store, log, clock });
  const topics = zkConnect === null
    ? new TopicManager(config, store)
    : new TopicManager(config, store, undefined, clusterPlacer(opts.placementStart ?? ((n) => Math.floor(Math.random() * n))));
  const registry = new HandlerRegistry();
  for (const h of [...CORE_HANDLERS, ...(opts.handlers ?? [])]) registry.register(h);

  const groups = new GroupService({
    log: new ReplicaCoordinatorLog(config, store, topics, replicas, clock, log),
    config: groupCoordinatorConfig(config),
    clock,
    logger: log,
    partitionExists: (topic, partition) => {
      const t = store.topic(topic);
      return t !== undefined && partition >= 0 && partition < t.assignments.length;
    },
    ...(opts.groupLoadHook === undefined ? {} : { beforeLoad: opts.groupLoadHook }),
  });
  let network: NetworkServer | null = null;
  const context: BrokerContext = {
    config, clock, log, store, replicas, topics, registry, groups, controller,
    advertisedEndpoint: (listenerName) => advertisedEndpoint(config, network?.listeners ?? [], listenerName),
  };
  try {
    replicas.start();
    logs.start();
    groups.start();
    network = new NetworkServer({
      listeners: config.listeners,
      requestBytesMax: config.requestBytesMax,
      inflightRequestsMax: config.inflightRequestsMax,
      queuedRequestsMax: config.int('queued.max.requests'),
      idleTimeoutMs: Math.min(config.int('connections.max.idle.ms'), TIMER_DELAY_MS_MAX),
      dispatcher: new KafkaRequestDispatcher(context, registry),
      log,
    });
    await network.start();
    const ep = advertisedEndpoint(config, network.listeners, network.listeners[0]!.name);
    await store.registerBroker({ id: config.brokerId, host: ep.host, port: ep.port, rack: config.rack });
    // Cluster mode: run for controller (the Controller acts while this broker holds /controller);
    // a single node is its own controller.
    if (controller !== null) await controller.start();
    else await store.electController(config.brokerId);
  } catch (err) {
    await controller?.stop();
    await network?.close();
    groups.stop();
    await replicas.stop();
    unfollowConfig();
    logs.close();
    await store.close();
    throw err;
  }
  const server = network;
  log.info('broker started', { brokerId: config.brokerId, clusterId: store.clusterId(), listeners: server.listeners });
  let closing: Promise<void> | null = null;
  return {
    config,
    listeners: server.listeners,
    context,
    close: () => {
      closing ??= (async () => {
        if (controller !== null && config.bool('controlled.shutdown.enable')) {
          replicas.beginControlledShutdown();
          await controlledShutdown({
            brokerId: config.brokerId, store, log,
            retriesMax: config.int('controlled.shutdown.max.retries'),
            retryBackoffMs: config.int('controlled.shutdown.retry.backoff.ms'),
            nowMs: () => clock.now(),
          });
          // One event-loop turn: responses decided by the leadership change (NOT_LEADER_OR_FOLLOWER
          // to waiting acks=all produces and fetches) are written before the connections close.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        await controller?.stop();
        await server.close();
        groups.stop();
        await replicas.stop();
        unfollowConfig();
        await store.unregisterBroker(config.brokerId);
        logs.close();
        await store.close();
        log.info('broker stopped', { brokerId: config.brokerId });
      })();
      return closing;
    },
  };
}

/** Kafka's rack-aware placement over the live brokers; TopicManager has checked the counts already. */
function clusterPlacer(placementStart: (brokerCount: number) => number): ReplicaPlacer {
  return (brokers, partitions, replicationFactor, firstPartition) => {
    const r = assignReplicas(brokers, partitions, replicationFactor, { startIndex: placementStart(brokers.length), firstPartition });
    if (!r.ok) throw new Error(`invariant: placement of validated counts failed: ${r.message}`);
    return r.assignments;
  };
}

function advertisedEndpoint(config: BrokerConfig, bound: readonly BoundListener[], listenerName: string): { host: string; port: number } {
  const adv = config.advertisedListeners?.find((l) => l.name === listenerName);
  if (adv !== undefined) return { host: adv.host === '' ? WILDCARD_ADVERTISED_HOST : adv.host, port: adv.port };
  const l = bound.find((b) => b.name === listenerName) ?? bound[0];
  if (l === undefined) return { host: WILDCARD_ADVERTISED_HOST, port: -1 };
  const wildcard = l.host === '' || l.host === '0.0.0.0' || l.host === '::';
  return { host: wildcard ? WILDCARD_ADVERTISED_HOST : l.host, port: l.port };
}
