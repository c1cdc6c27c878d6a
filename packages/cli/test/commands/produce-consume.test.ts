/** End to end: `tributary produce` and `tributary consume` child processes against a broker child process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, COMMAND_TIMEOUT_MS, killIfRunning, REPO, runCli, startBrokerProcess, tempDir, type RunningBroker } from '../helpers.ts';

describe('tributary produce / consume', () => {
  const dir = tempDir('pc');
  let broker: RunningBroker | undefined;
  const cli = (args: string[], input?: string) => runCli([...args, '--bootstrap-server', broker!.bootstrap], input === undefined ? {} : { input });

  before(async () => { broker = await startBrokerProcess(dir.path); });
  after(async () => {
    killIfRunning(broker);
    await broker?.stop();
    dir.remove();
  });

  test('lines with keys go in; consume --from-beginning prints them back in order', async () => {
    assert.equal((await cli(['topics', 'create', 'events', '--partitions', '1'])).code, 0);
    const lines = Array.from({ length: 50 }, (_, i) => `user${i % 5}|event ${i}`);
    const p = await cli(['produce', 'events', '--key-separator', '|', '--compression', 'gzip', '--header', 'source=test'], `${lines.join('\n')}\n`);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, '');
    assert.match(p.stderr, /^tributary: produced 50 records to events in \d+ ms\n$/);

    const values = await cli(['consume', 'events', '--from-beginning', '--max-messages', '50']);
    assert.equal(values.code, 0, values.stderr);
    assert.equal(values.stdout, lines.map((l) => `${l.split('|')[1]}\n`).join(''));
    assert.match(values.stderr, /Processed a total of 50 messages/);

    const keyed = await cli(['consume', 'events', '--from-beginning', '--max-messages', '2', '--print-key', '--key-separator', ' => ']);
    assert.equal(keyed.stdout, 'user0 => event 0\nuser1 => event 1\n');
  });

  test('keys spread over partitions by hash; --partition and --offset read one partition from a point', async () => {
    assert.equal((await cli(['topics', 'create', 'spread', '--partitions', '3'])).code, 0);
    const input = Array.from({ length: 30 }, (_, i) => `k${i}:v${i}`).join('\n');
    assert.equal((await cli(['produce', 'spread', '--key-separator', ':', '--acks', '1'], input)).code, 0);

    const all = await cli(['consume', 'spread', '--from-beginning', '--max-messages', '30']);
    assert.deepEqual(all.stdout.trim().split('\n').sort(), Array.from({ length: 30 }, (_, i) => `v${i}`).sort());

    assert.equal((await cli(['produce', 'spread', '--partition', '2'], 'p2-a\np2-b\np2-c\n')).code, 0);
    const p2 = await cli(['consume', 'spread', '--partition', '2', '--from-beginning', '--timeout-ms', '1500']);
    assert.equal(p2.code, 0, p2.stderr);
    const p2Values = p2.stdout.trim().split('\n');
    assert.deepEqual(p2Values.slice(-3), ['p2-a', 'p2-b', 'p2-c']);
    const fromOffset = await cli(['consume', 'spread', '--partition', '2', '--offset', String(p2Values.length - 2), '--max-messages', '2']);
    assert.equal(fromOffset.stdout, 'p2-b\np2-c\n');
  });

  test('consume without --from-beginning starts at the end and sees only new records', async () => {
    assert.equal((await cli(['produce', 'tail'], 'old\n')).code, 0);
    const child = spawn(process.execPath, [BIN, 'consume', 'tail', '--max-messages', '1', '--bootstrap-server', broker!.bootstrap], { cwd: REPO });
    try {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // The consumer has resolved its start offset once it is fetching; keep producing until it prints.
      const deadline = Date.now() + COMMAND_TIMEOUT_MS;
      while (out === '' && Date.now() < deadline) {
        assert.equal((await cli(['produce', 'tail'], 'new\n')).code, 0);
      }
      assert.equal(await exited, 0);
      assert.equal(out, 'new\n');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('--timeout-ms exits 0 when no data arrives; SIGINT exits 0', async () => {
    assert.equal((await cli(['topics', 'create', 'quiet'])).code, 0);
    const timedOut = await cli(['consume', 'quiet', '--timeout-ms', '300']);
    assert.equal(timedOut.code, 0, timedOut.stderr);
    assert.equal(timedOut.stdout, '');
    assert.match(timedOut.stderr, /Processed a total of 0 messages/);

    const child = spawn(process.execPath, [BIN, 'consume', 'quiet', '--bootstrap-server', broker!.bootstrap], { cwd: REPO });
    try {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Once it has printed a record, it is consuming (and its signal handlers are installed).
      const deadline = Date.now() + COMMAND_TIMEOUT_MS;
      while (out === '' && Date.now() < deadline) assert.equal((await cli(['produce', 'quiet'], 'ping\n')).code, 0);
      child.kill('SIGINT');
      assert.equal(await exited, 0, err);
      assert.match(out, /^(ping\n)+$/);
      assert.match(err, /Processed a total of \d+ messages?/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('unknown topic and out-of-range partition are one-line errors', async () => {
    const c = await cli(['consume', 'never-created', '--timeout-ms', '200']);
    assert.equal(c.code, 1);
    assert.equal(c.stderr, 'tributary: unknown topic never-created\n');
    assert.equal((await cli(['topics', 'create', 'one'])).code, 0);
    const p = await cli(['produce', 'one', '--partition', '4'], 'x\n');
    assert.equal(p.code, 2);
    assert.match(p.stderr, /^tributary: --partition 4 is out of range: topic one has 1 partition\n/);
  });
});
