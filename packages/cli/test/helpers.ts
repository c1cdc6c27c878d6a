/**
 * Test helpers: run the real `tributary` launcher as child processes, start a broker (and a
 * Schema Registry) on ephemeral ports in a temp dir, and always clean up (kill by pid, remove the dir).
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

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly stdoutLines: string[];
  stderr(): string;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface RunningBroker extends RunningProcess {
  readonly port: number;
  readonly bootstrap: string;
  readonly dataDir: string;
}

export interface RunningPlatform extends RunningBroker {
  /** The Schema Registry's base URL, e.g. http://127.0.0.1:40123. */
  readonly registryUrl: string;
}

const READY_LINE = /^tributary: broker (\d+) listening on PLAINTEXT:\/\/(.+):(\d+)$/;
const REGISTRY_READY_LINE = /^tributary: schema registry listening on (http:\/\/.+:\d+)$/;

/** Spawns `tributary ...args`; resolves with the process and the match once a stdout line matches `ready`. */
export function startUntilReady(args: readonly string[], ready: RegExp): Promise<{ process: RunningProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  let stderr = '';
  let partial = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const running: RunningProcess = {
    child, stdoutLines, stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')} did not print ${ready} in ${COMMAND_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, COMMAND_TIMEOUT_MS);
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        stdoutLines.push(line);
        const m = ready.exec(line);
        if (m === null) continue;
        clearTimeout(timer);
        resolve({ process: running, match: m });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tributary exited (code ${code}, signal ${signal}) before it was ready; stderr: ${stderr}`));
    });
  });
}

/**
 * Starts `tributary start` with a broker on an ephemeral loopback port; resolves once the ready
 * line is printed. Runs only the broker unless `extraArgs` names --roles.
 */
export async function startBrokerProcess(dataDir: string, extraArgs: readonly string[] = []): Promise<RunningBroker> {
  const roles = extraArgs.includes('--roles') ? [] : ['--roles', 'broker'];
  const { process: p, match } = await startUntilReady([
    'start', ...roles, '--set', 'listeners=PLAINTEXT://127.0.0.1:0', '--set', `log.dirs=${dataDir}`, ...extraArgs,
  ], READY_LINE);
  const port = Number(match[3]);
  return { ...p, port, bootstrap: `127.0.0.1:${port}`, dataDir };
}

/** `tributary start` with both roles (broker and registry) on ephemeral ports; resolves once both are ready. */
export async function startPlatformProcess(dataDir: string, extraArgs: readonly string[] = []): Promise<RunningPlatform> {
  const broker = await startBrokerProcess(dataDir, ['--roles', 'broker,registry', '--set', 'schema.registry.listeners=http://127.0.0.1:0', ...extraArgs]);
  try {
    const line = await waitForStdoutLine(broker, (l) => REGISTRY_READY_LINE.test(l));
    return { ...broker, registryUrl: REGISTRY_READY_LINE.exec(line)![1]! };
  } catch (err) {
    killIfRunning(broker);
    throw err;
  }
}

/** `tributary start --roles registry` against `bootstrap`, on an ephemeral port. */
export async function startRegistryProcess(bootstrap: string, extraArgs: readonly string[] = []): Promise<RunningProcess & { registryUrl: string }> {
  const { process: p, match } = await startUntilReady([
    'start', '--roles', 'registry', '--bootstrap-server', bootstrap, '--set', 'schema.registry.listeners=http://127.0.0.1:0', ...extraArgs,
  ], REGISTRY_READY_LINE);
  return { ...p, registryUrl: match[1]! };
}

/**
 * The first stdout line of `broker` matching `match`, waiting for it as output arrives (lines after
 * the ready line, such as the data dir line, may come in a later chunk).
 */
export function waitForStdoutLine(broker: RunningProcess, match: (line: string) => boolean, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
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

/** Kills a `tributary start` process left running by a failed test (SIGKILL; by pid). */
export function killIfRunning(broker: RunningProcess | undefined): void {
  if (broker !== undefined && broker.child.exitCode === null && broker.child.signalCode === null) broker.child.kill('SIGKILL');
}
