/**
 * `tributary start`: runs the broker and the Schema Registry in this process (`--roles` picks
 * which) until SIGINT or SIGTERM, then closes them gracefully — the registry first, then the
 * broker (listeners first, then logs flushed and closed) — and exits 0.
 *
 * Settings come from a `server.properties` file (`--config`), then each `--set key=value` in
 * order (later wins). The `schema.registry.*` keys are split off and checked here; the rest go to
 * the broker's config parser, so an unknown key or a bad value is a usage error (exit 2) naming
 * the key. Once listening it prints, on stdout, one line per broker listener —
 * `tributary: broker <id> listening on PLAINTEXT://<host>:<port>` — then one line with the data
 * directory and cluster id, then `tributary: schema registry listening on http://<host>:<port>`.
 * Logs go to stderr.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Broker } from '@tributary/broker';
import type { Registry } from '@tributary/registry';
import { EXIT_OK, formatUsage, parseArgs, parseKeyValue, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { CliError } from '../errors.ts';
import { parseProperties, PROPERTIES_BYTES_MAX } from '../properties.ts';
import { checkBootstrapServers, parseRegistryConfig, splitRegistryProperties, type RegistrySettings } from '../registry-config.ts';
import { BOOTSTRAP_ENV, DEFAULT_BOOTSTRAP, type Command, type Io } from './common.ts';

/** Roles named in DESIGN.md; the broker and the registry are implemented so far. */
export const KNOWN_ROLES = ['broker', 'registry', 'sql', 'console'] as const;
export const AVAILABLE_ROLES: readonly string[] = ['broker', 'registry'];

const OPTIONS: readonly OptionSpec[] = [
  { name: 'config', kind: 'value', valueName: 'FILE', help: 'Read settings from a Kafka server.properties file.' },
  { name: 'set', kind: 'repeat', valueName: 'KEY=VALUE', help: 'Set one config key; applied after --config, a later --set wins.' },
  { name: 'roles', kind: 'value', valueName: 'LIST', help: `Comma-separated roles to run: ${AVAILABLE_ROLES.join(', ')} (default: all of them).` },
  { name: 'bootstrap-server', kind: 'value', valueName: 'HOST:PORT',
    help: `Brokers the registry stores its data on (default: schema.registry.kafkastore.bootstrap.servers, else this process's broker, else $${BOOTSTRAP_ENV}, else ${DEFAULT_BOOTSTRAP}).` },
];

const USAGE = formatUsage(
  'tributary start [--config FILE] [--set KEY=VALUE]... [--roles broker,registry] [--bootstrap-server HOST:PORT]',
  'Starts a broker and a Schema Registry and runs them until SIGINT or SIGTERM.\n' +
  'Defaults: listeners=PLAINTEXT://:9092, data in ./data, schema.registry.listeners=http://0.0.0.0:8081.\n' +
  'Config keys are Kafka\'s, and Confluent\'s under schema.registry.* (see README "Configuration"); an unknown key is an error.',
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

/** Where a client in this process reaches the broker's first listener. */
function localBootstrap(broker: Broker): string {
  const l = broker.listeners[0]!;
  const host = l.host === '' || l.host === '0.0.0.0' ? '127.0.0.1' : l.host === '::' ? '::1' : l.host;
  return `${host.includes(':') ? `[${host}]` : host}:${l.port}`;
}

/** The registry's brokers: --bootstrap-server, else the config key, else this broker, else $TRIBUTARY_BOOTSTRAP or the default. */
function registryBootstrap(args: ParsedArgs, io: Io, settings: RegistrySettings, broker: Broker | null): string {
  const option = args.values.get('bootstrap-server');
  if (option !== undefined) return checkBootstrapServers('--bootstrap-server', option);
  if (settings.bootstrapServers !== undefined) return settings.bootstrapServers;
  if (broker !== null) return localBootstrap(broker);
  const fromEnv = io.env[BOOTSTRAP_ENV];
  return checkBootstrapServers(BOOTSTRAP_ENV, fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_BOOTSTRAP);
}

function listenFailure(what: string, err: unknown): unknown {
  if ((err as { code?: unknown }).code === 'EADDRINUSE') return new CliError(`cannot listen (${what}): ${(err as Error).message}`, 1, { cause: err });
  return err;
}

async function runBroker(props: Record<string, string>, io: Io): Promise<Broker> {
  const { startBroker, consoleLogger } = await import('@tributary/broker');
  const broker = await startBroker(props, { log: consoleLogger() }).catch((err: unknown) => { throw listenFailure('broker', err); });
  for (const l of broker.listeners) {
    io.stdout.write(`tributary: broker ${broker.config.brokerId} listening on ${l.name}://${displayHost(l.host)}:${l.port}\n`);
  }
  io.stdout.write(`tributary: data dir ${resolve(broker.config.logDirs[0]!)}, cluster id ${broker.context.store.clusterId()}\n`);
  return broker;
}

async function runRegistry(settings: RegistrySettings, bootstrapServers: string, io: Io): Promise<Registry> {
  const [{ startRegistry }, { consoleLogger }] = await Promise.all([import('@tributary/registry'), import('@tributary/broker')]);
  const log = consoleLogger();
  const registry = await startRegistry({
    bootstrapServers, listeners: settings.listeners, topic: settings.topic, leaderEligibility: settings.leaderEligibility,
    groupId: settings.groupId, compatibilityLevel: settings.compatibilityLevel,
    ...(settings.hostName !== undefined ? { hostName: settings.hostName } : {}),
    ...(settings.replicationFactor !== undefined ? { replicationFactor: settings.replicationFactor } : {}),
    onError: (err) => log.warn('schema registry error', { error: err instanceof Error ? err.message : String(err) }),
  }).catch((err: unknown) => { throw listenFailure('schema registry', err); });
  const host = new URL(settings.listeners).hostname;
  io.stdout.write(`tributary: schema registry listening on http://${host === '' ? '0.0.0.0' : host}:${registry.port}\n`);
  return registry;
}

async function runStart(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const roles = parseRoles(args.values.get('roles'));
  const split = splitRegistryProperties(await brokerProperties(args));
  const registrySettings = parseRegistryConfig(split.registry);
  const { parseBrokerConfig } = await import('@tributary/broker');
  parseBrokerConfig(split.broker); // validate before touching the data directory
  const signals = waitForSignal(io);
  let broker: Broker | null = null;
  let registry: Registry | null = null;
  try {
    if (roles.includes('broker')) broker = await runBroker(split.broker, io);
    if (roles.includes('registry')) registry = await runRegistry(registrySettings, registryBootstrap(args, io, registrySettings, broker), io);
    const signal = await signals.received;
    io.stderr.write(`tributary: ${signal} received, shutting down\n`);
    return EXIT_OK;
  } finally {
    // Registry first: it is a client of the broker and flushes nothing of its own.
    if (registry !== null) {
      await registry.close().then(
        () => io.stderr.write('tributary: schema registry stopped\n'),
        (err: unknown) => io.stderr.write(`tributary: schema registry did not close cleanly: ${(err as Error).message}\n`),
      );
    }
    if (broker !== null) {
      await broker.close();
      io.stderr.write('tributary: broker stopped\n');
    }
    signals.dispose();
  }
}

export const startCommand: Command = {
  name: 'start', summary: 'Run a broker and a Schema Registry (until SIGINT/SIGTERM).', usage: USAGE, run: runStart,
};
