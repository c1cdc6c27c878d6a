/**
 * `tributary produce TOPIC`: one record per stdin line (like kafka-console-producer). With
 * `--key-separator SEP` the text before the first SEP is the key (a line without SEP gets a null
 * key and the whole line as value). Exits 0 once every record is acknowledged (per --acks); the
 * first failure stops reading and exits 1. A summary goes to stderr.
 */
import { createInterface } from 'node:readline';
import { Producer, type CompressionName, type ProducerMessage } from '@tributary/client';
import { EXIT_OK, expectPositionals, formatUsage, intOption, parseArgs, parseKeyValue, UsageError, type OptionSpec } from '../args.ts';
import { BOOTSTRAP_OPTION, bootstrapServer, type Command, type Io } from './common.ts';
import { topicMetadata } from './topic-metadata.ts';

/** Records sent but not yet acknowledged before reading more lines waits. */
const PENDING_RECORDS_MAX = 10_000;
const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const OPTIONS: readonly OptionSpec[] = [
  BOOTSTRAP_OPTION,
  { name: 'key-separator', kind: 'value', valueName: 'SEP', help: 'Split each line at the first SEP into key and value.' },
  { name: 'partition', kind: 'value', valueName: 'N', help: 'Send every record to this partition (default: by key hash, or sticky).' },
  { name: 'acks', kind: 'value', valueName: '-1|0|1', help: 'Acknowledgement level (default -1 = all in-sync replicas).' },
  { name: 'compression', kind: 'value', valueName: 'CODEC', help: 'none, gzip, snappy, lz4 or zstd (default none).' },
  { name: 'header', kind: 'repeat', valueName: 'KEY=VALUE', help: 'Header added to every record.' },
];

const USAGE = formatUsage(
  'tributary produce TOPIC [--key-separator SEP] [--partition N] [--acks -1|0|1] [--compression CODEC] [--header KEY=VALUE]...',
  'Reads lines from stdin and sends each as one record. Exits once all are acknowledged.',
  OPTIONS,
);

interface ProduceSettings {
  readonly topic: string;
  readonly separator: string | undefined;
  readonly partition: number | undefined;
  readonly headers: ReadonlyArray<{ key: string; value: string }>;
}

function acksOption(text: string | undefined): -1 | 0 | 1 {
  if (text === undefined || text === '-1' || text === 'all') return -1;
  if (text === '0') return 0;
  if (text === '1') return 1;
  throw new UsageError(`--acks must be -1 (all), 0 or 1, got ${JSON.stringify(text)}`);
}

function compressionOption(text: string | undefined): CompressionName {
  if (text === undefined) return 'none';
  if (!(COMPRESSIONS as readonly string[]).includes(text)) throw new UsageError(`--compression must be one of ${COMPRESSIONS.join(', ')}, got ${JSON.stringify(text)}`);
  return text as CompressionName;
}

/** The record for one input line. */
export function lineToMessage(line: string, s: Omit<ProduceSettings, 'topic'>): ProducerMessage {
  const msg: ProducerMessage = { value: line };
  if (s.separator !== undefined) {
    const at = line.indexOf(s.separator);
    if (at >= 0) Object.assign(msg, { key: line.slice(0, at), value: line.slice(at + s.separator.length) });
  }
  if (s.partition !== undefined) msg.partition = s.partition;
  if (s.headers.length > 0) msg.headers = s.headers;
  return msg;
}

/** Sends every stdin line; resolves with the record count, rejects with the first send failure. */
async function sendLines(producer: Producer, s: ProduceSettings, io: Io): Promise<number> {
  let sent = 0;
  let pending = 0;
  let failure: unknown = null;
  let slotFreed: (() => void) | null = null;
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (failure !== null) break;
      pending++;
      sent++;
      producer.send({ topic: s.topic, messages: [lineToMessage(line, s)] }).then(
        () => { pending--; slotFreed?.(); },
        (err: unknown) => { pending--; failure ??= err; slotFreed?.(); },
      );
      while (pending >= PENDING_RECORDS_MAX && failure === null) await new Promise<void>((r) => { slotFreed = r; });
      slotFreed = null;
    }
  } finally {
    lines.close();
  }
  await producer.flush();
  if (failure !== null) throw failure;
  return sent;
}

async function runProduce(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const [topic] = expectPositionals(args, ['TOPIC']);
  const separator = args.values.get('key-separator');
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  const partition = args.values.has('partition') ? intOption(args, 'partition', 0, 0, 2147483647) : undefined;
  const headers = (args.repeated.get('header') ?? []).map((h) => {
    const [key, value] = parseKeyValue('--header', h);
    return { key, value };
  });
  const producer = new Producer({
    bootstrapServers: bootstrapServer(args, io), clientId: 'tributary-cli-producer',
    acks: acksOption(args.values.get('acks')), compression: compressionOption(args.values.get('compression')),
  });
  const startedMs = Date.now();
  try {
    await producer.connect();
    const partitions = await topicMetadata(producer.cluster, topic!);
    if (partition !== undefined && partition >= partitions) {
      throw new UsageError(`--partition ${partition} is out of range: topic ${topic} has ${partitions} partition${partitions === 1 ? '' : 's'}`);
    }
    const count = await sendLines(producer, { topic: topic!, separator, partition, headers }, io);
    const verb = acksOption(args.values.get('acks')) === 0 ? 'sent' : 'produced';
    io.stderr.write(`tributary: ${verb} ${count} record${count === 1 ? '' : 's'} to ${topic} in ${Date.now() - startedMs} ms\n`);
  } finally {
    await producer.close().catch(() => undefined);
    io.stdin.destroy();
  }
  return EXIT_OK;
}

export const produceCommand: Command = { name: 'produce', summary: 'Send stdin lines as records to a topic.', usage: USAGE, run: runProduce };
