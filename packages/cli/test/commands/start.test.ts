/** End to end: `tributary start` as a child process (ready line, config file, signals, restart). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { killIfRunning, runCli, startBrokerProcess, tempDir, waitForStdoutLine, type RunningBroker } from '../helpers.ts';

test('unknown config key: exit 2, key named on stderr, nothing on stdout', async () => {
  const dir = tempDir('badkey');
  try {
    const r = await runCli(['start', '--set', `log.dirs=${dir.path}`, '--set', 'log.retention.hourz=5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tributary: .*log\.retention\.hourz/);
    assert.equal(r.stdout, '');
  } finally {
    dir.remove();
  }
});

test('unknown key in the --config file: exit 2 naming the key', async () => {
  const dir = tempDir('badfile');
  try {
    const file = join(dir.path, 'server.properties');
    writeFileSync(file, `# test\nlog.dirs=${dir.path}\nbogus.setting: 1\n`);
    const r = await runCli(['start', '--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bogus\.setting/);
  } finally {
    dir.remove();
  }
});

test('--config file then --set (later wins); ready line per listener plus data dir and cluster id', async () => {
  const dir = tempDir('config');
  let broker: RunningBroker | undefined;
  try {
    const file = join(dir.path, 'server.properties');
    writeFileSync(file, ['broker.id=3', 'num.partitions = 2', 'log.retention.hours:\\', '   48', ''].join('\n'));
    broker = await startBrokerProcess(join(dir.path, 'data'), ['--config', file, '--set', 'broker.id=5']);
    assert.match(broker.stdoutLines[0]!, /^tributary: broker 5 listening on PLAINTEXT:\/\/127\.0\.0\.1:\d+$/);
    const topic = await runCli(['topics', 'create', 'two', '--bootstrap-server', broker.bootstrap]);
    assert.equal(topic.code, 0, topic.stderr);
    const d = await runCli(['topics', 'describe', 'two', '--bootstrap-server', broker.bootstrap]);
    assert.match(d.stdout, /PartitionCount: 2/, 'num.partitions from the file applies');
    const exit = await broker.stop('SIGINT');
    assert.equal(exit.code, 0);
    const info = await waitForStdoutLine(broker, (l) => l.startsWith('tributary: data dir'));
    assert.ok(info?.includes(join(dir.path, 'data')), `data dir line: ${info}`);
    assert.match(info!, /cluster id \S+/);
  } finally {
    killIfRunning(broker);
    dir.remove();
  }
});

test('SIGTERM closes gracefully with exit 0, and the data is there after a restart', async () => {
  const dir = tempDir('restart');
  let broker: RunningBroker | undefined;
  try {
    broker = await startBrokerProcess(dir.path);
    const clusterLine = await waitForStdoutLine(broker, (l) => l.includes('cluster id'));
    const produced = await runCli(['produce', 'durable', '--key-separator', ':', '--bootstrap-server', broker.bootstrap], { input: 'a:1\nb:2\nc:3\n' });
    assert.equal(produced.code, 0, produced.stderr);
    const exit = await broker.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(broker.stderr(), /SIGTERM received, shutting down/);

    broker = await startBrokerProcess(dir.path);
    assert.equal(await waitForStdoutLine(broker, (l) => l.includes('cluster id')), clusterLine, 'same data dir and cluster id');
    const consumed = await runCli(['consume', 'durable', '--from-beginning', '--max-messages', '3', '--print-key', '--key-separator', '=',
      '--bootstrap-server', broker.bootstrap]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, 'a=1\nb=2\nc=3\n');
    assert.equal((await broker.stop('SIGTERM')).code, 0);
  } finally {
    killIfRunning(broker);
    dir.remove();
  }
});

test('a port already in use is a one-line runtime error (exit 1)', async () => {
  const dir = tempDir('inuse');
  let broker: RunningBroker | undefined;
  try {
    broker = await startBrokerProcess(join(dir.path, 'a'));
    const r = await runCli(['start', '--set', `listeners=PLAINTEXT://127.0.0.1:${broker.port}`, '--set', `log.dirs=${join(dir.path, 'b')}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tributary: .*(EADDRINUSE|in use)/m);
  } finally {
    killIfRunning(broker);
    await broker?.stop();
    dir.remove();
  }
});
