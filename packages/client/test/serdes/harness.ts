// Test harness: a real broker in-process (ephemeral port, temp log dir) and one real registry on an
// ephemeral HTTP port. `stop()` closes both and removes the directory, even after failures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, silentLogger } from '@tributary/broker';
import { startRegistry, type Registry } from '@tributary/registry';

export interface Env {
  bootstrap: string;
  registry: Registry;
  url: string;
  stop(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-serdes-'));
  let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
  let registry: Registry | undefined;
  const stop = async (): Promise<void> => {
    await registry?.close().catch(() => undefined);
    await broker?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    broker = await startBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'broker.id': '1', 'num.partitions': '1',
      'offsets.topic.replication.factor': '1', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0',
    }, { log: silentLogger });
    const bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
    registry = await startRegistry({ bootstrapServers: bootstrap, listeners: 'http://127.0.0.1:0', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300 });
    return { bootstrap, registry, url: registry.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A fetch that counts the requests it forwards, by method and path. */
export function countingFetch(): { fetch: typeof globalThis.fetch; calls: string[] } {
  const calls: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    return globalThis.fetch(input, init);
  };
  return { fetch, calls };
}
