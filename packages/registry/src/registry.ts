import type { CompatibilityLevel } from './schema/index.ts';
import { RegistryHttpServer, type LeaderView } from './server/http.ts';
import { buildRoutes } from './server/routes.ts';
import { RegistryService } from './server/service.ts';
import { LeaderElector } from './store/election.ts';
import { KafkaStore } from './store/kafka-store.ts';

export interface RegistryOptions {
  /** Kafka bootstrap servers, `host:port[,host:port]`. */
  bootstrapServers: string;
  /** Where to listen, Confluent's `listeners` (first one used). Default `http://0.0.0.0:8081`. */
  listeners?: string;
  /** Confluent's `kafkastore.topic`. Default `_schemas`. */
  topic?: string;
  /** Confluent's `kafkastore.topic.replication.factor`. Default min(3, live brokers). */
  replicationFactor?: number;
  /** Host advertised to other instances for forwarding (`host.name`). Default the listener host, or 127.0.0.1 for 0.0.0.0. */
  hostName?: string;
  /** `leader.eligibility`. Default true. */
  leaderEligibility?: boolean;
  /** `schema.registry.group.id`. Default `schema-registry`. */
  groupId?: string;
  /** `schema.compatibility.level`. Default BACKWARD. */
  compatibilityLevel?: CompatibilityLevel;
  /** Election timings (tests shorten them). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  onError?: (err: unknown) => void;
}

export interface Registry {
  url: string;
  port: number;
  /** True while this instance is the elected leader. */
  isLeader(): boolean;
  close(): Promise<void>;
}

function parseListener(listeners: string): { scheme: string; host: string; port: number } {
  const first = listeners.split(',')[0]!.trim();
  const u = new URL(first);
  if (u.protocol !== 'http:') throw new Error(`unsupported registry listener ${first}: only http:// is served`);
  return { scheme: 'http', host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port === '' ? 80 : Number(u.port) };
}

/**
 * Starts a Schema Registry instance: replays `_schemas` (creating it if missing), serves the REST
 * API, and joins the leader election. Resolves once reads are served from a caught-up state.
 */
export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  const listener = parseListener(opts.listeners ?? 'http://0.0.0.0:8081');
  const store = new KafkaStore({
    bootstrapServers: opts.bootstrapServers, topic: opts.topic ?? '_schemas', onError: opts.onError,
    ...(opts.replicationFactor !== undefined ? { replicationFactor: opts.replicationFactor } : {}),
  });
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => { for (const c of closers.reverse()) await c().catch(() => undefined); };
  try {
    await store.start();
    closers.push(() => store.close());
    const service = new RegistryService(store, opts.compatibilityLevel ?? 'BACKWARD');
    let elector: LeaderElector | null = null;
    const leader: LeaderView = {
      isLeader: () => elector?.isLeader() ?? false,
      leaderUrl: (ms) => elector?.leaderUrl(ms) ?? Promise.resolve(null),
    };
    const http = new RegistryHttpServer({ host: listener.host, port: listener.port, routes: buildRoutes(service, { clusterId: () => store.clusterId }), leader, onError: opts.onError });
    const port = await http.listen();
    closers.push(() => http.close());
    const advertised = opts.hostName ?? (listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host);
    elector = new LeaderElector({
      bootstrapServers: opts.bootstrapServers, groupId: opts.groupId ?? 'schema-registry', onError: opts.onError,
      identity: { version: 1, host: advertised, port, master_eligibility: opts.leaderEligibility ?? true, scheme: listener.scheme },
      ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
      ...(opts.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: opts.heartbeatIntervalMs } : {}),
    });
    await elector.start();
    const el = elector;
    closers.push(() => el.close());
    const host = listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host;
    return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, isLeader: () => el.isLeader(), close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
