/**
 * A small command-line parser: `--name value`, `--name=value`, boolean flags, repeatable options,
 * positionals, `--` to end options. Each command declares its options; anything else is a
 * UsageError (exit code 2) naming the offending argument.
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A problem with how the command was invoked (exit code 2). */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionKind = 'flag' | 'value' | 'repeat';

export interface OptionSpec {
  readonly name: string;
  readonly kind: OptionKind;
  /** Placeholder in usage text, e.g. FILE. */
  readonly valueName?: string;
  readonly help: string;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly repeated: ReadonlyMap<string, readonly string[]>;
}

export const HELP_OPTION: OptionSpec = { name: 'help', kind: 'flag', help: 'Print this help and exit.' };

/** Parses argv against the option specs. `-h` is accepted as `--help`. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  if (!byName.has('help')) byName.set('help', HELP_OPTION);
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value${spec.valueName ? ` (${spec.valueName})` : ''}`);
      value = argv[++i]!;
    }
    if (spec.kind === 'value') values.set(name, value);
    else {
      const list = repeated.get(name) ?? [];
      list.push(value);
      repeated.set(name, list);
    }
  }
  return { positionals, flags, values, repeated };
}

/** Integer option value within [min, max], or `fallback` when absent. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = args.values.get(name);
  if (text === undefined) return fallback;
  return parseIntArg(`--${name}`, text, min, max);
}

export function parseIntArg(what: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what} expects an integer, got ${JSON.stringify(text)}`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${what} must be between ${min} and ${max}, got ${text}`);
  return n;
}

/** Splits `key=value` (the value may contain further `=`). */
export function parseKeyValue(what: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${what} expects key=value, got ${JSON.stringify(text)}`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1)];
}

/** Exactly `count` positionals, named in the error when missing or extra. */
export function expectPositionals(args: ParsedArgs, names: readonly string[], optional = 0): readonly string[] {
  const required = names.length - optional;
  if (args.positionals.length < required) throw new UsageError(`missing ${names[args.positionals.length]}`);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[names.length])}`);
  return args.positionals;
}

/** Usage text: a synopsis line, a description and one aligned line per option. */
export function formatUsage(synopsis: string, description: string, specs: readonly OptionSpec[]): string {
  const all = [...specs, HELP_OPTION];
  const left = all.map((s) => `  --${s.name}${s.kind === 'flag' ? '' : ` ${s.valueName ?? 'VALUE'}`}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = all.map((s, i) => `${left[i]!.padEnd(width)}${s.kind === 'repeat' ? `${s.help.replace(/\.$/, '')} (repeatable).` : s.help}`);
  return `Usage: ${synopsis}\n\n${description}\n\nOptions:\n${lines.join('\n')}\n`;
}
