/**
 * Group administration: DescribeGroups (an unknown group is described as Dead, as Kafka does for
 * v0-5), ListGroups (state and type filters) and DeleteGroups (only Empty groups; tombstones for
 * the group's offsets and metadata).
 */
import { ErrorCode } from '../error-codes.ts';
import type { GroupState } from './classic-group.ts';
import type { GroupCoordinator } from './group-coordinator.ts';

/** The only group type this coordinator hosts (ListGroups v5 GroupType). */
export const CLASSIC_GROUP_TYPE = 'classic';

export interface DescribedMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly memberMetadata: Buffer;
  readonly memberAssignment: Buffer;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly groupState: string;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: DescribedMember[];
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly groupState: GroupState;
  readonly groupType: string;
}

const EMPTY = Buffer.alloc(0);

export function describeGroup(coordinator: GroupCoordinator, groupId: string): DescribedGroup {
  const loaded = coordinator.store.checkLoaded(groupId);
  if (loaded !== ErrorCode.NONE) return { errorCode: loaded, groupId, groupState: '', protocolType: '', protocolData: '', members: [] };
  const group = coordinator.store.groups.get(groupId);
  if (group === undefined) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
  // Kafka shows protocol metadata and assignments only for a Stable group.
  const stable = group.is('Stable') && group.protocolName !== null;
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? group.protocolName! : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      memberMetadata: stable ? m.metadataFor(group.protocolName!) : EMPTY,
      memberAssignment: stable ? m.assignment : EMPTY,
    })),
  };
}

/** ListGroups: filters compare case-insensitively; COORDINATOR_LOAD_IN_PROGRESS while any partition loads. */
export function listGroups(
  coordinator: GroupCoordinator, statesFilter: readonly string[], typesFilter: readonly string[],
): { errorCode: number; groups: ListedGroup[] } {
  if (coordinator.store.loading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
  const states = new Set(statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(typesFilter.map((s) => s.toLowerCase()));
  if (types.size > 0 && !types.has(CLASSIC_GROUP_TYPE)) return { errorCode: ErrorCode.NONE, groups: [] };
  const groups: ListedGroup[] = [];
  for (const g of coordinator.store.groups.values()) {
    if (g.is('Dead') || (states.size > 0 && !states.has(g.state.toLowerCase()))) continue;
    groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: CLASSIC_GROUP_TYPE });
  }
  return { errorCode: ErrorCode.NONE, groups };
}

/** DeleteGroups for one group id. */
export async function deleteGroup(coordinator: GroupCoordinator, groupId: string): Promise<number> {
  if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
  const loaded = coordinator.store.checkLoaded(groupId);
  if (loaded !== ErrorCode.NONE) return loaded;
  const group = coordinator.store.groups.get(groupId);
  if (group === undefined || group.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
  if (!group.is('Empty')) return ErrorCode.NON_EMPTY_GROUP;
  const err = await coordinator.store.appendGroupTombstones(group, true);
  if (err !== ErrorCode.NONE) return err;
  if (coordinator.store.groups.get(groupId) === group && group.is('Empty')) {
    group.transitionTo('Dead', coordinator.clock.now());
    coordinator.clearTimers(group);
    coordinator.store.groups.delete(groupId);
  }
  return ErrorCode.NONE;
}
