/**
 * `tributary groups reset-offsets`: plans new committed offsets for an empty consumer group and,
 * with --execute, commits them as a non-member (generation -1), which the coordinator accepts only
 * while the group is Empty. The default is a dry run, as kafka-consumer-groups.sh's.
 */
import { KafkaError, type Admin, type CommittedOffset, type TopicPartition } from '@tributary/client';
import { expectPositionals, parseIntArg, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { CliError } from '../errors.ts';
import { formatTable } from '../table.ts';
import { writeOut } from './common.ts';
import type { AdminAction } from './subcommands.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const INT32_MAX = 2147483647;
/** States in which the group has no members, so a generation -1 commit is accepted. */
const INACTIVE_STATES: ReadonlySet<string> = new Set(['Empty', 'Dead']);

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;
export const byTopicPartition = (a: TopicPartition, b: TopicPartition): number =>
  (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

type Scenario =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'datetime'; readonly timestampMs: number }
  | { readonly kind: 'shift'; readonly by: number };

/** `--topic T` (every partition) or `--topic T:0,2`; null = the partitions the group has offsets for. */
type Selection = ReadonlyArray<{ readonly topic: string; readonly partitions: readonly number[] | null }> | null;

export const RESET_SYNOPSIS = 'tributary groups reset-offsets GROUP (--topic TOPIC[:P,...]... | --all-topics) ' +
  '(--to-earliest | --to-latest | --to-offset N | --to-datetime ISO8601 | --shift-by N) [--execute]';

export const RESET_OPTIONS: readonly OptionSpec[] = [
  { name: 'topic', kind: 'repeat', valueName: 'TOPIC[:P,...]', help: 'Reset this topic (all its partitions, or those listed).' },
  { name: 'all-topics', kind: 'flag', help: 'Reset every partition the group has a committed offset for.' },
  { name: 'to-earliest', kind: 'flag', help: 'To the log start offset.' },
  { name: 'to-latest', kind: 'flag', help: 'To the log end offset.' },
  { name: 'to-offset', kind: 'value', valueName: 'N', help: 'To offset N (clamped to the log start and end).' },
  { name: 'to-datetime', kind: 'value', valueName: 'ISO8601', help: 'To the first record at or after the time (e.g. 2024-05-01T12:00:00Z; local time without a zone); the log end when none.' },
  { name: 'shift-by', kind: 'value', valueName: 'N', help: 'Move the committed offset by N (may be negative; clamped to the log start and end).' },
  { name: 'execute', kind: 'flag', help: 'Apply the plan (without it, only print it).' },
  { name: 'dry-run', kind: 'flag', help: 'Only print the plan (the default).' },
];

const ISO8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date-time; a zone-less time is local, as Kafka's tool reads it. */
export function parseDateTime(text: string): number {
  const t = text.trim();
  if (!ISO8601.test(t)) throw new UsageError(`--to-datetime expects an ISO 8601 date-time such as 2024-05-01T12:00:00Z, got ${JSON.stringify(text)}`);
  const normalised = t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/([+-]\d{2})$/, '$1:00');
  const ms = Date.parse(normalised);
  if (Number.isNaN(ms)) throw new UsageError(`--to-datetime: ${JSON.stringify(text)} is not a valid date-time`);
  return ms;
}

function parseScenario(args: ParsedArgs): Scenario {
  const chosen: Scenario[] = [];
  if (args.flags.has('to-earliest')) chosen.push({ kind: 'earliest' });
  if (args.flags.has('to-latest')) chosen.push({ kind: 'latest' });
  const offset = args.values.get('to-offset');
  if (offset !== undefined) chosen.push({ kind: 'offset', offset: parseIntArg('--to-offset', offset, 0, Number.MAX_SAFE_INTEGER) });
  const datetime = args.values.get('to-datetime');
  if (datetime !== undefined) chosen.push({ kind: 'datetime', timestampMs: parseDateTime(datetime) });
  const shift = args.values.get('shift-by');
  if (shift !== undefined) chosen.push({ kind: 'shift', by: parseIntArg('--shift-by', shift, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) });
  if (chosen.length !== 1) {
    throw new UsageError(`reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by${chosen.length > 1 ? ` (got ${chosen.length})` : ''}`);
  }
  return chosen[0]!;
}

function parseSelection(args: ParsedArgs): Selection {
  const topics = args.repeated.get('topic') ?? [];
  const all = args.flags.has('all-topics');
  if (all === (topics.length > 0)) throw new UsageError('reset-offsets needs either --topic or --all-topics (not both)');
  if (all) return null;
  return topics.map((spec) => {
    const colon = spec.lastIndexOf(':');
    const topic = (colon < 0 ? spec : spec.slice(0, colon)).trim();
    if (topic === '') throw new UsageError(`--topic expects TOPIC or TOPIC:P,..., got ${JSON.stringify(spec)}`);
    if (colon < 0) return { topic, partitions: null };
    const partitions = spec.slice(colon + 1).split(',').map((p) => parseIntArg(`--topic ${topic} partition`, p, 0, INT32_MAX));
    return { topic, partitions };
  });
}

/** The partitions named by the selection, checked against the topics' metadata. */
async function selectedPartitions(admin: Admin, groupId: string, selection: Selection, committed: readonly CommittedOffset[]): Promise<TopicPartition[]> {
  if (selection === null) {
    if (committed.length === 0) throw new CliError(`consumer group ${groupId} has no committed offsets; name the partitions with --topic`);
    return committed.map((c) => ({ topic: c.topic, partition: c.partition }));
  }
  const out = new Map<string, TopicPartition>();
  for (const { topic, partitions } of selection) {
    const [described] = await admin.describeTopics([topic]).catch((err: unknown) => {
      if (err instanceof KafkaError && err.code === UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`unknown topic ${topic}`, 1, { cause: err });
      throw err;
    });
    const existing = described!.partitions.filter((p) => p !== undefined).map((p) => p.partition);
    for (const partition of partitions ?? existing) {
      if (!existing.includes(partition)) throw new CliError(`topic ${topic} has no partition ${partition} (it has ${existing.length})`);
      out.set(tpKey({ topic, partition }), { topic, partition });
    }
  }
  return [...out.values()];
}

async function offsetsAt(admin: Admin, partitions: readonly TopicPartition[], spec: 'earliest' | 'latest' | { timestamp: number }): Promise<Map<string, number>> {
  const answers = await admin.listOffsets(partitions.map((tp) => ({ ...tp, spec })));
  return new Map(answers.map((a) => [tpKey(a), a.offset]));
}

/** New offset per partition, each within [log start, log end]. */
async function plan(admin: Admin, groupId: string, scenario: Scenario, partitions: readonly TopicPartition[], committed: readonly CommittedOffset[]): Promise<Map<string, number>> {
  const earliest = await offsetsAt(admin, partitions, 'earliest');
  const latest = await offsetsAt(admin, partitions, 'latest');
  const atTime = scenario.kind === 'datetime' ? await offsetsAt(admin, partitions, { timestamp: scenario.timestampMs }) : undefined;
  const current = new Map(committed.filter((c) => c.offset >= 0).map((c) => [tpKey(c), c.offset]));
  const out = new Map<string, number>();
  for (const tp of partitions) {
    const key = tpKey(tp);
    const start = earliest.get(key)!;
    const end = latest.get(key)!;
    let target: number;
    switch (scenario.kind) {
      case 'earliest': target = start; break;
      case 'latest': target = end; break;
      case 'offset': target = scenario.offset; break;
      case 'datetime': {
        const found = atTime!.get(key) ?? -1;
        target = found < 0 ? end : found;
        break;
      }
      case 'shift': {
        const now = current.get(key);
        if (now === undefined) throw new CliError(`cannot shift ${tp.topic}:${tp.partition}: consumer group ${groupId} has no committed offset for it`);
        target = now + scenario.by;
        break;
      }
    }
    out.set(key, Math.min(Math.max(target, start), end));
  }
  return out;
}

function notEmpty(groupId: string, state: string, cause?: unknown): CliError {
  return new CliError(`consumer group ${groupId} is not empty (state ${state}): stop its members first`, 1, { cause });
}

export function resetOffsets(args: ParsedArgs): AdminAction {
  const [groupId] = expectPositionals(args, ['GROUP']);
  const group = groupId!;
  const scenario = parseScenario(args);
  const selection = parseSelection(args);
  const execute = args.flags.has('execute');
  if (execute && args.flags.has('dry-run')) throw new UsageError('--execute and --dry-run exclude each other');
  return async (admin, io) => {
    const [described] = await admin.describeGroups([group]);
    const state = described?.state ?? 'Dead';
    if (!INACTIVE_STATES.has(state)) throw notEmpty(group, state);
    const committed = await admin.listConsumerGroupOffsets(group);
    const partitions = (await selectedPartitions(admin, group, selection, committed)).sort(byTopicPartition);
    const offsets = await plan(admin, group, scenario, partitions, committed);
    const rows = partitions.map((tp) => [tp.topic, String(tp.partition), String(offsets.get(tpKey(tp)))]);
    await writeOut(io.stdout, formatTable(['TOPIC', 'PARTITION', 'NEW-OFFSET'], rows));
    if (!execute) {
      await writeOut(io.stderr, 'tributary: dry run, offsets not changed; add --execute to apply\n');
      return;
    }
    try {
      await admin.alterConsumerGroupOffsets(group, partitions.map((tp) => ({ ...tp, offset: offsets.get(tpKey(tp))! })));
    } catch (err) {
      // A member joined between the state check and the commit.
      if (err instanceof KafkaError && (err.code === UNKNOWN_MEMBER_ID || err.code === ILLEGAL_GENERATION)) {
        const [now] = await admin.describeGroups([group]);
        throw notEmpty(group, now?.state ?? 'unknown', err);
      }
      throw err;
    }
    await writeOut(io.stderr, `tributary: reset offsets of ${partitions.length} partition${partitions.length === 1 ? '' : 's'} for group ${group}\n`);
  };
}
