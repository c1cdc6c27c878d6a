import { ClientError } from '../errors.ts';

/** A broker's advertised [min, max] for one API key. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Versions this client knows how to fill and read, per API key. The codecs cover every version;
 * these ranges say which request shapes our code builds correctly (e.g. Fetch stops at 12 because
 * 13+ addresses topics by id, which we do not track yet).
 */
export const CLIENT_VERSION_RANGES: ReadonlyMap<number, VersionRange> = new Map([
  [0, { min: 3, max: 11 }], // Produce: magic-2 batches only
  [1, { min: 4, max: 12 }], // Fetch: isolation level needs 4; 13+ uses topic ids
  [2, { min: 1, max: 9 }], // ListOffsets
  [3, { min: 1, max: 12 }], // Metadata: ControllerId needs 1
  [8, { min: 2, max: 9 }], // OffsetCommit: 2 drops the v0/v1 storage modes
  [9, { min: 1, max: 9 }], // OffsetFetch: 8+ uses the multi-group layout
  [10, { min: 0, max: 6 }], // FindCoordinator: 4+ batches keys
  [11, { min: 1, max: 9 }], // JoinGroup: RebalanceTimeoutMs needs 1
  [12, { min: 0, max: 4 }], // Heartbeat
  [13, { min: 0, max: 5 }], // LeaveGroup: 3+ lists members
  [14, { min: 0, max: 5 }], // SyncGroup
  [15, { min: 0, max: 5 }], // DescribeGroups
  [16, { min: 0, max: 5 }], // ListGroups
  [18, { min: 0, max: 3 }], // ApiVersions
  [19, { min: 0, max: 7 }], // CreateTopics
  [20, { min: 0, max: 5 }], // DeleteTopics: 6 addresses topics by id
  [21, { min: 0, max: 2 }], // DeleteRecords
  [32, { min: 0, max: 4 }], // DescribeConfigs
  [33, { min: 0, max: 2 }], // AlterConfigs
  [37, { min: 0, max: 3 }], // CreatePartitions
  [44, { min: 0, max: 1 }], // IncrementalAlterConfigs
  [42, { min: 0, max: 2 }], // DeleteGroups
  [47, { min: 0, max: 0 }], // OffsetDelete
  [60, { min: 0, max: 1 }], // DescribeCluster
]);

/**
 * Highest version in (client range ∩ broker range ∩ codec range). Throws UNSUPPORTED_VERSION with
 * both ranges named when the intersection is empty or the broker does not offer the key.
 */
export function negotiateVersion(
  apiKey: number,
  apiName: string,
  codec: VersionRange,
  broker: VersionRange | undefined,
  client: VersionRange | undefined = CLIENT_VERSION_RANGES.get(apiKey),
): number {
  if (broker === undefined) {
    throw new ClientError('UNSUPPORTED_VERSION', `broker does not support ${apiName} (key ${apiKey})`);
  }
  const ours = client ?? codec;
  const lo = Math.max(ours.min, codec.min, broker.min);
  const hi = Math.min(ours.max, codec.max, broker.max);
  if (lo > hi) {
    throw new ClientError(
      'UNSUPPORTED_VERSION',
      `no common ${apiName} version: client ${ours.min}-${ours.max}, broker ${broker.min}-${broker.max}`,
    );
  }
  return hi;
}
