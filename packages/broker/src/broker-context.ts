import type { Clock } from '@tributary/storage';
import type { BrokerConfig } from './config/index.ts';
import type { Controller } from './controller/index.ts';
import type { HandlerRegistry } from './handlers/registry.ts';
import type { GroupService } from './group/index.ts';
import type { Logger } from './logger.ts';
import type { MetadataStore } from './metadata/index.ts';
import type { ReplicaManager, TopicManager } from './replica/index.ts';

/**
 * Everything a request handler may use, built once by `startBroker`. Handlers get it as
 * `ctx.broker`; they never reach for globals, the clock included.
 */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: MetadataStore;
  readonly replicas: ReplicaManager;
  readonly topics: TopicManager;
  readonly registry: HandlerRegistry;
  /** The classic group coordinator and committed offsets (`__consumer_offsets`). */
  readonly groups: GroupService;
  /** Cluster mode: this broker's controller (active while it holds /controller); null on a single node. */
  readonly controller: Controller | null;
  /** The host/port clients should use for this broker on the given listener. */
  advertisedEndpoint(listenerName: string): { readonly host: string; readonly port: number };
}
