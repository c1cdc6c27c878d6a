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
import type { Handler } from './registry.ts';

export const CORE_HANDLERS: readonly Handler[] = [produceHandler, fetchHandler, listOffsetsHandler, metadataHandler, apiVersionsHandler];

export { HandlerRegistry, defineHandler, NO_RESPONSE, CLOSE_CONNECTION, type Handler, type HandlerOutcome, type RequestContext } from './registry.ts';
export { KafkaRequestDispatcher } from './dispatcher.ts';
export { waitForPartitions } from './wait-for.ts';
