/** What every command gets: its streams and environment, and the shared bootstrap option. */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';

export interface Io {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

export interface Command {
  readonly name: string;
  /** One line for `tributary --help`. */
  readonly summary: string;
  /** Full text for `tributary <name> --help`. */
  readonly usage: string;
  run(argv: readonly string[], io: Io): Promise<number>;
}

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
export const BOOTSTRAP_ENV = 'TRIBUTARY_BOOTSTRAP';

export const BOOTSTRAP_OPTION: OptionSpec = {
  name: 'bootstrap-server', kind: 'value', valueName: 'HOST:PORT',
  help: `Broker to connect to (default: $${BOOTSTRAP_ENV}, else ${DEFAULT_BOOTSTRAP}).`,
};

/** --bootstrap-server, else $TRIBUTARY_BOOTSTRAP, else 127.0.0.1:9092; checked to be HOST:PORT. */
export function bootstrapServer(args: ParsedArgs, io: Io): string {
  const fromEnv = io.env[BOOTSTRAP_ENV];
  const value = args.values.get('bootstrap-server') ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_BOOTSTRAP);
  for (const server of value.split(',')) {
    const s = server.trim();
    const at = s.lastIndexOf(':');
    const port = Number(s.slice(at + 1));
    if (at <= 0 || !/^\d+$/.test(s.slice(at + 1)) || port < 1 || port > 65535) {
      throw new UsageError(`bootstrap server ${JSON.stringify(server)} is not HOST:PORT`);
    }
  }
  return value;
}

/** Writes respecting backpressure: waits for 'drain' when the stream's buffer is full. */
export async function writeOut(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
