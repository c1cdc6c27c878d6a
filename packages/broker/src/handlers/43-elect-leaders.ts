/**
 * ElectLeaders (key 43), versions 0-2.
 * Preferred (electionType 0; v0 has no type and means preferred) and unclean (1) leader elections,
 * planned and written by the broker that receives the request with compare-and-set on each
 * partition state (controller/preferred-election.ts), so no forwarding to the controller is needed.
 * topicPartitions null: every partition (preferred: those whose preferred replica can lead; unclean:
 * those without a leader). Per-partition errors: ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
 * ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION; an unknown electionType is
 * INVALID_REQUEST (top-level errorCode from v1).
 * Not implemented: authorization; timeoutMs (elections finish when the writes do).
 */
import {
  ElectLeadersApi, type ElectLeadersRequest, type ElectLeadersResponse, type ElectLeadersResponseReplicaElectionResult,
} from '@tributary/protocol/generated/index.ts';
import { ElectionType, electLeader } from '../controller/index.ts';
import { ErrorCode } from '../error-codes.ts';
import type { MetadataStore } from '../metadata/index.ts';
import { defineHandler } from './registry.ts';

/** Partitions one request may name (a bound on the work one request does). */
const PARTITIONS_PER_REQUEST_MAX = 100_000;

function requested(store: MetadataStore, request: ElectLeadersRequest, electionType: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (request.topicPartitions === null || request.topicPartitions === undefined) {
    const live = new Set(store.brokers().map((b) => b.id));
    for (const t of store.topics()) {
      const parts: number[] = [];
      for (let p = 0; p < t.assignments.length; p++) {
        const s = store.partitionState(t.name, p);
        if (s === undefined) continue;
        const needed = electionType === ElectionType.PREFERRED ? s.leader !== t.assignments[p]![0] : s.leader < 0 || !live.has(s.leader);
        if (needed) parts.push(p);
      }
      if (parts.length > 0) out.set(t.name, parts);
    }
    return out;
  }
  for (const tp of request.topicPartitions) out.set(tp.topic, [...(out.get(tp.topic) ?? []), ...tp.partitions]);
  return out;
}

export const electLeadersHandler = defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  api: ElectLeadersApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request, version) {
    const store = ctx.broker.store;
    const electionType = version === 0 ? ElectionType.PREFERRED : request.electionType ?? ElectionType.PREFERRED;
    if (electionType !== ElectionType.PREFERRED && electionType !== ElectionType.UNCLEAN) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
    }
    const wanted = requested(store, request, electionType);
    let count = 0;
    for (const parts of wanted.values()) count += parts.length;
    if (count > PARTITIONS_PER_REQUEST_MAX) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
    const results: ElectLeadersResponseReplicaElectionResult[] = [];
    for (const [topic, partitions] of wanted) {
      const partitionResult = [];
      for (const partitionId of partitions) {
        const r = await electLeader(store, electionType, topic, partitionId);
        partitionResult.push({ partitionId, errorCode: r.errorCode, errorMessage: r.message });
      }
      results.push({ topic, partitionResult });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, replicaElectionResults: [] };
  },
});
