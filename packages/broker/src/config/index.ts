/**
 * Broker and topic configuration (Kafka names). Other parts of the broker read config only through
 * this module: `parseBrokerConfig` at startup, `followDynamicBrokerConfig` for dynamic broker
 * overrides, `TopicConfig`/`topicLogConfig` per topic, and `validateTopicConfigs` +
 * `describeTopicConfigs` for the admin handlers.
 */
export * from './types.ts';
export { BROKER_CONFIGS, BROKER_CONFIG_BY_NAME, COMPRESSION_TYPES, TIMESTAMP_TYPES, CLEANUP_POLICIES } from './broker-configs.ts';
export {
  BrokerConfig, DERIVED_BROKER_KEYS, dynamicUpdateProblem, parseBrokerConfig, parseListener, parseZooKeeperConnect,
  type BrokerConfigOverrides, type IgnoredOverride, type ListenerConfig,
} from './broker-config.ts';
export { followDynamicBrokerConfig } from './dynamic-broker-config.ts';
export * from './topic-configs.ts';
