/**
 * Kafka's ZooKeeper layout (ZooKeeper-mode Kafka 2.x/3.x, `kafka.zk.ZkData`), so an operator can
 * read a Tributary cluster with zkCli.sh as they would a Kafka one:
 *   /cluster/id                                      {"version":"1","id":"<cluster id>"}
 *   /brokers/ids/<id>                     EPHEMERAL  {"version":5,"host","port","rack","endpoints":[..],...}
 *   /brokers/topics/<topic>                          {"version":3,"topic_id","partitions":{"0":[1,2]},...}
 *   /brokers/topics/<topic>/partitions/<p>/state     {"version":1,"controller_epoch","leader","leader_epoch","isr":[..]}
 *   /config/topics/<topic>                           {"version":1,"config":{..}}
 *   /config/brokers/<id> | <default>                 {"version":1,"config":{..}}
 *   /controller                           EPHEMERAL  {"version":2,"brokerid":N,"timestamp":".."}
 *   /controller_epoch                                "<epoch>"
 * Decoding is strict: a node that does not parse is CORRUPT_STATE, named by path.
 */
import { MetadataError, type BrokerRegistration, type PartitionState } from '../types.ts';

export const CLUSTER_ID_PATH = '/cluster/id';
export const BROKER_IDS_PATH = '/brokers/ids';
export const TOPICS_PATH = '/brokers/topics';
export const TOPIC_CONFIGS_PATH = '/config/topics';
export const BROKER_CONFIGS_PATH = '/config/brokers';
export const CONTROLLER_PATH = '/controller';
export const CONTROLLER_EPOCH_PATH = '/controller_epoch';
/** Persistent parents created at startup (Kafka's ZkData.PersistentZkPaths, the ones used here). */
export const PERSISTENT_PATHS = ['/cluster', BROKER_IDS_PATH, TOPICS_PATH, TOPIC_CONFIGS_PATH, BROKER_CONFIGS_PATH] as const;
/** Entity name of the cluster-wide dynamic broker defaults. */
export const DEFAULT_BROKER_ENTITY = '<default>';

export const brokerPath = (id: number): string => `${BROKER_IDS_PATH}/${id}`;
export const topicPath = (topic: string): string => `${TOPICS_PATH}/${topic}`;
export const partitionsPath = (topic: string): string => `${topicPath(topic)}/partitions`;
export const partitionPath = (topic: string, p: number): string => `${partitionsPath(topic)}/${p}`;
export const statePath = (topic: string, p: number): string => `${partitionPath(topic, p)}/state`;
export const topicConfigPath = (topic: string): string => `${TOPIC_CONFIGS_PATH}/${topic}`;
export const brokerConfigPath = (brokerId: number | null): string =>
  `${BROKER_CONFIGS_PATH}/${brokerId === null ? DEFAULT_BROKER_ENTITY : brokerId}`;

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

function parse(path: string, data: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (cause) {
    throw new MetadataError('CORRUPT_STATE', `ZooKeeper node ${path} is not valid JSON`, { cause });
  }
  throw new MetadataError('CORRUPT_STATE', `ZooKeeper node ${path} is not a JSON object`);
}

function corrupt(path: string, what: string): MetadataError {
  return new MetadataError('CORRUPT_STATE', `ZooKeeper node ${path}: ${what}`);
}

const isIdList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

export function encodeClusterId(id: string): Buffer {
  return json({ version: '1', id });
}

export function decodeClusterId(data: Buffer): string {
  const v = parse(CLUSTER_ID_PATH, data);
  if (typeof v.id !== 'string' || v.id === '') throw corrupt(CLUSTER_ID_PATH, 'no "id"');
  return v.id;
}

export function encodeBroker(b: BrokerRegistration, nowMs: number): Buffer {
  return json({
    features: {},
    listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
    endpoints: [`PLAINTEXT://${b.host}:${b.port}`],
    jmx_port: -1,
    port: b.port,
    host: b.host,
    version: 5,
    timestamp: String(nowMs),
    rack: b.rack,
  });
}

export function decodeBroker(id: number, data: Buffer): BrokerRegistration {
  const path = brokerPath(id);
  const v = parse(path, data);
  let host = typeof v.host === 'string' ? v.host : null;
  let port = typeof v.port === 'number' ? v.port : -1;
  // Kafka writes host null / port -1 when the first listener is not PLAINTEXT: take the endpoint.
  const ep = Array.isArray(v.endpoints) && typeof v.endpoints[0] === 'string' ? /^[^:]+:\/\/\[?([^\]]*)\]?:(\d+)$/.exec(v.endpoints[0]) : null;
  if ((host === null || port < 0) && ep !== null) { host = ep[1]!; port = Number(ep[2]); }
  if (host === null || port < 0) throw corrupt(path, 'no host/port or endpoint');
  const rack = typeof v.rack === 'string' ? v.rack : null;
  return { id, host, port, rack };
}

export interface ZkTopic {
  readonly topicId: string;
  readonly assignments: readonly (readonly number[])[];
}

export function encodeTopic(t: ZkTopic): Buffer {
  const partitions: Record<string, readonly number[]> = {};
  t.assignments.forEach((r, p) => { partitions[String(p)] = r; });
  return json({ removing_replicas: {}, partitions, topic_id: t.topicId, adding_replicas: {}, version: 3 });
}

export function decodeTopic(topic: string, data: Buffer): ZkTopic {
  const path = topicPath(topic);
  const v = parse(path, data);
  if (typeof v.topic_id !== 'string') throw corrupt(path, 'no "topic_id"');
  const parts = v.partitions;
  if (typeof parts !== 'object' || parts === null) throw corrupt(path, 'no "partitions"');
  const entries = Object.entries(parts as Record<string, unknown>);
  const assignments: number[][] = new Array(entries.length);
  for (const [k, replicas] of entries) {
    const p = Number(k);
    if (!Number.isInteger(p) || p < 0 || p >= entries.length || !isIdList(replicas)) throw corrupt(path, `bad partition ${k}`);
    assignments[p] = replicas;
  }
  return { topicId: v.topic_id, assignments };
}

export function encodeState(s: { leader: number; leaderEpoch: number; isr: readonly number[] }, controllerEpoch: number): Buffer {
  return json({ controller_epoch: controllerEpoch, leader: s.leader, version: 1, leader_epoch: s.leaderEpoch, isr: s.isr });
}

export function decodeState(topic: string, p: number, data: Buffer, version: number): PartitionState {
  const path = statePath(topic, p);
  const v = parse(path, data);
  if (!Number.isInteger(v.leader) || !Number.isInteger(v.leader_epoch) || !isIdList(v.isr)) throw corrupt(path, 'bad leader/leader_epoch/isr');
  const controllerEpoch = Number.isInteger(v.controller_epoch) ? (v.controller_epoch as number) : 0;
  return { leader: v.leader as number, leaderEpoch: v.leader_epoch as number, isr: v.isr, version, controllerEpoch };
}

export function encodeConfig(configs: Readonly<Record<string, string>>): Buffer {
  return json({ version: 1, config: configs });
}

export function decodeConfig(path: string, data: Buffer): Record<string, string> {
  if (data.length === 0) return {};
  const v = parse(path, data);
  const c = v.config;
  if (typeof c !== 'object' || c === null) throw corrupt(path, 'no "config"');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(c as Record<string, unknown>)) {
    if (typeof val !== 'string') throw corrupt(path, `config ${k} is not a string`);
    out[k] = val;
  }
  return out;
}

export function encodeController(brokerId: number, nowMs: number): Buffer {
  return json({ version: 2, brokerid: brokerId, timestamp: String(nowMs), kraftControllerEpoch: -1 });
}

export function decodeController(data: Buffer): number {
  const v = parse(CONTROLLER_PATH, data);
  if (!Number.isInteger(v.brokerid)) throw corrupt(CONTROLLER_PATH, 'no "brokerid"');
  return v.brokerid as number;
}

/** /controller_epoch holds the bare number as text. */
export function decodeControllerEpoch(data: Buffer): number {
  const n = Number(data.toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw corrupt(CONTROLLER_EPOCH_PATH, 'not a number');
  return n;
}
