/**
 * Entry point of the `tributary` command: picks the command, runs it, and turns any error into
 * one line on stderr plus an exit code (1 runtime failure, 2 usage or configuration error).
 */
import { readFileSync } from 'node:fs';
import { EXIT_OK, EXIT_USAGE, UsageError } from './args.ts';
import { consumeCommand } from './commands/consume.ts';
import { groupsCommand } from './commands/groups.ts';
import { processIo, type Command, type Io } from './commands/common.ts';
import { produceCommand } from './commands/produce.ts';
import { schemasCommand } from './commands/schemas.ts';
import { startCommand } from './commands/start.ts';
import { topicsCommand } from './commands/topics.ts';
import { reportError } from './errors.ts';

export const COMMANDS: readonly Command[] = [startCommand, topicsCommand, groupsCommand, produceCommand, consumeCommand, schemasCommand];

/** The version of the repository's root package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: tributary <command> [options]',
    '',
    'Tributary: a Kafka-compatible event streaming platform.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  --help     Print this help (or `tributary <command> --help`).',
    '  --version  Print the version.',
    '',
  ].join('\n');
}

/** The bootstrap address named in connection errors (same resolution as the commands use). */
function bootstrapFor(argv: readonly string[], io: Io): string {
  const i = argv.findIndex((a) => a === '--bootstrap-server' || a.startsWith('--bootstrap-server='));
  if (i >= 0) return argv[i]!.includes('=') ? argv[i]!.slice(argv[i]!.indexOf('=') + 1) : argv[i + 1] ?? '';
  return io.env.TRIBUTARY_BOOTSTRAP || '127.0.0.1:9092';
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(mainUsage());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`tributary ${version()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (command === undefined) {
      throw new UsageError(first.startsWith('-') ? `unknown option ${first}` : `unknown command ${JSON.stringify(first)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    }
    return await command.run(rest, io);
  } catch (err) {
    const { message, exitCode } = reportError(err, bootstrapFor(rest, io));
    io.stderr.write(`tributary: ${message}\n`);
    if (exitCode === EXIT_USAGE) io.stderr.write(`Run 'tributary ${command?.name ?? ''}${command ? ' ' : ''}--help' for usage.\n`);
    return exitCode;
  }
}
