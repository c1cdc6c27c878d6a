/**
 * `tributary groups list|describe|reset-offsets|delete`: consumer group administration through the
 * Admin client (ListGroups, DescribeGroups, OffsetFetch, ListOffsets, OffsetCommit, DeleteGroups),
 * printed like kafka-consumer-groups.sh in aligned columns.
 */
import { KafkaError, type Admin, type CommittedOffset, type GroupDescription, type TopicPartition } from '@tributary/client';
import { expectPositionals, UsageError, type OptionSpec, type ParsedArgs } from '../args.ts';
import { CliError } from '../errors.ts';
import { formatTable } from '../table.ts';
import { writeOut, type Command } from './common.ts';
import { byTopicPartition, RESET_OPTIONS, RESET_SYNOPSIS, resetOffsets, tpKey } from './groups-reset.ts';
import { subcommandFamily, type AdminAction, type Subcommand } from './subcommands.ts';

const NON_EMPTY_GROUP = 68;
const GROUP_ID_NOT_FOUND = 69;

/** Kafka's group states; `--state` accepts them in any case. */
export const GROUP_STATES = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'] as const;

/** A group with no members and no committed offsets reads as Dead: Kafka's answer for an unknown group. */
export function unknownGroup(groupId: string): CliError {
  return new CliError(`consumer group ${groupId} does not exist`);
}

function parseStates(args: ParsedArgs): string[] | undefined {
  const given = (args.repeated.get('state') ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (given.length === 0) return undefined;
  return given.map((s) => {
    const state = GROUP_STATES.find((k) => k.toLowerCase() === s.toLowerCase());
    if (state === undefined) throw new UsageError(`unknown group state ${JSON.stringify(s)} (${GROUP_STATES.join(', ')})`);
    return state;
  });
}

function list(args: ParsedArgs): AdminAction {
  expectPositionals(args, []);
  const states = parseStates(args);
  return async (admin, io) => {
    const groups = await admin.listGroups(states === undefined ? {} : { states });
    if (groups.length === 0) return;
    const rows = groups.map((g) => [g.groupId, g.state || '-', g.protocolType || '-']);
    await writeOut(io.stdout, formatTable(['GROUP', 'STATE', 'PROTOCOL-TYPE'], rows));
  };
}

function membersTable(group: GroupDescription): string {
  const rows = group.members.map((m) => [
    m.memberId, m.clientId, m.clientHost,
    m.assignment === null ? '?' : m.assignment.length === 0 ? '-' : [...m.assignment].sort(byTopicPartition).map((tp) => `${tp.topic}:${tp.partition}`).join(','),
  ]);
  return formatTable(['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'], rows);
}

/** Log end offsets of `partitions`; a partition whose topic is gone reads as undefined. */
async function logEndOffsets(admin: Admin, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (partitions.length === 0) return out;
  const live = new Set((await admin.listTopics({ includeInternal: true })));
  const targets = partitions.filter((tp) => live.has(tp.topic)).map((tp) => ({ ...tp, spec: 'latest' as const }));
  if (targets.length === 0) return out;
  for (const a of await admin.listOffsets(targets)) out.set(tpKey(a), a.offset);
  return out;
}

/** One row per partition that is assigned or has a committed offset; '' when there is none. */
async function offsetsTable(admin: Admin, group: GroupDescription, committed: readonly CommittedOffset[]): Promise<string> {
  const owner = new Map<string, GroupDescription['members'][number]>();
  for (const m of group.members) for (const tp of m.assignment ?? []) owner.set(tpKey(tp), m);
  const partitions = new Map<string, TopicPartition>();
  for (const tp of committed) partitions.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
  for (const m of group.members) for (const tp of m.assignment ?? []) partitions.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
  const all = [...partitions.values()].sort(byTopicPartition);
  if (all.length === 0) return '';
  const ends = await logEndOffsets(admin, all);
  const current = new Map(committed.map((c) => [tpKey(c), c.offset]));
  const rows = all.map((tp) => {
    const key = tpKey(tp);
    const offset = current.get(key);
    const end = ends.get(key);
    const m = owner.get(key);
    const hasOffset = offset !== undefined && offset >= 0;
    return [
      tp.topic, String(tp.partition), hasOffset ? String(offset) : '-', end === undefined ? '-' : String(end),
      hasOffset && end !== undefined ? String(Math.max(0, end - offset)) : '-',
      m?.memberId ?? '-', m?.clientHost ?? '-', m?.clientId ?? '-',
    ];
  });
  return formatTable(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows);
}

function describe(args: ParsedArgs): AdminAction {
  const [groupId] = expectPositionals(args, ['GROUP']);
  return async (admin, io) => {
    const [group] = await admin.describeGroups([groupId!]);
    const committed = await admin.listConsumerGroupOffsets(groupId!);
    if (group === undefined || (group.state === 'Dead' && group.members.length === 0 && committed.length === 0)) throw unknownGroup(groupId!);
    const protocol = group.protocolType === '' ? '-' : `${group.protocolType}${group.protocol === '' ? '' : `/${group.protocol}`}`;
    const parts = [
      `Group: ${group.groupId}  State: ${group.state}  Protocol: ${protocol}  Coordinator: ${group.coordinator}  Members: ${group.members.length}\n`,
    ];
    if (group.members.length > 0) parts.push('\n', membersTable(group));
    else parts.push(`\nConsumer group ${group.groupId} has no active members.\n`);
    const offsets = await offsetsTable(admin, group, committed);
    if (offsets !== '') parts.push('\n', offsets);
    await writeOut(io.stdout, parts.join(''));
  };
}

function remove(args: ParsedArgs): AdminAction {
  const [groupId] = expectPositionals(args, ['GROUP']);
  return async (admin, io) => {
    try {
      await admin.deleteGroups([groupId!]);
    } catch (err) {
      if (err instanceof KafkaError && err.code === GROUP_ID_NOT_FOUND) throw unknownGroup(groupId!);
      if (err instanceof KafkaError && err.code === NON_EMPTY_GROUP) {
        throw new CliError(`consumer group ${groupId} is not empty: stop its members first`, 1, { cause: err });
      }
      throw err;
    }
    await writeOut(io.stdout, `Deleted consumer group ${groupId}.\n`);
  };
}

const STATE: OptionSpec = { name: 'state', kind: 'repeat', valueName: 'STATE', help: `Only groups in this state (${GROUP_STATES.join(', ')}).` };

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'list', synopsis: 'tributary groups list [--state STATE]...',
    description: 'Prints each group with its state and protocol type.', options: [STATE], run: list,
  },
  {
    name: 'describe', synopsis: 'tributary groups describe GROUP',
    description: 'Prints the group\'s state, protocol and members, and per partition the committed offset, log end offset, lag and owner.',
    options: [], run: describe,
  },
  {
    name: 'reset-offsets', synopsis: RESET_SYNOPSIS,
    description: 'Plans new committed offsets for an empty group and prints them (TOPIC PARTITION NEW-OFFSET); ' +
      'applies them only with --execute. Exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by.',
    options: RESET_OPTIONS, run: resetOffsets,
  },
  {
    name: 'delete', synopsis: 'tributary groups delete GROUP',
    description: 'Deletes an empty group and its committed offsets.', options: [], run: remove,
  },
];

export const groupsCommand: Command = subcommandFamily('groups', 'List, describe, reset offsets of and delete consumer groups.', SUBCOMMANDS);
