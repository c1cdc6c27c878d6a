/**
 * `tributary topics create|list|describe|alter|delete`: topic administration through the Admin
 * client (CreateTopics, Metadata, DescribeConfigs, CreatePartitions, IncrementalAlterConfigs,
 * DeleteTopics), printed like kafka-topics.sh but in aligned columns.
 */
import { ClientError, KafkaError, type Admin, type ConfigDescription, type TopicDescription } from '@tributary/client';
import { expectPositionals, intOption, parseKeyValue, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { CliError } from '../errors.ts';
import { formatTable } from '../table.ts';
import { writeOut, type Command } from './common.ts';
import { subcommandFamily, type AdminAction as Action, type Subcommand } from './subcommands.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_ALREADY_EXISTS = 36;
const UNSUPPORTED_VERSION = 35;
const INT32_MAX = 2147483647;

const PARTITIONS: OptionSpec = { name: 'partitions', kind: 'value', valueName: 'N', help: 'Number of partitions.' };
const CONFIG: OptionSpec = { name: 'config', kind: 'repeat', valueName: 'KEY=VALUE', help: 'Topic config override.' };

function configArgs(args: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of args.repeated.get('config') ?? []) {
    const [k, v] = parseKeyValue('--config', kv);
    out[k] = v;
  }
  return out;
}

/** Kafka error codes the user meets most, said plainly; anything else keeps the client's message. */
function friendly(err: unknown, topic: string): unknown {
  if (!(err instanceof KafkaError)) return err;
  if (err.code === UNKNOWN_TOPIC_OR_PARTITION) return new CliError(`unknown topic ${topic}`, 1, { cause: err });
  if (err.code === TOPIC_ALREADY_EXISTS) return new CliError(`topic ${topic} already exists`, 1, { cause: err });
  return err;
}

function create(args: ParsedArgs): Action {
  const [name] = expectPositionals(args, ['NAME']);
  const numPartitions = intOption(args, 'partitions', -1, 1, INT32_MAX);
  const replicationFactor = intOption(args, 'replication-factor', -1, 1, 32767);
  const configs = configArgs(args);
  return async (admin, io) => {
    await admin.createTopics([{ topic: name!, numPartitions, replicationFactor, configs }]).catch((e: unknown) => { throw friendly(e, name!); });
    await writeOut(io.stdout, `Created topic ${name}.\n`);
  };
}

function list(args: ParsedArgs): Action {
  expectPositionals(args, []);
  return async (admin, io) => {
    const names = await admin.listTopics({ includeInternal: args.flags.has('include-internal') });
    await writeOut(io.stdout, names.map((n) => `${n}\n`).join(''));
  };
}

/** Topic-level overrides (DYNAMIC_TOPIC_CONFIG), or a note when the broker cannot describe configs. */
async function topicOverrides(admin: Admin, topic: string): Promise<string> {
  let described: ConfigDescription[];
  try {
    described = await admin.describeConfigs([{ type: 'topic', name: topic }]);
  } catch (err) {
    const unsupported = (err instanceof KafkaError && err.code === UNSUPPORTED_VERSION) ||
      (err instanceof ClientError && err.code === 'UNSUPPORTED_VERSION');
    if (!unsupported) throw err;
    return `(unavailable: ${(err as Error).message})`;
  }
  const overrides = (described[0]?.configs ?? []).filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG' && c.value !== null);
  return overrides.length === 0 ? '(none)' : overrides.map((c) => `${c.name}=${c.value}`).join(',');
}

function describeOne(t: TopicDescription, configs: string): string {
  const live = t.partitions.filter((p) => p !== undefined);
  const rf = live.length === 0 ? 0 : live[0]!.replicas.length;
  const head = `Topic: ${t.name}  TopicId: ${t.topicId ?? '-'}  PartitionCount: ${live.length}  ReplicationFactor: ${rf}` +
    `${t.isInternal ? '  Internal: true' : ''}\nConfigs: ${configs}\n`;
  const rows = live.map((p) => [
    String(p.partition), p.leader < 0 ? 'none' : String(p.leader), p.replicas.join(','), p.isr.join(','),
    ...(p.offlineReplicas.length > 0 ? [p.offlineReplicas.join(',')] : []),
  ]);
  const header = ['Partition', 'Leader', 'Replicas', 'Isr', ...(rows.some((r) => r.length > 4) ? ['Offline'] : [])];
  const table = formatTable(header, rows).split('\n').map((l) => (l === '' ? l : `  ${l}`)).join('\n');
  return head + table;
}

function describe(args: ParsedArgs): Action {
  const [name] = expectPositionals(args, ['NAME'], 1);
  return async (admin, io) => {
    const names = name !== undefined ? [name] : await admin.listTopics({ includeInternal: args.flags.has('include-internal') });
    if (names.length === 0) return;
    const topics = await admin.describeTopics(names).catch((e: unknown) => { throw friendly(e, name ?? ''); });
    const parts: string[] = [];
    for (const t of topics) parts.push(describeOne(t, await topicOverrides(admin, t.name)));
    await writeOut(io.stdout, parts.join('\n'));
  };
}

function alter(args: ParsedArgs): Action {
  const [name] = expectPositionals(args, ['NAME']);
  const topic = name!;
  const partitions = intOption(args, 'partitions', -1, 1, INT32_MAX);
  const set = configArgs(args);
  const remove = [...(args.repeated.get('delete-config') ?? [])];
  if (partitions < 0 && Object.keys(set).length === 0 && remove.length === 0) {
    throw new UsageError('topics alter needs --partitions, --config or --delete-config');
  }
  return async (admin, io) => {
    const done: string[] = [];
    try {
      if (partitions >= 0) {
        const [before] = await admin.describeTopics([topic]);
        const current = before!.partitions.filter((p) => p !== undefined).length;
        if (partitions < current) throw new CliError(`topic ${topic} has ${current} partitions; the count can only grow`);
        if (partitions > current) {
          await admin.createPartitions([{ topic, count: partitions }]);
          done.push(`partitions ${current} -> ${partitions}`);
        }
      }
      if (Object.keys(set).length > 0 || remove.length > 0) {
        await admin.alterConfigs([{ type: 'topic', name: topic, set, delete: remove }]);
        for (const [k, v] of Object.entries(set)) done.push(`set ${k}=${v}`);
        for (const k of remove) done.push(`removed ${k}`);
      }
    } catch (err) {
      throw friendly(err, topic);
    }
    await writeOut(io.stdout, `Altered topic ${topic}${done.length > 0 ? `: ${done.join('; ')}` : ' (no change)'}.\n`);
  };
}

function remove(args: ParsedArgs): Action {
  const [name] = expectPositionals(args, ['NAME']);
  return async (admin, io) => {
    await admin.deleteTopics([name!]).catch((e: unknown) => { throw friendly(e, name!); });
    await writeOut(io.stdout, `Deleted topic ${name}.\n`);
  };
}

const INTERNAL: OptionSpec = { name: 'include-internal', kind: 'flag', help: 'Include internal topics (__consumer_offsets, ...).' };

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'create', synopsis: 'tributary topics create NAME [--partitions N] [--replication-factor N] [--config KEY=VALUE]...',
    description: 'Creates a topic; unset counts use the broker defaults (num.partitions, default.replication.factor).',
    options: [PARTITIONS, { name: 'replication-factor', kind: 'value', valueName: 'N', help: 'Replicas per partition.' }, CONFIG],
    run: create,
  },
  { name: 'list', synopsis: 'tributary topics list', description: 'Prints topic names, one per line.', options: [INTERNAL], run: list },
  {
    name: 'describe', synopsis: 'tributary topics describe [NAME]',
    description: 'Prints partitions (leader, replicas, ISR) and config overrides of one topic, or of all.',
    options: [INTERNAL], run: describe,
  },
  {
    name: 'alter', synopsis: 'tributary topics alter NAME [--partitions N] [--config KEY=VALUE]... [--delete-config KEY]...',
    description: 'Grows the partition count and sets or removes topic config overrides.',
    options: [
      { ...PARTITIONS, help: 'New total partition count (can only grow).' }, CONFIG,
      { name: 'delete-config', kind: 'repeat', valueName: 'KEY', help: 'Remove a topic config override.' },
    ],
    run: alter,
  },
  { name: 'delete', synopsis: 'tributary topics delete NAME', description: 'Deletes a topic and its data.', options: [], run: remove },
];

export const topicsCommand: Command = subcommandFamily('topics', 'Create, list, describe, alter and delete topics.', SUBCOMMANDS);
