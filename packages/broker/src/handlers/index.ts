/**
 * The handlers this package serves. Add a handler by writing `handlers/NN-name.ts` (opening
 * comment: versions, behaviour, what is not implemented), exporting a `defineHandler(...)`, and
 * listing it here; ApiVersions then advertises it automatically.
 */
import { produceHandler } from './00-produce.ts';
import { fetchHandler } from './01-fetch.ts';
import { listOffsetsHandler } from './02-list-offsets.ts';
import { metadataHandler } from './03-metadata.ts';
import { offsetCommitHandler } from './08-offset-commit.ts';
import { offsetFetchHandler } from './09-offset-fetch.ts';
import { findCoordinatorHandler } from './10-find-coordinator.ts';
import { joinGroupHandler } from './11-join-group.ts';
import { heartbeatHandler } from './12-heartbeat.ts';
import { leaveGroupHandler } from './13-leave-group.ts';
import { syncGroupHandler } from './14-sync-group.ts';
import { describeGroupsHandler } from './15-describe-groups.ts';
import { listGroupsHandler } from './16-list-groups.ts';
import { apiVersionsHandler } from './18-api-versions.ts';
import { createTopicsHandler } from './19-create-topics.ts';
import { deleteTopicsHandler } from './20-delete-topics.ts';
import { deleteRecordsHandler } from './21-delete-records.ts';
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.ts';
import { deleteGroupsHandler } from './42-delete-groups.ts';
import { electLeadersHandler } from './43-elect-leaders.ts';
import { offsetDeleteHandler } from './47-offset-delete.ts';
import { describeConfigsHandler } from './32-describe-configs.ts';
import { alterConfigsHandler } from './33-alter-configs.ts';
import { describeLogDirsHandler } from './35-describe-log-dirs.ts';
import { createPartitionsHandler } from './37-create-partitions.ts';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.ts';
import { describeClusterHandler } from './60-describe-cluster.ts';
import type { Handler } from './registry.ts';

/** Admin APIs: topics, partitions, records, configs, log dirs, cluster. */
export const ADMIN_HANDLERS: readonly Handler[] = [
  createTopicsHandler, deleteTopicsHandler, deleteRecordsHandler, describeConfigsHandler, alterConfigsHandler,
  describeLogDirsHandler, createPartitionsHandler, incrementalAlterConfigsHandler, describeClusterHandler,
  electLeadersHandler,
];

/** The classic group coordinator and committed offsets. */
export const GROUP_HANDLERS: readonly Handler[] = [
  offsetCommitHandler, offsetFetchHandler, findCoordinatorHandler, joinGroupHandler, heartbeatHandler, leaveGroupHandler,
  syncGroupHandler, describeGroupsHandler, listGroupsHandler, deleteGroupsHandler, offsetDeleteHandler,
];

export const CORE_HANDLERS: readonly Handler[] = [
  produceHandler, fetchHandler, listOffsetsHandler, metadataHandler, apiVersionsHandler, offsetForLeaderEpochHandler,
  ...ADMIN_HANDLERS, ...GROUP_HANDLERS,
];

export { HandlerRegistry, defineHandler, NO_RESPONSE, CLOSE_CONNECTION, type Handler, type HandlerOutcome, type RequestContext } from './registry.ts';
export { KafkaRequestDispatcher } from './dispatcher.ts';
export { waitForPartitions } from './wait-for.ts';
