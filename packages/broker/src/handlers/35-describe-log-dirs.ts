/**
 * DescribeLogDirs (key 35), versions 0-4.
 * One result per configured log dir (its absolute path), with the partitions stored there: size
 * in bytes, offsetLag 0 (every hosted replica is the current one; there are no future replicas, so
 * isFutureKey is always false). `topics` null asks for every partition; otherwise only the listed
 * topic partitions that exist here are reported. v3+ top-level errorCode 0; v4 totalBytes and
 * usableBytes of the volume (-1 when the platform cannot tell).
 * Not implemented: offline log dirs (KAFKA_STORAGE_ERROR per dir), future replicas
 * (AlterReplicaLogDirs), authorization (CLUSTER_AUTHORIZATION_FAILED).
 */
import { resolve } from 'node:path';
import {
  DescribeLogDirsApi,
  type DescribeLogDirsRequest, type DescribeLogDirsResponse, type DescribeLogDirsResponseDescribeLogDirsResult,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
} from '@tributary/protocol/generated/index.ts';
import type { LogDirDescription } from '@tributary/storage';
import { ErrorCode } from '../error-codes.ts';
import { defineHandler } from './registry.ts';

type DirResult = DescribeLogDirsResponseDescribeLogDirsResult;

/** Wanted partitions by topic, or null for all. */
function wanted(request: DescribeLogDirsRequest): Map<string, Set<number>> | null {
  if (request.topics == null) return null;
  const out = new Map<string, Set<number>>();
  for (const t of request.topics) {
    const set = out.get(t.topic) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    out.set(t.topic, set);
  }
  return out;
}

function describeDir(dir: LogDirDescription, filter: Map<string, Set<number>> | null): DirResult {
  const topics = new Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>();
  const sorted = [...dir.partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  for (const p of sorted) {
    if (filter !== null && filter.get(p.topic)?.has(p.partition) !== true) continue;
    let t = topics.get(p.topic);
    if (t === undefined) {
      t = { name: p.topic, partitions: [] };
      topics.set(p.topic, t);
    }
    t.partitions.push({ partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: p.offsetLag, isFutureKey: false });
  }
  return {
    errorCode: ErrorCode.NONE,
    logDir: resolve(dir.path),
    topics: [...topics.values()],
    totalBytes: dir.totalBytes > 0 ? dir.totalBytes : -1,
    usableBytes: dir.usableBytes ?? -1,
  };
}

export const describeLogDirsHandler = defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  api: DescribeLogDirsApi,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const filter = wanted(request);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: ctx.broker.replicas.logDirs().map((d) => describeDir(d, filter)) };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, results: [] };
  },
});
