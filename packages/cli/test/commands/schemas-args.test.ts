/** `tributary schemas` argument checking: every mistake is exit 2 before any request is made. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../src/main.ts';
import { parseReference, parseVersionArg } from '../../src/commands/schemas.ts';
import type { Io } from '../../src/commands/common.ts';

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

// Port 9 (discard) on loopback: nothing listens, and no case here may get as far as a request.
const NOWHERE = ['--registry-url', 'http://127.0.0.1:9'];

test('schemas usage errors exit 2 with a one-line reason', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['schemas'], /schemas needs a subcommand: list, get, register, check, delete, config/],
    [['schemas', 'rename'], /unknown schemas subcommand "rename"/],
    [['schemas', 'get', ...NOWHERE], /missing SUBJECT/],
    [['schemas', 'get', 's', '--version', '0', ...NOWHERE], /--version must be between 1 and/],
    [['schemas', 'get', 's', '--version', 'newest', ...NOWHERE], /--version expects an integer/],
    [['schemas', 'get', '--id', '1', '--version', '2', ...NOWHERE], /--id and --version exclude each other/],
    [['schemas', 'register', 's', ...NOWHERE], /exactly one of --file FILE or --schema TEXT/],
    [['schemas', 'register', 's', '--schema', '"int"', '--file', 'x.avsc', ...NOWHERE], /exactly one of --file/],
    [['schemas', 'register', 's', '--schema', '"int"', '--type', 'XML', ...NOWHERE], /--type must be one of AVRO, JSON, PROTOBUF/],
    [['schemas', 'register', 's', '--schema', '"int"', '--reference', 'Name=subject', ...NOWHERE], /--reference expects NAME=SUBJECT:VERSION/],
    [['schemas', 'register', 's', '--file', '/nonexistent/x.avsc', ...NOWHERE], /cannot read schema file \/nonexistent\/x\.avsc: ENOENT/],
    [['schemas', 'check', 's', '--schema', '"int"', '--version', 'x', ...NOWHERE], /--version expects an integer/],
    [['schemas', 'delete', ...NOWHERE], /missing SUBJECT/],
    [['schemas', 'config', 'a', 'b', ...NOWHERE], /unexpected argument "b"/],
    [['schemas', 'config', '--set', 'SOMETIMES', ...NOWHERE], /--set must be one of NONE, BACKWARD/],
    [['schemas', 'list', '--registry-url', 'ftp://x'], /must be http:\/\/ or https:\/\//],
    [['schemas', 'list'], /is not a URL/],
  ];
  for (const [argv, expected] of cases) {
    const r = await run(argv, argv.includes('--registry-url') ? {} : { TRIBUTARY_REGISTRY_URL: 'not a url' });
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err.split('\n')[0]!, /^tributary: /);
    assert.match(r.err.split('\n')[0]!, expected, argv.join(' '));
  }
});

/** A loopback port that was free a moment ago (bound, then released). */
async function freedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

test('schemas: an unreachable registry is exit 1 naming the URL', async () => {
  const port = await freedPort();
  const r = await run(['schemas', 'list', '--registry-url', `http://127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  assert.equal(r.err, `tributary: cannot connect to schema registry at http://127.0.0.1:${port}: connection refused\n`);
});

test('--help for schemas and each subcommand', async () => {
  const top = await run(['schemas', '--help']);
  assert.equal(top.code, 0);
  for (const s of ['list', 'get', 'register', 'check', 'delete', 'config']) assert.match(top.out, new RegExp(`^  ${s}`, 'm'));
  const reg = await run(['schemas', 'register', '--help']);
  assert.equal(reg.code, 0);
  assert.match(reg.out, /--reference NAME=SUBJECT:VERSION/);
  assert.match(reg.out, /--registry-url URL/);
});

test('parseReference splits at = and the last :, and parseVersionArg accepts latest and -1', () => {
  assert.deepEqual(parseReference('com.acme.Address=addr:value:2'), { name: 'com.acme.Address', subject: 'addr:value', version: 2 });
  assert.equal(parseVersionArg('latest'), 'latest');
  assert.equal(parseVersionArg('-1'), 'latest');
  assert.equal(parseVersionArg('7'), '7');
});
