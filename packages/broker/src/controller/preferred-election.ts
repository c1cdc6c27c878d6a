/**
 * Leader elections an operator asks for (ElectLeaders, key 43) and the controller's periodic
 * preferred-replica rebalance (`auto.leader.rebalance.enable`). Pure planning plus one
 * compare-and-set write per partition; any broker may run it, as the version check makes the write
 * as safe as the controller's (see controlled-shutdown.ts for the same reasoning).
 *
 * - Preferred (type 0): the first replica in the assignment leads when it is live and in the ISR;
 *   ELECTION_NOT_NEEDED when it already leads, PREFERRED_LEADER_NOT_AVAILABLE otherwise.
 * - Unclean (type 1): only for a partition without a leader; a live ISR member leads if any (clean),
 *   else any live replica (ISR restarts with it); ELECTION_NOT_NEEDED when a leader exists,
 *   ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is live.
 */
import { ErrorCode } from '../error-codes.ts';
import { MetadataError, type MetadataStore, type PartitionState, type PartitionStateUpdate } from '../metadata/index.ts';
import { NO_LEADER } from './election.ts';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/** CAS attempts per partition before giving up with the last error. */
const ELECTION_CAS_RETRIES_MAX = 5;

export type ElectionPlan =
  | { readonly ok: true; readonly next: PartitionStateUpdate }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

export function planElection(
  electionType: number, replicas: readonly number[], state: PartitionState, live: ReadonlySet<number>,
): ElectionPlan {
  if (electionType === ElectionType.PREFERRED) {
    const preferred = replicas[0];
    if (preferred !== undefined && state.leader === preferred) {
      return { ok: false, errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'Leader is already the preferred replica.' };
    }
    if (preferred === undefined || !live.has(preferred) || !state.isr.includes(preferred)) {
      return { ok: false, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, message: `Preferred replica ${preferred} is not alive or not in the ISR.` };
    }
    return { ok: true, next: { leader: preferred, leaderEpoch: state.leaderEpoch + 1, isr: state.isr } };
  }
  if (state.leader !== NO_LEADER && live.has(state.leader)) {
    return { ok: false, errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'The partition has a leader.' };
  }
  const clean = replicas.find((r) => live.has(r) && state.isr.includes(r));
  if (clean !== undefined) return { ok: true, next: { leader: clean, leaderEpoch: state.leaderEpoch + 1, isr: state.isr.filter((r) => live.has(r)) } };
  const any = replicas.find((r) => live.has(r));
  if (any === undefined) return { ok: false, errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, message: 'No replica of the partition is alive.' };
  return { ok: true, next: { leader: any, leaderEpoch: state.leaderEpoch + 1, isr: [any] } };
}

export interface ElectionResult {
  readonly errorCode: number;
  readonly message: string | null;
}

/** Plans and writes one election, re-planning from the refreshed state on BAD_VERSION. */
export async function electLeader(store: MetadataStore, electionType: number, topic: string, partition: number): Promise<ElectionResult> {
  for (let attempt = 0; attempt < ELECTION_CAS_RETRIES_MAX; attempt++) {
    const replicas = store.topic(topic)?.assignments[partition];
    const state = store.partitionState(topic, partition);
    if (replicas === undefined || state === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `${topic}-${partition} does not exist.` };
    const plan = planElection(electionType, replicas, state, new Set(store.brokers().map((b) => b.id)));
    if (!plan.ok) return { errorCode: plan.errorCode, message: plan.message };
    try {
      await store.updatePartitionState(topic, partition, plan.next, state.version);
      return { errorCode: ErrorCode.NONE, message: null };
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      if (e.code === 'UNKNOWN_TOPIC' || e.code === 'UNKNOWN_PARTITION') return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: e.message };
      if (e.code !== 'BAD_VERSION') return { errorCode: ErrorCode.REQUEST_TIMED_OUT, message: e.message };
    }
  }
  return { errorCode: ErrorCode.REQUEST_TIMED_OUT, message: `${topic}-${partition} kept changing during the election.` };
}

/** Partitions whose preferred replica is live, in the ISR and not leading (the rebalance's work). */
export function imbalancedPartitions(store: MetadataStore): { topic: string; partition: number }[] {
  const live = new Set(store.brokers().map((b) => b.id));
  const out: { topic: string; partition: number }[] = [];
  for (const t of store.topics()) {
    for (let p = 0; p < t.assignments.length; p++) {
      const state = store.partitionState(t.name, p);
      if (state !== undefined && planElection(ElectionType.PREFERRED, t.assignments[p]!, state, live).ok) out.push({ topic: t.name, partition: p });
    }
  }
  return out;
}
