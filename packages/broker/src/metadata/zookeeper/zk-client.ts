/**
 * Promise wrapper over node-zookeeper-client for the ZooKeeper metadata store: one session per
 * ZkSession, typed results, ZooKeeper error codes kept as a stable `zkCode` so callers can tell
 * NO_NODE, NODE_EXISTS and BAD_VERSION apart. Nothing outside the metadata store imports this.
 */
import zookeeper from 'node-zookeeper-client';
import type { Client, Event, Stat } from 'node-zookeeper-client';

/** ZooKeeper's error codes the store acts on (org.apache.zookeeper.KeeperException.Code). */
export const ZkCode = {
  OK: 0,
  CONNECTION_LOSS: -4,
  NO_NODE: -101,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
} as const;

export class ZkError extends Error {
  readonly zkCode: number;
  /** For a failed multi: index of the op that failed. */
  readonly opIndex: number;
  constructor(zkCode: number, message: string, opIndex = -1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZkError';
    this.zkCode = zkCode;
    this.opIndex = opIndex;
  }
}

export function isZkCode(e: unknown, code: number): boolean {
  return e instanceof ZkError && e.zkCode === code;
}

function wrap(e: unknown, what: string): ZkError {
  const code = typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : ZkCode.CONNECTION_LOSS;
  return new ZkError(code, `${what}: ${(e as Error).message}`, -1, { cause: e });
}

export type ZkWatcher = (event: Event) => void;
export const ZkEventType = zookeeper.Event;

export interface ZkNode {
  readonly data: Buffer;
  readonly version: number;
  /** Session id (hex) of the owner of an ephemeral node; '0000000000000000' for persistent nodes. */
  readonly ephemeralOwner: string;
}

export type ZkOp =
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer; readonly ephemeral?: boolean }
  | { readonly op: 'set'; readonly path: string; readonly data: Buffer; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number }
  | { readonly op: 'remove'; readonly path: string; readonly version?: number };

export interface ZkSessionOptions {
  /** host:port[,host:port...][/chroot] */
  readonly connect: string;
  readonly sessionTimeoutMs: number;
  readonly connectionTimeoutMs: number;
}

/** One ZooKeeper session. `onExpired` fires once when the server expired it; the session is then dead. */
export class ZkSession {
  private readonly client: Client;
  private closed = false;

  private constructor(client: Client) {
    this.client = client;
  }

  static async open(opts: ZkSessionOptions, onExpired: () => void): Promise<ZkSession> {
    const client = zookeeper.createClient(opts.connect, { sessionTimeout: opts.sessionTimeoutMs, spinDelay: 200, retries: 0 });
    const session = new ZkSession(client);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new ZkError(ZkCode.CONNECTION_LOSS, `could not connect to ZooKeeper at ${opts.connect} within ${opts.connectionTimeoutMs} ms`));
      }, opts.connectionTimeoutMs);
      client.once('connected', () => { clearTimeout(timer); resolve(); });
      client.connect();
    });
    client.on('expired', () => { if (!session.closed) onExpired(); });
    return session;
  }

  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  getData(path: string, watcher?: ZkWatcher): Promise<ZkNode> {
    return new Promise((resolve, reject) => {
      const cb = (e: unknown, data: Buffer, stat: Stat): void => {
        if (e) reject(wrap(e, `getData ${path}`));
        else resolve({ data: data ?? Buffer.alloc(0), version: stat.version, ephemeralOwner: stat.ephemeralOwner.toString('hex') });
      };
      if (watcher === undefined) this.client.getData(path, cb);
      else this.client.getData(path, watcher, cb);
    });
  }

  /** Like getData, but NO_NODE is undefined. */
  async getDataOrNull(path: string, watcher?: ZkWatcher): Promise<ZkNode | undefined> {
    try {
      return await this.getData(path, watcher);
    } catch (e) {
      if (isZkCode(e, ZkCode.NO_NODE)) return undefined;
      throw e;
    }
  }

  getChildren(path: string, watcher?: ZkWatcher): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const cb = (e: unknown, children: string[]): void => {
        if (e) reject(wrap(e, `getChildren ${path}`));
        else resolve(children);
      };
      if (watcher === undefined) this.client.getChildren(path, cb);
      else this.client.getChildren(path, watcher, cb);
    });
  }

  /** Sets an exists-watch; resolves whether the node exists now. */
  exists(path: string, watcher: ZkWatcher): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.client.exists(path, watcher, (e, stat) => {
        if (e) reject(wrap(e, `exists ${path}`));
        else resolve(stat !== null && stat !== undefined);
      });
    });
  }

  /** Resolves when `path` is gone (at once if it does not exist) or after `timeoutMs`, whichever is first. */
  waitForDeletion(path: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, Math.max(0, timeoutMs));
      const done = (): void => { clearTimeout(timer); resolve(); };
      this.exists(path, (ev) => { if (ev.getType() === zookeeper.Event.NODE_DELETED) done(); })
        .then((exists) => { if (!exists) done(); }, (e: unknown) => { clearTimeout(timer); reject(e); });
    });
  }

  create(path: string, data: Buffer, ephemeral = false): Promise<void> {
    const mode = ephemeral ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT;
    return new Promise((resolve, reject) => {
      this.client.create(path, data, mode, (e) => { if (e) reject(wrap(e, `create ${path}`)); else resolve(); });
    });
  }

  /** Creates the path and its missing parents (empty data); an existing path is fine. */
  mkdirp(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.mkdirp(path, (e) => { if (e) reject(wrap(e, `mkdirp ${path}`)); else resolve(); });
    });
  }

  /** Compare-and-set; resolves the new node version. */
  setData(path: string, data: Buffer, version: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.setData(path, data, version, (e, stat) => { if (e) reject(wrap(e, `setData ${path}`)); else resolve(stat.version); });
    });
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.remove(path, version, (e) => { if (e) reject(wrap(e, `remove ${path}`)); else resolve(); });
    });
  }

  /** Atomic multi-op. Rejects with the ZkError of the first failing op (its `opIndex` set). */
  multi(ops: readonly ZkOp[]): Promise<void> {
    const tx = this.client.transaction();
    for (const o of ops) {
      switch (o.op) {
        case 'create': tx.create(o.path, o.data, o.ephemeral === true ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT); break;
        case 'set': tx.setData(o.path, o.data, o.version); break;
        case 'check': tx.check(o.path, o.version); break;
        case 'remove': tx.remove(o.path, o.version ?? -1); break;
      }
    }
    return new Promise((resolve, reject) => {
      tx.commit((e, results: unknown) => {
        if (!e) { resolve(); return; }
        const list = Array.isArray(results) ? (results as { err?: number }[]) : [];
        const index = list.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2);
        const failed = index >= 0 ? ops[index] : undefined;
        const code = index >= 0 ? list[index]!.err! : wrap(e, 'multi').zkCode;
        reject(new ZkError(code, `multi failed at op ${index} (${failed?.op ?? '?'} ${failed?.path ?? ''}): ${(e as Error).message}`, index, { cause: e }));
      });
    });
  }
}
