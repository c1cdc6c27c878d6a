/**
 * Turns any error a command throws into one line for stderr and an exit code: 2 for usage and
 * configuration mistakes, 1 for runtime failures (broker or registry unreachable, Kafka and
 * Schema Registry error codes, I/O).
 */
import { ConfigError } from '@tributary/broker/config/types.ts';
import { ClientError, KafkaError } from '@tributary/client';
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from './args.ts';
import { PropertiesError } from './properties.ts';

export interface ReportedError {
  readonly message: string;
  readonly exitCode: number;
}

/** A runtime failure with a message ready for the user. */
export class CliError extends Error {
  readonly code = 'CLI';
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_FAILURE, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** An error answer from the registry, with Confluent's code and message. */
export class RegistryHttpError extends Error {
  readonly code = 'REGISTRY_ERROR';
  readonly status: number;
  readonly errorCode: number;
  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.name = 'RegistryHttpError';
    this.status = status;
    this.errorCode = errorCode;
  }
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** "connection refused" etc. from a Node socket error code somewhere in the cause chain. */
function socketProblem(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code === 'ETIMEDOUT') return 'connection timed out';
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  }
  return undefined;
}

function describeClientError(err: ClientError, bootstrap: string | undefined): string {
  if (err.code === 'NO_BROKERS' || err.code === 'CONNECT_FAILED' || err.code === 'RETRIES_EXHAUSTED') {
    const problem = socketProblem(err);
    if (problem !== undefined || err.code !== 'RETRIES_EXHAUSTED') {
      return `cannot connect to broker at ${bootstrap ?? 'the bootstrap server'}: ${problem ?? err.message}`;
    }
  }
  return err.message;
}

/** One line and an exit code for `err`; `bootstrap` names the address in connection errors. */
export function reportError(err: unknown, bootstrap?: string): ReportedError {
  if (err instanceof UsageError) return { message: err.message, exitCode: EXIT_USAGE };
  if (err instanceof ConfigError) return { message: err.message, exitCode: EXIT_USAGE };
  if (err instanceof PropertiesError) return { message: err.message, exitCode: EXIT_USAGE };
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof RegistryHttpError) return { message: `${err.message.replace(/\s*\n\s*/g, ' ')} (error code ${err.errorCode})`, exitCode: EXIT_FAILURE };
  if (err instanceof ClientError) return { message: describeClientError(err, bootstrap), exitCode: EXIT_FAILURE };
  if (err instanceof KafkaError) return { message: err.message, exitCode: EXIT_FAILURE };
  const problem = socketProblem(err);
  if (problem !== undefined) return { message: `cannot connect to broker at ${bootstrap ?? 'the bootstrap server'}: ${problem}`, exitCode: EXIT_FAILURE };
  const message = err instanceof Error ? err.message : String(err);
  return { message: message.split('\n')[0]!, exitCode: EXIT_FAILURE };
}
