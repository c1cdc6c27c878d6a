/**
 * `tributary schemas list|get|register|check|delete|config`: the Schema Registry's REST API from
 * the command line. Arguments are checked before any request (usage errors exit 2); a registry
 * error prints Confluent's message and error code and exits 1. `check` exits 1 when the schema
 * is incompatible, so scripts can gate on it.
 */
import { readFile, stat } from 'node:fs/promises';
import { COMPATIBILITY_LEVELS, SCHEMA_TYPES, type SchemaReference, type SchemaType } from '@tributary/registry/schema/types.ts';
import { EXIT_FAILURE, EXIT_OK, expectPositionals, formatUsage, parseArgs, parseIntArg, parseKeyValue, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { RegistryHttpError } from '../errors.ts';
import { DEFAULT_REGISTRY_URL, RegistryClient, REGISTRY_URL_ENV, subjectPath } from '../registry-client.ts';
import { writeOut, type Command, type Io } from './common.ts';

/** Largest schema file read by --file. */
export const SCHEMA_FILE_BYTES_MAX = 8 * 1024 * 1024;
const VERSION_MAX = 2 ** 31 - 1;
const LEVELS: readonly string[] = COMPATIBILITY_LEVELS;

/** What a subcommand does once its arguments are checked; resolves with the exit code. */
type RegistryAction = (client: RegistryClient, io: Io) => Promise<number>;

interface SchemasSubcommand {
  readonly name: string;
  readonly synopsis: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly run: (args: ParsedArgs) => RegistryAction;
}

const REGISTRY_URL_OPTION: OptionSpec = {
  name: 'registry-url', kind: 'value', valueName: 'URL',
  help: `Schema Registry to talk to (default: $${REGISTRY_URL_ENV}, else ${DEFAULT_REGISTRY_URL}).`,
};

const SCHEMA_INPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'file', kind: 'value', valueName: 'FILE', help: 'Read the schema from FILE.' },
  { name: 'schema', kind: 'value', valueName: 'TEXT', help: 'The schema text itself.' },
  { name: 'type', kind: 'value', valueName: 'TYPE', help: 'AVRO, JSON or PROTOBUF (default: PROTOBUF for a .proto file, else AVRO).' },
  { name: 'reference', kind: 'repeat', valueName: 'NAME=SUBJECT:VERSION', help: 'A schema this one imports or names.' },
];

/** --registry-url, else $TRIBUTARY_REGISTRY_URL, else http://127.0.0.1:8081; checked to be an http(s) URL. */
export function registryUrl(args: ParsedArgs, io: Io): string {
  const fromEnv = io.env[REGISTRY_URL_ENV];
  const value = args.values.get('registry-url') ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_REGISTRY_URL);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`registry URL ${JSON.stringify(value)} is not a URL such as ${DEFAULT_REGISTRY_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`registry URL ${JSON.stringify(value)} must be http:// or https://`);
  return value;
}

/** A version argument: 1..2^31-1 or `latest` (also -1, as Confluent accepts). */
export function parseVersionArg(text: string): string {
  if (text === 'latest' || text === '-1') return 'latest';
  return String(parseIntArg('--version', text, 1, VERSION_MAX));
}

/** `name=subject:version` (the subject may itself contain `:`; the version follows the last one). */
export function parseReference(text: string): SchemaReference {
  const [name, rest] = parseKeyValue('--reference', text);
  const colon = rest.lastIndexOf(':');
  if (name === '' || colon <= 0) throw new UsageError(`--reference expects NAME=SUBJECT:VERSION, got ${JSON.stringify(text)}`);
  return { name, subject: rest.slice(0, colon), version: parseIntArg('--reference version', rest.slice(colon + 1), 1, VERSION_MAX) };
}

function schemaType(args: ParsedArgs): SchemaType {
  const given = args.values.get('type');
  if (given === undefined) return args.values.get('file')?.endsWith('.proto') === true ? 'PROTOBUF' : 'AVRO';
  const t = given.toUpperCase();
  if (!(SCHEMA_TYPES as readonly string[]).includes(t)) throw new UsageError(`--type must be one of ${SCHEMA_TYPES.join(', ')}, got ${JSON.stringify(given)}`);
  return t as SchemaType;
}

interface SchemaInput {
  readonly schema: string;
  readonly schemaType: SchemaType;
  readonly references: readonly SchemaReference[];
}

/** Checks --file/--schema/--type/--reference; the file is read when the action runs. */
function schemaInput(args: ParsedArgs): () => Promise<SchemaInput> {
  const file = args.values.get('file');
  const text = args.values.get('schema');
  if ((file === undefined) === (text === undefined)) throw new UsageError('give the schema with exactly one of --file FILE or --schema TEXT');
  const type = schemaType(args);
  const references = (args.repeated.get('reference') ?? []).map(parseReference);
  return async () => ({ schema: file === undefined ? text! : await readSchemaFile(file), schemaType: type, references });
}

async function readSchemaFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.size > SCHEMA_FILE_BYTES_MAX) throw new UsageError(`schema file ${path} is larger than ${SCHEMA_FILE_BYTES_MAX} bytes`);
    return await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read schema file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The request body Confluent expects: schemaType and references only when they say something. */
function schemaBody(input: SchemaInput): Record<string, unknown> {
  return {
    schema: input.schema,
    ...(input.schemaType !== 'AVRO' ? { schemaType: input.schemaType } : {}),
    ...(input.references.length > 0 ? { references: input.references } : {}),
  };
}

const list: SchemasSubcommand = {
  name: 'list', synopsis: 'list [--deleted] [--prefix PREFIX]', description: 'Lists subjects, one per line.',
  options: [
    { name: 'deleted', kind: 'flag', help: 'Include soft-deleted subjects.' },
    { name: 'prefix', kind: 'value', valueName: 'PREFIX', help: 'Only subjects starting with PREFIX.' },
  ],
  run: (args) => {
    expectPositionals(args, []);
    const query = new URLSearchParams();
    if (args.flags.has('deleted')) query.set('deleted', 'true');
    const prefix = args.values.get('prefix');
    if (prefix !== undefined) query.set('subjectPrefix', prefix);
    return async (client, io) => {
      const subjects = await client.request('GET', `/subjects${query.size > 0 ? `?${query}` : ''}`) as string[];
      await writeOut(io.stdout, subjects.map((s) => `${s}\n`).join(''));
      return EXIT_OK;
    };
  },
};

const get: SchemasSubcommand = {
  name: 'get', synopsis: 'get SUBJECT [--version V] | get --id ID  [--json]',
  description: 'Prints a schema: a version of a subject (default latest), or the schema with a global id.',
  options: [
    { name: 'version', kind: 'value', valueName: 'V', help: 'Version number or latest (default latest).' },
    { name: 'id', kind: 'value', valueName: 'ID', help: 'Print the schema with this global id instead.' },
    { name: 'deleted', kind: 'flag', help: 'Also find a soft-deleted version.' },
    { name: 'json', kind: 'flag', help: 'Print the registry\'s JSON answer (subject, version, id, type, references, schema).' },
  ],
  run: (args) => {
    const idText = args.values.get('id');
    const deleted = args.flags.has('deleted') ? '?deleted=true' : '';
    let path: string;
    if (idText !== undefined) {
      expectPositionals(args, []);
      if (args.values.has('version')) throw new UsageError('--id and --version exclude each other');
      path = `/schemas/ids/${parseIntArg('--id', idText, 1, VERSION_MAX)}`;
    } else {
      const [subject] = expectPositionals(args, ['SUBJECT']);
      path = `${subjectPath(subject!)}/versions/${parseVersionArg(args.values.get('version') ?? 'latest')}${deleted}`;
    }
    return async (client, io) => {
      const answer = await client.request('GET', path) as { schema: string };
      await writeOut(io.stdout, args.flags.has('json') ? `${JSON.stringify(answer)}\n` : `${answer.schema}\n`);
      return EXIT_OK;
    };
  },
};

const register: SchemasSubcommand = {
  name: 'register', synopsis: 'register SUBJECT (--file FILE | --schema TEXT) [--type TYPE] [--reference NAME=SUBJECT:VERSION]...',
  description: 'Registers a schema under SUBJECT (or finds it already there) and prints its global id.',
  options: [...SCHEMA_INPUT_OPTIONS, { name: 'normalize', kind: 'flag', help: 'Normalize the schema before comparing and storing.' }],
  run: (args) => {
    const [subject] = expectPositionals(args, ['SUBJECT']);
    const input = schemaInput(args);
    const query = args.flags.has('normalize') ? '?normalize=true' : '';
    return async (client, io) => {
      const answer = await client.request('POST', `${subjectPath(subject!)}/versions${query}`, schemaBody(await input())) as { id: number };
      await writeOut(io.stdout, `${answer.id}\n`);
      return EXIT_OK;
    };
  },
};

const check: SchemasSubcommand = {
  name: 'check', synopsis: 'check SUBJECT (--file FILE | --schema TEXT) [--type TYPE] [--version V|latest] [--verbose]',
  description: 'Tests a schema against SUBJECT\'s compatibility level: against the versions the level names (default),\n' +
    'or against one version. Prints compatible (exit 0) or incompatible (exit 1), with the reasons under --verbose.',
  options: [
    ...SCHEMA_INPUT_OPTIONS,
    { name: 'version', kind: 'value', valueName: 'V', help: 'Check against this version only (a number or latest).' },
    { name: 'verbose', kind: 'flag', help: 'Print the reasons for an incompatibility.' },
  ],
  run: (args) => {
    const [subject] = expectPositionals(args, ['SUBJECT']);
    const input = schemaInput(args);
    const version = args.values.get('version');
    const path = `/compatibility${subjectPath(subject!)}/versions${version === undefined ? '' : `/${parseVersionArg(version)}`}` +
      (args.flags.has('verbose') ? '?verbose=true' : '');
    return async (client, io) => {
      const answer = await client.request('POST', path, schemaBody(await input())) as { is_compatible: boolean; messages?: string[] };
      const reasons = (answer.messages ?? []).map((m) => `  ${m}\n`).join('');
      await writeOut(io.stdout, `${answer.is_compatible ? 'compatible' : 'incompatible'}\n${reasons}`);
      return answer.is_compatible ? EXIT_OK : EXIT_FAILURE;
    };
  },
};

/** Soft-deletes (ignoring "already soft-deleted"), then hard-deletes when asked. */
async function deleteAt(client: RegistryClient, path: string, permanent: boolean): Promise<unknown> {
  let soft: unknown = null;
  try {
    soft = await client.request('DELETE', path);
  } catch (err) {
    const alreadySoftDeleted = err instanceof RegistryHttpError && (err.errorCode === 40404 || err.errorCode === 40406);
    if (!(permanent && alreadySoftDeleted)) throw err;
  }
  return permanent ? client.request('DELETE', `${path}?permanent=true`) : soft;
}

const del: SchemasSubcommand = {
  name: 'delete', synopsis: 'delete SUBJECT [--version V] [--permanent]',
  description: 'Soft-deletes a subject (all its versions) or one version; --permanent then removes it for good.',
  options: [
    { name: 'version', kind: 'value', valueName: 'V', help: 'Delete only this version (a number or latest).' },
    { name: 'permanent', kind: 'flag', help: 'Delete permanently (soft-deleting first when needed).' },
  ],
  run: (args) => {
    const [subject] = expectPositionals(args, ['SUBJECT']);
    const version = args.values.get('version');
    const path = `${subjectPath(subject!)}${version === undefined ? '' : `/versions/${parseVersionArg(version)}`}`;
    const permanent = args.flags.has('permanent');
    return async (client, io) => {
      const answer = await deleteAt(client, path, permanent);
      const versions = Array.isArray(answer) ? answer.join(', ') : String(answer);
      await writeOut(io.stdout, `${permanent ? 'permanently deleted' : 'deleted'} subject ${subject} version${Array.isArray(answer) && answer.length !== 1 ? 's' : ''} ${versions}\n`);
      return EXIT_OK;
    };
  },
};

const config: SchemasSubcommand = {
  name: 'config', synopsis: 'config [SUBJECT] [--set LEVEL]',
  description: 'Prints the compatibility level, global or of SUBJECT (the global one when SUBJECT has none), or sets it.\n' +
    `Levels: ${LEVELS.join(', ')}.`,
  options: [{ name: 'set', kind: 'value', valueName: 'LEVEL', help: 'Set the level instead of printing it.' }],
  run: (args) => {
    const [subject] = expectPositionals(args, ['SUBJECT'], 1);
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`;
    const given = args.values.get('set');
    const level = given?.toUpperCase();
    if (level !== undefined && !LEVELS.includes(level)) {
      throw new UsageError(`--set must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(given)}`);
    }
    return async (client, io) => {
      if (level !== undefined) {
        const answer = await client.request('PUT', path, { compatibility: level }) as { compatibility: string };
        await writeOut(io.stdout, `${answer.compatibility}\n`);
      } else {
        const answer = await client.request('GET', subject === undefined ? path : `${path}?defaultToGlobal=true`) as { compatibilityLevel: string };
        await writeOut(io.stdout, `${answer.compatibilityLevel}\n`);
      }
      return EXIT_OK;
    };
  },
};

const SUBCOMMANDS: readonly SchemasSubcommand[] = [list, get, register, check, del, config];

const USAGE = [
  `Usage: tributary schemas <${SUBCOMMANDS.map((s) => s.name).join('|')}> [options]`,
  '',
  ...SUBCOMMANDS.map((s) => `  ${s.synopsis}`),
  '',
  `All take --registry-url URL (default: $${REGISTRY_URL_ENV}, else ${DEFAULT_REGISTRY_URL}).`,
  `Run 'tributary schemas <subcommand> --help' for details.`,
  '',
].join('\n');

async function runSchemas(argv: readonly string[], io: Io): Promise<number> {
  const [subName, ...rest] = argv;
  const names = SUBCOMMANDS.map((s) => s.name);
  if (subName === undefined) throw new UsageError(`schemas needs a subcommand: ${names.join(', ')}`);
  if (subName === '--help' || subName === '-h') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const sub = SUBCOMMANDS.find((s) => s.name === subName);
  if (sub === undefined) throw new UsageError(`unknown schemas subcommand ${JSON.stringify(subName)} (${names.join(', ')})`);
  const options = [REGISTRY_URL_OPTION, ...sub.options];
  const args = parseArgs(rest, options);
  if (args.flags.has('help')) {
    io.stdout.write(formatUsage(`tributary schemas ${sub.synopsis}`, sub.description, options));
    return EXIT_OK;
  }
  const action = sub.run(args);
  return action(new RegistryClient(registryUrl(args, io)), io);
}

export const schemasCommand: Command = {
  name: 'schemas', summary: 'List, get, register, check and delete schemas; get and set compatibility.', usage: USAGE, run: runSchemas,
};
