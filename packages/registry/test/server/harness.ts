// Test harness: a real broker in-process (ephemeral port, temp log dir) and registry instances on
// ephemeral HTTP ports; everything is closed and removed by `stop()`, even after failures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, silentLogger } from '@tributary/broker';
import { startRegistry, type Registry, type RegistryOptions } from '../../src/registry.ts';

export interface Env {
  dir: string;
  bootstrap: string;
  registries: Registry[];
  startRegistry(extra?: Partial<RegistryOptions>): Promise<Registry>;
  restartBroker(): Promise<void>;
  stop(): Promise<void>;
}

type Broker = Awaited<ReturnType<typeof startBroker>>;

async function bootBroker(dir: string, port: number): Promise<Broker> {
  return startBroker({
    listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dir, 'broker.id': '1', 'num.partitions': '1',
    'offsets.topic.replication.factor': '1', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0',
  }, { log: silentLogger });
}

export async function startEnv(): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-registry-'));
  let broker: Broker | null = await bootBroker(dir, 0);
  const port = broker.listeners[0]!.port;
  const bootstrap = `127.0.0.1:${port}`;
  const env: Env = {
    dir, bootstrap, registries: [],
    async startRegistry(extra = {}) {
      const r = await startRegistry({ bootstrapServers: bootstrap, listeners: 'http://127.0.0.1:0', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300, ...extra });
      env.registries.push(r);
      return r;
    },
    async restartBroker() {
      for (const r of env.registries.splice(0)) await r.close();
      await broker?.close();
      broker = null;
      broker = await bootBroker(dir, port);
    },
    async stop() {
      for (const r of env.registries.splice(0)) await r.close().catch(() => undefined);
      await broker?.close();
      broker = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

export interface Answer { status: number; contentType: string | null; text: string; json: any }

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown = undefined;
  try { json = JSON.parse(text); } catch { /* raw */ }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

/** Polls `fn` until it returns true or the deadline passes. */
export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
