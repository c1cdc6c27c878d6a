/**
 * Test helpers: run the real `tributary` launcher as child processes, start a broker on an
 * ephemeral port in a temp dir, and always clean up (kill by pid, remove the dir).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(REPO, 'packages/cli/bin/tributary.js');
/** Upper bound for one CLI invocation or broker start on a loaded 2-core machine. */
export const COMMAND_TIMEOUT_MS = 30_000;

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tributary ...args` to completion, feeding `input` on stdin; kills it after the timeout. */
export function runCli(args: readonly string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO, env: { ...process.env, ...opts.env, TRIBUTARY_BOOTSTRAP: opts.env?.TRIBUTARY_BOOTSTRAP ?? '' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')} did not finish in ${opts.timeoutMs ?? COMMAND_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

export interface RunningBroker {
  readonly child: ChildProcess;
  readonly port: number;
  readonly bootstrap: string;
  readonly dataDir: string;
  /** Every stdout line so far. */
  readonly stdoutLines: string[];
  stderr(): string;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const READY_LINE = /^tributary: broker (\d+) listening on PLAINTEXT:\/\/(.+):(\d+)$/;

/** Starts `tributary start` on an ephemeral loopback port; resolves once the ready line is printed. */
export function startBrokerProcess(dataDir: string, extraArgs: readonly string[] = []): Promise<RunningBroker> {
  const child = spawn(process.execPath, [
    BIN, 'start', '--set', 'listeners=PLAINTEXT://127.0.0.1:0', '--set', `log.dirs=${dataDir}`, ...extraArgs,
  ], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  let stderr = '';
  let partial = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not print its ready line in ${COMMAND_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, COMMAND_TIMEOUT_MS);
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        stdoutLines.push(line);
        const m = READY_LINE.exec(line);
        if (m === null) continue;
        clearTimeout(timer);
        const port = Number(m[3]);
        resolve({
          child, port, bootstrap: `127.0.0.1:${port}`, dataDir, stdoutLines, stderr: () => stderr,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (code ${code}, signal ${signal}) before it was ready; stderr: ${stderr}`));
    });
  });
}

/**
 * The first stdout line of `broker` matching `match`, waiting for it as output arrives (lines after
 * the ready line, such as the data dir line, may come in a later chunk).
 */
export function waitForStdoutLine(broker: RunningBroker, match: (line: string) => boolean, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
  const found = broker.stdoutLines.find(match);
  if (found !== undefined) return Promise.resolve(found);
  const stdout = broker.child.stdout!;
  return new Promise((resolve, reject) => {
    const done = (): void => { clearTimeout(timer); stdout.off('data', onData); stdout.off('close', onClose); };
    // Registered after startBrokerProcess's own listener, so stdoutLines already holds this chunk's lines.
    const onData = (): void => {
      const line = broker.stdoutLines.find(match);
      if (line !== undefined) { done(); resolve(line); }
    };
    const onClose = (): void => { done(); reject(new Error(`broker stdout closed without the expected line; stdout: ${broker.stdoutLines.join('\n')}`)); };
    const timer = setTimeout(() => { done(); reject(new Error(`no matching broker stdout line in ${timeoutMs} ms`)); }, timeoutMs);
    stdout.on('data', onData);
    stdout.on('close', onClose);
  });
}

/** A fresh temp directory and its remover (safe to call twice). */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tributary-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Kills a broker process left running by a failed test (SIGKILL; by pid). */
export function killIfRunning(broker: RunningBroker | undefined): void {
  if (broker !== undefined && broker.child.exitCode === null && broker.child.signalCode === null) broker.child.kill('SIGKILL');
}
