/**
 * The handlers this package serves. Add a handler by writing `handlers/NN-name.ts` (opening
 * comment: versions, behaviour, what is not implemented), exporting a `defineHandler(...)`, and
 * listing it here; ApiVersions then advertises it automatically.
 */
import { produceHandler } from './00-produce.ts';
import { fetchHandler } from './01-fetch.ts';
import { listOffsetsHandler } from './02-list-offsets.ts';
import { metadataHandler } from './03-metadata.ts';
import { apiVersionsHandler } from './18-api-versions.ts';
import { createTopicsHandler } from './19-create-topics.ts';
import { deleteTopicsHandler } from './20-delete-topics.ts';
import { deleteRecordsHandler } from './21-delete-records.ts';
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
];

export const CORE_HANDLERS: readonly Handler[] = [produceHandler, fetchHandler, listOffsetsHandler, metadataHandler, apiVersionsHandler, ...ADMIN_HANDLERS];

export { HandlerRegistry, defineHandler, NO_RESPONSE, CLOSE_CONNECTION, type Handler, type HandlerOutcome, type RequestContext } from './registry.ts';
export { KafkaRequestDispatcher } from './dispatcher.ts';
export { waitForPartitions } from './wait-for.ts';
