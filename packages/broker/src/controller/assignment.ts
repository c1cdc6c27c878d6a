/**
 * Replica placement for new topics and partitions: Kafka's algorithm (AdminUtils /
 * ReplicaAssignment `assignReplicasToBrokers`), so a Tributary cluster places replicas where an
 * operator used to Kafka expects them.
 * - Without racks: the first replica of partition p goes to broker (p + start) mod n; the others
 *   follow at a shift that grows by one every n partitions, so replicas spread over broker pairs.
 * - With racks on every broker: brokers are interleaved by rack (r1b1, r2b1, r3b1, r1b2, ...) and
 *   each replica goes to the next broker in that list on a rack without a replica yet (once every rack
 *   holds one, racks may repeat), so a partition survives the loss of a whole rack.
 * - Mixed (some brokers without a rack): Kafka's "Safe" mode, the rack-unaware placement.
 * Pure: the random start is a parameter.
 */

export interface PlacementBroker {
  readonly id: number;
  readonly rack: string | null;
}

export type AssignmentResult =
  | { readonly ok: true; readonly assignments: number[][] }
  | { readonly ok: false; readonly reason: 'INVALID_REPLICATION_FACTOR' | 'INVALID_PARTITIONS'; readonly message: string };

export interface AssignmentOptions {
  /** Index of the first partition's first replica, and the initial shift (Kafka: random; fixed for tests). */
  readonly startIndex: number;
  /** Number of the first partition placed (CreatePartitions continues after the existing ones). */
  readonly firstPartition?: number;
}

export function assignReplicas(brokers: readonly PlacementBroker[], partitions: number, replicationFactor: number, opts: AssignmentOptions): AssignmentResult {
  if (partitions <= 0) return { ok: false, reason: 'INVALID_PARTITIONS', message: 'Number of partitions must be larger than 0.' };
  if (replicationFactor <= 0) return { ok: false, reason: 'INVALID_REPLICATION_FACTOR', message: 'Replication factor must be larger than 0.' };
  if (replicationFactor > brokers.length) {
    return { ok: false, reason: 'INVALID_REPLICATION_FACTOR', message: `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.` };
  }
  const sorted = [...brokers].sort((a, b) => a.id - b.id);
  const rackAware = sorted.every((b) => b.rack !== null);
  const assignments = rackAware
    ? rackAwarePlacement(sorted, partitions, replicationFactor, opts)
    : rackUnawarePlacement(sorted.map((b) => b.id), partitions, replicationFactor, opts);
  return { ok: true, assignments };
}

/** Kafka's `replicaIndex`: the j-th follower's offset from the first replica, never 0 mod n. */
function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, j: number, n: number): number {
  const shift = 1 + ((secondReplicaShift + j) % (n - 1));
  return (firstReplicaIndex + shift) % n;
}

function rackUnawarePlacement(ids: readonly number[], partitions: number, rf: number, opts: AssignmentOptions): number[][] {
  const n = ids.length;
  const startIndex = opts.startIndex % n;
  let shift = startIndex;
  let current = opts.firstPartition ?? 0;
  const out: number[][] = [];
  for (let i = 0; i < partitions; i++, current++) {
    if (current > 0 && current % n === 0) shift++;
    const first = (current + startIndex) % n;
    const replicas = [ids[first]!];
    for (let j = 0; j < rf - 1; j++) replicas.push(ids[replicaIndex(first, shift, j, n)]!);
    out.push(replicas);
  }
  return out;
}

/** Brokers interleaved by rack: racks in name order, brokers in id order within each. */
export function rackAlternatedBrokers(brokers: readonly PlacementBroker[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const list = byRack.get(b.rack!) ?? [];
    list.push(b.id);
    byRack.set(b.rack!, list);
  }
  const racks = [...byRack.keys()].sort();
  const out: number[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const r of racks) {
      const id = byRack.get(r)![round];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}

function rackAwarePlacement(brokers: readonly PlacementBroker[], partitions: number, rf: number, opts: AssignmentOptions): number[][] {
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack!]));
  const numRacks = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokers(brokers);
  const n = arranged.length;
  const startIndex = opts.startIndex % n;
  let shift = startIndex;
  let current = opts.firstPartition ?? 0;
  const out: number[][] = [];
  for (let i = 0; i < partitions; i++, current++) {
    if (current > 0 && current % n === 0) shift++;
    const first = (current + startIndex) % n;
    const leader = arranged[first]!;
    const replicas = [leader];
    const racksWithReplicas = new Set([rackOf.get(leader)!]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let j = 0; j < rf - 1; j++) {
      for (;;) {
        const broker = arranged[replicaIndex(first, shift * numRacks, k, n)]!;
        const rack = rackOf.get(broker)!;
        k++;
        if (k > 2 * n * n) throw new Error(`invariant: rack-aware placement found no replica ${j + 2} for partition ${current}`);
        // Skip a broker whose rack already has a replica (unless every rack has one) or that has one itself.
        if ((!racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks)
          && (!brokersWithReplicas.has(broker) || brokersWithReplicas.size === n)) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          break;
        }
      }
    }
    out.push(replicas);
  }
  return out;
}
