/**
 * @tributary/broker: the Kafka-compatible broker.
 * - `startBroker(props, opts)` starts one from `server.properties`-style keys.
 * - `config/`: broker and topic config definitions, parsing, validation (`parseBrokerConfig`,
 *   `validateTopicConfigs`, `describeTopicConfigs`, `topicLogConfig`).
 * - `handlers/`: the handler registry; pass extra handlers through `opts.handlers`.
 * - `replica/`: TopicManager (create/delete/add partitions) and ReplicaManager (hosted partitions).
 * - `metadata/`: the metadata store interface and its single-node implementations.
 */
export { startBroker, type Broker, type StartBrokerOptions, WILDCARD_ADVERTISED_HOST } from './broker.ts';
export type { BrokerContext } from './broker-context.ts';
export {
  BROKER_CONFIGS, TOPIC_CONFIGS, ConfigError, parseBrokerConfig, validateTopicConfigs, describeTopicConfigs, topicLogConfig,
  BrokerConfig, TopicConfig, ConfigSource, type ConfigDef, type TopicConfigDef,
} from './config/index.ts';
export { defineHandler, HandlerRegistry, NO_RESPONSE, CLOSE_CONNECTION, type Handler, type RequestContext } from './handlers/index.ts';
export { TopicManager, ReplicaManager, Partition, topicNameProblem, isInternalTopic, type TopicResult, type CreateTopicRequest } from './replica/index.ts';
export { EmbeddedMetadataStore, InMemoryMetadataStore, MetadataError, type MetadataStore } from './metadata/index.ts';
export { consoleLogger, silentLogger, type Logger } from './logger.ts';
