/**
 * A command made of admin subcommands (`tributary topics create`, `tributary groups list`, ...):
 * picks the subcommand, parses and checks its arguments before any connection, then runs its
 * action with a connected Admin client that is always closed afterwards.
 */
import { Admin } from '@tributary/client';
import { EXIT_OK, formatUsage, parseArgs, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { BOOTSTRAP_OPTION, bootstrapServer, type Command, type Io } from './common.ts';

export type AdminAction = (admin: Admin, io: Io) => Promise<void>;

export interface Subcommand {
  readonly name: string;
  readonly synopsis: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Checks the arguments (before any connection), returning the action to run. */
  readonly run: (args: ParsedArgs) => AdminAction;
}

/** The `tributary <family> <subcommand>` command; every subcommand also takes --bootstrap-server. */
export function subcommandFamily(family: string, summary: string, subcommands: readonly Subcommand[]): Command {
  const names = subcommands.map((s) => s.name);
  const alternatives = `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  const usage = [
    `Usage: tributary ${family} <${names.join('|')}> [options]`,
    '',
    ...subcommands.map((s) => `  ${s.synopsis}`),
    '',
    `All take --bootstrap-server HOST:PORT (default: $TRIBUTARY_BOOTSTRAP, else 127.0.0.1:9092).`,
    `Run 'tributary ${family} <subcommand> --help' for details.`,
    '',
  ].join('\n');

  async function run(argv: readonly string[], io: Io): Promise<number> {
    const [subName, ...rest] = argv;
    if (subName === undefined) throw new UsageError(`${family} needs a subcommand: ${alternatives}`);
    if (subName === '--help' || subName === '-h') {
      io.stdout.write(usage);
      return EXIT_OK;
    }
    const sub = subcommands.find((s) => s.name === subName);
    if (sub === undefined) throw new UsageError(`unknown ${family} subcommand ${JSON.stringify(subName)} (${names.join(', ')})`);
    const options = [BOOTSTRAP_OPTION, ...sub.options];
    const args = parseArgs(rest, options);
    if (args.flags.has('help')) {
      io.stdout.write(formatUsage(sub.synopsis, sub.description, options));
      return EXIT_OK;
    }
    const action = sub.run(args);
    const admin = new Admin({ bootstrapServers: bootstrapServer(args, io), clientId: 'tributary-cli', retries: 2 });
    try {
      await admin.connect();
      await action(admin, io);
    } finally {
      await admin.close();
    }
    return EXIT_OK;
  }

  return { name: family, summary, usage, run };
}
