/**
 * `tributary consume TOPIC`: prints record values one per line (like kafka-console-consumer),
 * optionally `key<SEP>value`. Reads every partition unless --partition is given; starts at the end
 * unless --from-beginning or --offset. Stops after --max-messages, on SIGINT/SIGTERM, after
 * --timeout-ms without new records, or when stdout is closed (e.g. `| head`).
 */
import { Consumer, type ConsumerRecord } from '@tributary/client';
import {
  EXIT_OK, expectPositionals, formatUsage, intOption, parseArgs, parseIntArg, UsageError,
  type OptionSpec, type ParsedArgs,
} from '../args.ts';
import { BOOTSTRAP_OPTION, bootstrapServer, writeOut, type Command, type Io } from './common.ts';
import { topicMetadata } from './topic-metadata.ts';

/** Longest a single fetch waits on the broker; bounds how late SIGINT and --timeout-ms are noticed. */
const FETCH_WAIT_MS_MAX = 500;

const OPTIONS: readonly OptionSpec[] = [
  BOOTSTRAP_OPTION,
  { name: 'from-beginning', kind: 'flag', help: 'Start at the earliest offset (default: the end).' },
  { name: 'partition', kind: 'value', valueName: 'N', help: 'Read only this partition (default: all).' },
  { name: 'offset', kind: 'value', valueName: 'N|earliest|latest', help: 'Start offset; needs --partition.' },
  { name: 'max-messages', kind: 'value', valueName: 'N', help: 'Exit after printing N records.' },
  { name: 'print-key', kind: 'flag', help: 'Print key<SEP>value.' },
  { name: 'key-separator', kind: 'value', valueName: 'SEP', help: 'Separator for --print-key (default: a tab).' },
  { name: 'timeout-ms', kind: 'value', valueName: 'N', help: 'Exit after N ms without new records.' },
];

const USAGE = formatUsage(
  'tributary consume TOPIC [--from-beginning] [--partition N] [--offset N] [--max-messages N] [--print-key] [--key-separator SEP] [--timeout-ms N]',
  'Prints record values, one per line (null values print as "null").',
  OPTIONS,
);

type StartAt = 'earliest' | 'latest' | number;

interface ConsumeSettings {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly startAt: StartAt;
  readonly maxMessages: number;
  readonly timeoutMs: number | undefined;
  readonly printKey: boolean;
  readonly separator: string;
}

function settings(args: ParsedArgs): ConsumeSettings {
  const [topic] = expectPositionals(args, ['TOPIC']);
  const partition = args.values.has('partition') ? intOption(args, 'partition', 0, 0, 2147483647) : undefined;
  const offsetText = args.values.get('offset');
  let startAt: StartAt = args.flags.has('from-beginning') ? 'earliest' : 'latest';
  if (offsetText !== undefined) {
    if (partition === undefined) throw new UsageError('--offset needs --partition');
    if (args.flags.has('from-beginning')) throw new UsageError('--offset and --from-beginning cannot be combined');
    startAt = offsetText === 'earliest' || offsetText === 'latest' ? offsetText : parseIntArg('--offset', offsetText, 0, Number.MAX_SAFE_INTEGER);
  }
  return {
    topic: topic!, partition, startAt,
    maxMessages: intOption(args, 'max-messages', Infinity, 1),
    timeoutMs: args.values.has('timeout-ms') ? intOption(args, 'timeout-ms', 0, 1) : undefined,
    printKey: args.flags.has('print-key'),
    separator: args.values.get('key-separator') ?? '\t',
  };
}

const text = (b: Buffer | null): string => (b === null ? 'null' : b.toString('utf8'));

export function formatRecord(r: ConsumerRecord, printKey: boolean, separator: string): string {
  return printKey ? `${text(r.key)}${separator}${text(r.value)}\n` : `${text(r.value)}\n`;
}

/** Polls and prints until a stop condition; returns how many records were printed. */
async function printRecords(consumer: Consumer, s: ConsumeSettings, io: Io, stopped: () => boolean): Promise<number> {
  let count = 0;
  let lastDataMs = Date.now();
  while (!stopped() && count < s.maxMessages) {
    const records = await consumer.poll();
    if (records.length === 0) {
      if (s.timeoutMs !== undefined && Date.now() - lastDataMs >= s.timeoutMs) break;
      continue;
    }
    lastDataMs = Date.now();
    const take = Math.min(records.length, s.maxMessages - count);
    let out = '';
    for (let i = 0; i < take; i++) out += formatRecord(records[i]!, s.printKey, s.separator);
    count += take;
    await writeOut(io.stdout, out);
  }
  return count;
}

function isBrokenPipe(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'EPIPE' || (err as { code?: unknown }).code === 'ERR_STREAM_DESTROYED';
}

async function runConsume(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const s = settings(args);
  const consumer = new Consumer({
    bootstrapServers: bootstrapServer(args, io), clientId: 'tributary-cli-consumer', retries: 2,
    autoOffsetReset: s.startAt === 'earliest' ? 'earliest' : 'latest',
    maxWaitMs: Math.min(FETCH_WAIT_MS_MAX, s.timeoutMs ?? FETCH_WAIT_MS_MAX),
  });
  let stop = false;
  const onSignal = (): void => { stop = true; };
  const onOutputError = (err: unknown): void => { if (isBrokenPipe(err)) stop = true; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  io.stdout.on('error', onOutputError);
  try {
    await consumer.connect();
    const partitions = await topicMetadata(consumer.cluster, s.topic);
    if (s.partition !== undefined && s.partition >= partitions) {
      throw new UsageError(`--partition ${s.partition} is out of range: topic ${s.topic} has ${partitions} partition${partitions === 1 ? '' : 's'}`);
    }
    const list = s.partition !== undefined ? [s.partition] : Array.from({ length: partitions }, (_, i) => i);
    const offset = typeof s.startAt === 'number' ? s.startAt : undefined;
    consumer.assign(list.map((partition) => (offset === undefined ? { topic: s.topic, partition } : { topic: s.topic, partition, offset })));
    const count = await printRecords(consumer, s, io, () => stop).catch((err: unknown) => {
      if (isBrokenPipe(err)) return -1;
      throw err;
    });
    if (count >= 0) io.stderr.write(`Processed a total of ${count} message${count === 1 ? '' : 's'}\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.stdout.off('error', onOutputError);
    await consumer.close().catch(() => undefined);
  }
  return EXIT_OK;
}

export const consumeCommand: Command = { name: 'consume', summary: 'Print records of a topic.', usage: USAGE, run: runConsume };
