import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectPositionals, formatUsage, intOption, parseArgs, parseKeyValue, UsageError, type OptionSpec } from '../src/args.ts';

const SPECS: OptionSpec[] = [
  { name: 'partitions', kind: 'value', valueName: 'N', help: 'Partitions.' },
  { name: 'config', kind: 'repeat', valueName: 'K=V', help: 'Config.' },
  { name: 'from-beginning', kind: 'flag', help: 'From the start.' },
  { name: 'acks', kind: 'value', help: 'Acks.' },
];

test('values, repeated options, flags and positionals in any order', () => {
  const a = parseArgs(['create', '--partitions', '3', 'orders', '--config', 'a=1', '--config=b=2', '--from-beginning'], SPECS);
  assert.deepEqual(a.positionals, ['create', 'orders']);
  assert.equal(a.values.get('partitions'), '3');
  assert.deepEqual(a.repeated.get('config'), ['a=1', 'b=2']);
  assert.ok(a.flags.has('from-beginning'));
});

test('a later value option wins', () => {
  assert.equal(parseArgs(['--partitions', '1', '--partitions', '2'], SPECS).values.get('partitions'), '2');
});

test('negative numbers are values, not options', () => {
  assert.equal(parseArgs(['--acks', '-1'], SPECS).values.get('acks'), '-1');
  assert.deepEqual(parseArgs(['-5'], SPECS).positionals, ['-5']);
});

test('-- ends options; -h means --help', () => {
  const a = parseArgs(['--', '--partitions', 'x'], SPECS);
  assert.deepEqual(a.positionals, ['--partitions', 'x']);
  assert.ok(parseArgs(['-h'], SPECS).flags.has('help'));
  assert.ok(parseArgs(['--help'], SPECS).flags.has('help'));
});

test('unknown options, missing values and values on flags are usage errors naming the option', () => {
  assert.throws(() => parseArgs(['--nope'], SPECS), (e: unknown) => e instanceof UsageError && /--nope/.test(e.message));
  assert.throws(() => parseArgs(['-x'], SPECS), (e: unknown) => e instanceof UsageError && /-x/.test(e.message));
  assert.throws(() => parseArgs(['--partitions'], SPECS), (e: unknown) => e instanceof UsageError && /--partitions needs a value/.test(e.message));
  assert.throws(() => parseArgs(['--from-beginning=yes'], SPECS), (e: unknown) => e instanceof UsageError && /takes no value/.test(e.message));
});

test('intOption checks integer syntax and range', () => {
  assert.equal(intOption(parseArgs([], SPECS), 'partitions', 7), 7);
  assert.equal(intOption(parseArgs(['--partitions', '4'], SPECS), 'partitions', 7, 1), 4);
  assert.throws(() => intOption(parseArgs(['--partitions', 'four'], SPECS), 'partitions', 7), /expects an integer/);
  assert.throws(() => intOption(parseArgs(['--partitions', '0'], SPECS), 'partitions', 7, 1), /between 1 and/);
});

test('parseKeyValue splits at the first = and rejects a missing key', () => {
  assert.deepEqual(parseKeyValue('--config', 'a=b=c'), ['a', 'b=c']);
  assert.deepEqual(parseKeyValue('--config', 'a='), ['a', '']);
  assert.throws(() => parseKeyValue('--config', 'novalue'), UsageError);
  assert.throws(() => parseKeyValue('--config', '=x'), UsageError);
});

test('expectPositionals names the missing or extra argument', () => {
  assert.throws(() => expectPositionals(parseArgs([], SPECS), ['TOPIC']), /missing TOPIC/);
  assert.throws(() => expectPositionals(parseArgs(['a', 'b'], SPECS), ['TOPIC']), /unexpected argument "b"/);
  assert.deepEqual(expectPositionals(parseArgs([], SPECS), ['NAME'], 1), []);
});

test('formatUsage lists every option, aligned, plus --help', () => {
  const text = formatUsage('tool X', 'Does X.', SPECS);
  assert.match(text, /^Usage: tool X\n/);
  const optionLines = text.split('\n').filter((l) => l.startsWith('  --'));
  assert.equal(optionLines.length, SPECS.length + 1);
  const column = optionLines[0]!.indexOf('Partitions.');
  assert.equal(optionLines[1]!.indexOf('Config'), column);
  assert.match(text, /Config \(repeatable\)\./);
});
