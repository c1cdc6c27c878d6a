import { DeleteGroupsApi, DescribeGroupsApi, ListGroupsApi, OffsetDeleteApi } from '@tributary/protocol/generated/index.ts';
import type { Cluster } from '../cluster.ts';
import { kafkaError } from '../kafka-errors.ts';
import type { TopicPartition } from '../consumer/assignors/types.ts';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription, groupByTopic } from '../consumer/group/consumer-protocol.ts';
import { CoordinatorLink } from '../consumer/group/coordinator.ts';
import { commitOffsets, fetchOffsets, NO_MEMBER, type CommittedOffset, type OffsetAndMetadata } from '../consumer/group/offsets.ts';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Empty string when the broker's ListGroups version has no state (< 4). */
  state: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded for protocol type "consumer"; null otherwise or when undecodable. */
  subscription: string[] | null;
  assignment: TopicPartition[] | null;
  rawMetadata: Buffer;
  rawAssignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The chosen assignor for consumer groups. */
  protocol: string;
  coordinator: number;
  members: GroupMemberDescription[];
}

/** Group administration behind Admin's methods: each request goes to the group's coordinator. */
export class GroupAdmin {
  constructor(private readonly cluster: Cluster) {}

  private async withLink<T>(groupId: string, fn: (link: CoordinatorLink) => Promise<T>): Promise<T> {
    const link = new CoordinatorLink(this.cluster, groupId);
    try {
      return await fn(link);
    } finally {
      link.close();
    }
  }

  /** ListGroups on every broker (each lists the groups it coordinates). */
  async listGroups(options: { states?: string[] } = {}): Promise<GroupListing[]> {
    await this.cluster.refreshMetadata([]);
    const out: GroupListing[] = [];
    for (const b of this.cluster.brokerList()) {
      const conn = await this.cluster.connectionTo(b.nodeId);
      const res = await conn.send(ListGroupsApi, { statesFilter: options.states ?? [], typesFilter: [] });
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, `list groups on broker ${b.nodeId}`);
      for (const g of res.groups) {
        const state = g.groupState ?? '';
        if (options.states !== undefined && state !== '' && !options.states.includes(state)) continue;
        out.push({ groupId: g.groupId, protocolType: g.protocolType, state });
      }
    }
    return out.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = [];
    for (const groupId of groupIds) {
      out.push(await this.withLink(groupId, (link) => link.request(`describe group ${groupId}`, async (conn) => {
        const res = await conn.send(DescribeGroupsApi, { groups: [groupId], includeAuthorizedOperations: false });
        const g = res.groups[0];
        if (g === undefined) throw kafkaError(69, `describe group ${groupId}`);
        if (g.errorCode !== 0) throw kafkaError(g.errorCode, `describe group ${groupId}`);
        const consumer = g.protocolType === CONSUMER_PROTOCOL_TYPE;
        return {
          groupId, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, coordinator: link.coordinator?.nodeId ?? -1,
          members: g.members.map((m) => ({
            memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, clientHost: m.clientHost,
            subscription: consumer ? tryDecode(() => [...decodeSubscription(m.memberMetadata).topics]) : null,
            assignment: consumer ? tryDecode(() => decodeAssignment(m.memberAssignment).partitions) : null,
            rawMetadata: m.memberMetadata, rawAssignment: m.memberAssignment,
          })),
        };
      })));
    }
    return out;
  }

  /** Throws the first group's error (e.g. NON_EMPTY_GROUP 68, GROUP_ID_NOT_FOUND 69). */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    for (const groupId of groupIds) {
      await this.withLink(groupId, (link) => link.request(`delete group ${groupId}`, async (conn) => {
        const res = await conn.send(DeleteGroupsApi, { groupsNames: [groupId] });
        for (const r of res.results) if (r.errorCode !== 0) throw kafkaError(r.errorCode, `delete group ${r.groupId}`);
      }));
    }
  }

  /** Committed offsets of a group (all partitions with one, or just `partitions`); offset -1 = none. */
  async listConsumerGroupOffsets(groupId: string, partitions: readonly TopicPartition[] | null = null): Promise<CommittedOffset[]> {
    const all = await this.withLink(groupId, (link) => fetchOffsets(link, partitions));
    return (partitions === null ? all.filter((o) => o.offset >= 0) : all).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** OffsetCommit as a non-member (generation -1): the coordinator accepts it only while the group is Empty. */
  async alterConsumerGroupOffsets(groupId: string, offsets: readonly OffsetAndMetadata[]): Promise<void> {
    await this.withLink(groupId, (link) => commitOffsets(link, NO_MEMBER, offsets));
  }

  /** OffsetDelete; GROUP_SUBSCRIBED_TO_TOPIC (86) while a member subscribes to the topic. */
  async deleteConsumerGroupOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<void> {
    await this.withLink(groupId, (link) => link.request(`delete offsets of ${groupId}`, async (conn) => {
      const res = await conn.send(OffsetDeleteApi, {
        groupId, topics: groupByTopic(partitions).map((t) => ({ name: t.topic, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex })) })),
      });
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, `delete offsets of group ${groupId}`);
      for (const t of res.topics) for (const p of t.partitions) {
        if (p.errorCode !== 0) throw kafkaError(p.errorCode, `delete offset of ${t.name}-${p.partitionIndex} for group ${groupId}`);
      }
    }));
  }
}

function tryDecode<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
