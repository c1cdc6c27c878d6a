/**
 * Confluent Schema Registry error answers: `{"error_code", "message"}` with the HTTP status being
 * the first three digits of the code (plain codes like 404 or 422 are their own status). Messages
 * follow Confluent's `Errors.java` text, typos included, because tools match on them.
 */
export class RegistryError extends Error {
  readonly errorCode: number;
  readonly status: number;

  constructor(errorCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.errorCode = errorCode;
    this.status = errorCode < 1000 ? errorCode : Math.floor(errorCode / 100);
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const errors = {
  notFound: () => new RegistryError(404, 'HTTP 404 Not Found'),
  methodNotAllowed: () => new RegistryError(405, 'HTTP 405 Method Not Allowed'),
  notAcceptable: () => new RegistryError(406, 'HTTP 406 Not Acceptable'),
  unsupportedMediaType: () => new RegistryError(415, 'HTTP 415 Unsupported Media Type'),
  unprocessable: (message: string) => new RegistryError(422, message),
  subjectNotFound: (s: string) => new RegistryError(40401, `Subject '${s}' not found.`),
  versionNotFound: (v: number | string) => new RegistryError(40402, `Version ${v} not found.`),
  schemaNotFound: (id?: number) => new RegistryError(40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (s: string) => new RegistryError(40404, `Subject '${s}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (s: string) => new RegistryError(40405, `Subject '${s}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (s: string, v: number) => new RegistryError(40406, `Subject '${s}' Version ${v} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (s: string, v: number) => new RegistryError(40407, `Subject '${s}' Version ${v} was not deleted first before being permanently deleted`),
  subjectConfigNotFound: (s: string) => new RegistryError(40408, `Subject '${s}' does not have subject-level compatibility configured`),
  subjectModeNotFound: (s: string) => new RegistryError(40409, `Subject '${s}' does not have subject-level mode configured`),
  incompatible: (s: string, details: readonly string[]) => new RegistryError(409,
    `Schema being registered is incompatible with an earlier schema for subject "${s}", details: [${details.join(', ')}]`),
  invalidSchema: (message: string, cause?: unknown) => new RegistryError(42201, message, { cause }),
  invalidVersion: (v: string) => new RegistryError(42202,
    `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`),
  invalidCompatibilityLevel: () => new RegistryError(42203,
    'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive'),
  invalidMode: (mode: unknown) => new RegistryError(42204,
    `Invalid mode ${String(mode)}. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT`),
  operationNotPermitted: (message: string) => new RegistryError(42205, message),
  referenceExists: (key: string) => new RegistryError(42206, `One or more references exist to the schema ${key}.`),
  invalidSubject: (s: string) => new RegistryError(42208, `The specified subject '${s}' is not a valid.`),
  storeError: (message: string, cause?: unknown) => new RegistryError(50001, message, { cause }),
  operationTimeout: (message: string) => new RegistryError(50002, message),
  forwardingFailed: (message: string, cause?: unknown) => new RegistryError(50003, message, { cause }),
  unknownLeader: () => new RegistryError(50004, 'Leader not known.'),
};
