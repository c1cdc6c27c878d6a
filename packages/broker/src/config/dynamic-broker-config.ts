/**
 * Keeps a running broker's BrokerConfig in step with the dynamic broker overrides in the metadata
 * store (AlterConfigs / IncrementalAlterConfigs on a BROKER resource): applied once at startup,
 * before any log is opened, and again whenever this broker's or the cluster-wide set changes.
 * `onChange` then pushes the new effective values to whatever derived them (topic configs and
 * open partition logs).
 */
import type { Logger } from '../logger.ts';
import type { MetadataStore } from '../metadata/index.ts';
import type { BrokerConfig } from './broker-config.ts';

/** Applies the stored overrides now and on every change; returns the unsubscribe function. */
export function followDynamicBrokerConfig(config: BrokerConfig, store: MetadataStore, log: Logger, onChange: () => void): () => void {
  const apply = (): void => {
    const ignored = config.applyDynamicOverrides(store.brokerConfigOverrides(config.brokerId), store.brokerConfigOverrides(null));
    for (const i of ignored) {
      log.warn('ignoring stored dynamic broker config', { brokerId: i.brokerId ?? '<default>', key: i.key, reason: i.reason });
    }
  };
  apply();
  return store.subscribe((e) => {
    if (e.type !== 'broker-config' || (e.brokerId !== null && e.brokerId !== config.brokerId)) return;
    apply();
    onChange();
  });
}
