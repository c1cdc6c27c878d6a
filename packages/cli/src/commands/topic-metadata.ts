/** Topic lookup shared by produce and consume, with plain-words errors for the common cases. */
import { KafkaError, type Cluster } from '@tributary/client';
import { CliError } from '../errors.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const INVALID_TOPIC_EXCEPTION = 17;

/** Loads metadata for `topic` (auto-creating it if the client asks and the broker allows); returns its partition count. */
export async function topicMetadata(cluster: Cluster, topic: string): Promise<number> {
  try {
    await cluster.ensureTopics([topic]);
  } catch (err) {
    if (err instanceof KafkaError && err.code === UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`unknown topic ${topic}`, 1, { cause: err });
    if (err instanceof KafkaError && err.code === INVALID_TOPIC_EXCEPTION) throw new CliError(`invalid topic name ${JSON.stringify(topic)}`, 1, { cause: err });
    throw err;
  }
  return cluster.topic(topic)!.partitions.length;
}
