/**
 * Single-node metadata store persisted as one JSON file in the data directory. Every write
 * replaces the file atomically (write a temp file, fsync it, rename over the old one, fsync the
 * directory), so a crash leaves either the old or the new state, never a torn file.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalMetadataStore, type LocalStoreOptions, type PersistedMetadata } from './local-store.ts';
import { MetadataError } from './types.ts';

export const METADATA_FILE_NAME = 'tributary-metadata.json';

export class EmbeddedMetadataStore extends LocalMetadataStore {
  readonly dir: string;
  readonly path: string;

  constructor(dir: string, opts: LocalStoreOptions = {}) {
    super(opts);
    this.dir = dir;
    this.path = join(dir, METADATA_FILE_NAME);
  }

  protected async load(): Promise<PersistedMetadata | null> {
    await mkdir(this.dir, { recursive: true });
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new MetadataError('CORRUPT_STATE', `metadata file ${this.path} is not valid JSON`, { cause });
    }
    const state = parsed as Partial<PersistedMetadata>;
    if (state.formatVersion !== 1 || typeof state.clusterId !== 'string' || !Array.isArray(state.topics)) {
      throw new MetadataError('CORRUPT_STATE', `metadata file ${this.path} has an unknown format`);
    }
    return state as PersistedMetadata;
  }

  protected async persist(snapshot: PersistedMetadata): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(snapshot, null, 1));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
