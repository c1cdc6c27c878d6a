import { murmur2, toPositive } from './murmur2.ts';

/**
 * Chooses a partition for a record. `key` is the serialized key (null when absent).
 * Called once per record on the hot path, so it must not allocate.
 */
export interface Partitioner {
  partition(topic: string, key: Buffer | null, numPartitions: number): number;
  /** Told when a batch for `topic` was closed (sent), so sticky choices can move on (KIP-480). */
  onNewBatch?(topic: string, closedPartition: number, numPartitions: number): void;
}

/**
 * Kafka's default partitioner: murmur2 for keyed records, sticky for null keys. A null-key
 * record sticks to one partition until a batch for that partition is sent; then the next
 * null-key record picks a different partition at random.
 */
export class DefaultPartitioner implements Partitioner {
  private readonly sticky = new Map<string, number>();
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  partition(topic: string, key: Buffer | null, numPartitions: number): number {
    if (key !== null) return toPositive(murmur2(key)) % numPartitions;
    const current = this.sticky.get(topic);
    if (current !== undefined && current < numPartitions) return current;
    const chosen = Math.floor(this.random() * numPartitions);
    this.sticky.set(topic, chosen);
    return chosen;
  }

  onNewBatch(topic: string, closedPartition: number, numPartitions: number): void {
    const current = this.sticky.get(topic);
    if (current !== undefined && current !== closedPartition) return;
    if (numPartitions <= 1) {
      this.sticky.set(topic, 0);
      return;
    }
    // Pick uniformly among the other partitions so the switch always moves.
    let next = Math.floor(this.random() * (numPartitions - 1));
    if (next >= closedPartition) next++;
    this.sticky.set(topic, next);
  }
}

/** Keyed murmur2 placement only; null keys go round-robin. Useful for deterministic tests. */
export class RoundRobinNullKeyPartitioner implements Partitioner {
  private counter = 0;
  partition(_topic: string, key: Buffer | null, numPartitions: number): number {
    if (key !== null) return toPositive(murmur2(key)) % numPartitions;
    const p = this.counter % numPartitions;
    this.counter = (this.counter + 1) & 0x7fffffff;
    return p;
  }
}
