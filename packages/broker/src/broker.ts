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
import { EmbeddedMetadataStore, type MetadataStore } from './metadata/index.ts';
import { NetworkServer, type BoundListener } from './network/index.ts';
import { ReplicaManager, TopicManager } from './replica/index.ts';

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
  const store = opts.metadataStore ?? new EmbeddedMetadataStore(resolve(config.logDirs[0]!));
  await store.start();
  const logs = new LogManager({
    logDirs: [...config.logDirs],
    clock,
    retentionCheckIntervalMs: Math.min(config.int('log.retention.check.interval.ms'), TIMER_DELAY_MS_MAX),
    flushCheckIntervalMs: flushCheckIntervalMs(config),
  });
  const replicas = new ReplicaManager(config, store, logs, log);
  // Dynamic broker overrides apply before any log opens (replicas.start), so topic defaults start out right.
  const unfollowConfig = followDynamicBrokerConfig(config, store, log, () => replicas.brokerConfigChanged());
  const topics = new TopicManager(config, store);
  const registry = new HandlerRegistry();
  for (const h of [...CORE_HANDLERS, ...(opts.handlers ?? [])]) registry.register(h);

  const groups = new GroupService({
    log: new ReplicaCoordinatorLog(config, topics, replicas, clock, log),
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
    config, clock, log, store, replicas, topics, registry, groups,
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
  } catch (err) {
    await network?.close();
    groups.stop();
    replicas.stop();
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
        await server.close();
        groups.stop();
        replicas.stop();
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

function advertisedEndpoint(config: BrokerConfig, bound: readonly BoundListener[], listenerName: string): { host: string; port: number } {
  const adv = config.advertisedListeners?.find((l) => l.name === listenerName);
  if (adv !== undefined) return { host: adv.host === '' ? WILDCARD_ADVERTISED_HOST : adv.host, port: adv.port };
  const l = bound.find((b) => b.name === listenerName) ?? bound[0];
  if (l === undefined) return { host: WILDCARD_ADVERTISED_HOST, port: -1 };
  const wildcard = l.host === '' || l.host === '0.0.0.0' || l.host === '::';
  return { host: wildcard ? WILDCARD_ADVERTISED_HOST : l.host, port: l.port };
}
