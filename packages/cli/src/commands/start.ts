/**
 * `tributary start`: runs the broker in this process until SIGINT or SIGTERM, then closes it
 * gracefully (listeners first, then logs flushed and closed) and exits 0.
 *
 * Settings come from a `server.properties` file (`--config`), then each `--set key=value` in
 * order (later wins); the broker's config parser validates the result, so an unknown key or a bad
 * value is a usage error (exit 2) naming the key. Once listening it prints, on stdout, one line
 * per listener — `tributary: broker <id> listening on PLAINTEXT://<host>:<port>` — and then one
 * line with the data directory and cluster id. Logs go to stderr.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT_OK, formatUsage, parseArgs, parseKeyValue, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { CliError } from '../errors.ts';
import { parseProperties, PROPERTIES_BYTES_MAX } from '../properties.ts';
import type { Command, Io } from './common.ts';

/** Roles named in DESIGN.md; only the broker is implemented so far. */
export const KNOWN_ROLES = ['broker', 'registry', 'sql', 'console'] as const;
export const AVAILABLE_ROLES: readonly string[] = ['broker'];

const OPTIONS: readonly OptionSpec[] = [
  { name: 'config', kind: 'value', valueName: 'FILE', help: 'Read settings from a Kafka server.properties file.' },
  { name: 'set', kind: 'repeat', valueName: 'KEY=VALUE', help: 'Set one config key; applied after --config, a later --set wins.' },
  { name: 'roles', kind: 'value', valueName: 'LIST', help: 'Comma-separated roles to run (default and only one so far: broker).' },
];

const USAGE = formatUsage(
  'tributary start [--config FILE] [--set KEY=VALUE]... [--roles broker]',
  'Starts a broker and runs it until SIGINT or SIGTERM. Defaults: listeners=PLAINTEXT://:9092, data in ./data.\n' +
  'Config keys are Kafka\'s (see README "Configuration"); an unknown key is an error.',
  OPTIONS,
);

/** Checks --roles: every entry a known role, and every one available in this version. */
export function parseRoles(text: string | undefined): string[] {
  if (text === undefined) return [...AVAILABLE_ROLES];
  const roles = text.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (roles.length === 0) throw new UsageError('--roles needs at least one role');
  for (const r of roles) {
    if (!(KNOWN_ROLES as readonly string[]).includes(r)) throw new UsageError(`unknown role ${JSON.stringify(r)} (roles: ${KNOWN_ROLES.join(', ')})`);
    if (!AVAILABLE_ROLES.includes(r)) throw new UsageError(`role ${r} is not available yet; this version runs only: ${AVAILABLE_ROLES.join(', ')}`);
  }
  return [...new Set(roles)];
}

async function readPropertiesFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > PROPERTIES_BYTES_MAX) throw new UsageError(`config file ${path} is larger than ${PROPERTIES_BYTES_MAX} bytes`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseProperties(text);
  } catch (err) {
    throw new UsageError(`config file ${path}: ${(err as Error).message}`);
  }
}

/** The broker's key/value settings: the --config file, then each --set in order. */
export async function brokerProperties(args: ParsedArgs): Promise<Record<string, string>> {
  const file = args.values.get('config');
  const props: Record<string, string> = file === undefined ? {} : await readPropertiesFile(file);
  for (const kv of args.repeated.get('set') ?? []) {
    const [k, v] = parseKeyValue('--set', kv);
    props[k] = v;
  }
  return props;
}

interface SignalWait {
  readonly received: Promise<NodeJS.Signals>;
  dispose(): void;
}

/** Resolves on the first SIGINT/SIGTERM; a second one while shutting down exits at once. */
function waitForSignal(io: Io): SignalWait {
  let first: NodeJS.Signals | null = null;
  let resolveFn: (s: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((r) => { resolveFn = r; });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first !== null) {
      io.stderr.write(`tributary: ${signal} again during shutdown, exiting without a clean close\n`);
      process.exit(1);
    }
    first = signal;
    resolveFn(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function displayHost(host: string): string {
  if (host === '') return '0.0.0.0';
  return host.includes(':') ? `[${host}]` : host;
}

async function runStart(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  parseRoles(args.values.get('roles'));
  const props = await brokerProperties(args);
  const { parseBrokerConfig, startBroker, consoleLogger } = await import('@tributary/broker');
  parseBrokerConfig(props); // validate before touching the data directory
  const signals = waitForSignal(io);
  try {
    const broker = await startBroker(props, { log: consoleLogger() }).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === 'EADDRINUSE') throw new CliError(`cannot listen: ${(err as Error).message}`, 1, { cause: err });
      throw err;
    });
    for (const l of broker.listeners) {
      io.stdout.write(`tributary: broker ${broker.config.brokerId} listening on ${l.name}://${displayHost(l.host)}:${l.port}\n`);
    }
    io.stdout.write(`tributary: data dir ${resolve(broker.config.logDirs[0]!)}, cluster id ${broker.context.store.clusterId()}\n`);
    const signal = await signals.received;
    io.stderr.write(`tributary: ${signal} received, shutting down\n`);
    await broker.close();
    io.stderr.write('tributary: broker stopped\n');
    return EXIT_OK;
  } finally {
    signals.dispose();
  }
}

export const startCommand: Command = { name: 'start', summary: 'Run a broker (until SIGINT/SIGTERM).', usage: USAGE, run: runStart };
