import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../src/main.ts';
import { parseRoles } from '../src/commands/start.ts';
import { lineToMessage } from '../src/commands/produce.ts';
import { formatRecord } from '../src/commands/consume.ts';
import type { Io } from '../src/commands/common.ts';

/** Runs main in-process with captured streams (only for paths that never touch the network). */
async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const io: Io = { stdin: new PassThrough(), stdout, stderr, env };
  const code = await main(argv, io);
  return { code, out, err };
}

test('--help lists every command; no arguments prints usage to stderr with exit 2', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  for (const c of ['start', 'topics', 'groups', 'produce', 'consume', 'schemas']) assert.match(help.out, new RegExp(`^  ${c} `, 'm'));
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.err, /^Usage: tributary/);
});

test('--version prints the package version', async () => {
  const r = await run(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^tributary \d+\.\d+\.\d+\n$/);
});

test('every command has --help with its options', async () => {
  for (const [argv, option] of [[['start', '--help'], '--config'], [['produce', '--help'], '--key-separator'],
    [['consume', '--help'], '--from-beginning'], [['topics', '--help'], 'topics create'], [['topics', 'alter', '--help'], '--delete-config']] as const) {
    const r = await run([...argv]);
    assert.equal(r.code, 0, argv.join(' '));
    assert.ok(r.out.includes(option), `${argv.join(' ')} help mentions ${option}`);
  }
});

test('unknown command, unknown option and bad option values are usage errors (exit 2) on one line', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['produce', 't', '--nope'], /unknown option --nope/],
    [['produce'], /missing TOPIC/],
    [['produce', 't', '--acks', '2'], /--acks must be -1/],
    [['produce', 't', '--compression', 'brotli'], /--compression must be one of/],
    [['consume', 't', '--offset', '5'], /--offset needs --partition/],
    [['consume', 't', '--max-messages', 'x'], /--max-messages expects an integer/],
    [['topics'], /topics needs a subcommand/],
    [['topics', 'rename'], /unknown topics subcommand "rename"/],
    [['topics', 'create'], /missing NAME/],
    [['topics', 'list', '--bootstrap-server', 'nohostport'], /not HOST:PORT/],
    [['start', '--roles', 'sql'], /role sql is not available yet/],
    [['start', '--roles', 'bogus'], /unknown role "bogus"/],
    [['start', '--set', 'novalue'], /--set expects key=value/],
    [['start', '--config', '/nonexistent/server.properties'], /cannot read config file \/nonexistent\/server.properties: ENOENT/],
  ];
  for (const [argv, expected] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err.split('\n')[0]!, expected, argv.join(' '));
    assert.match(r.err.split('\n')[0]!, /^tributary: /);
  }
});

test('start rejects an unknown config key with exit 2, naming the key, before touching disk', async () => {
  const r = await run(['start', '--set', 'log.dirs=/nonexistent/never-created', '--set', 'no.such.key=1']);
  assert.equal(r.code, 2);
  assert.match(r.err, /no\.such\.key/);
});

test('start rejects an invalid value with exit 2, naming the key', async () => {
  const r = await run(['start', '--set', 'num.partitions=zero']);
  assert.equal(r.code, 2);
  assert.match(r.err, /num\.partitions/);
});

test('parseRoles: broker and registry by default, either on request; duplicates collapse', () => {
  assert.deepEqual(parseRoles(undefined), ['broker', 'registry']);
  assert.deepEqual(parseRoles('broker,broker'), ['broker']);
  assert.deepEqual(parseRoles('registry'), ['registry']);
});

test('lineToMessage splits at the first separator; without it the key is absent', () => {
  const base = { separator: ':', partition: undefined, headers: [] };
  assert.deepEqual(lineToMessage('k:v:w', base), { key: 'k', value: 'v:w' });
  assert.deepEqual(lineToMessage('plain', base), { value: 'plain' });
  assert.deepEqual(lineToMessage('a::b', { ...base, separator: '::' }), { key: 'a', value: 'b' });
  assert.deepEqual(lineToMessage('x', { separator: undefined, partition: 2, headers: [{ key: 'h', value: '1' }] }),
    { value: 'x', partition: 2, headers: [{ key: 'h', value: '1' }] });
});

test('formatRecord prints null for null key or value', () => {
  const r = { topic: 't', partition: 0, offset: 0, timestamp: 0, key: null, value: Buffer.from('v'), headers: [] };
  assert.equal(formatRecord(r, false, '\t'), 'v\n');
  assert.equal(formatRecord(r, true, '='), 'null=v\n');
  assert.equal(formatRecord({ ...r, value: null }, false, '\t'), 'null\n');
});
