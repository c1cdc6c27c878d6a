import { LocalMetadataStore, type LocalStoreOptions, type PersistedMetadata } from './local-store.ts';

/**
 * Metadata store that lives only in memory: for tests. `initial` lets a test restore a snapshot
 * taken from another store, to simulate a restart.
 */
export class InMemoryMetadataStore extends LocalMetadataStore {
  private saved: PersistedMetadata | null;

  constructor(opts: LocalStoreOptions & { initial?: PersistedMetadata } = {}) {
    super(opts);
    this.saved = opts.initial ?? null;
  }

  protected async load(): Promise<PersistedMetadata | null> {
    return this.saved;
  }

  protected async persist(snapshot: PersistedMetadata): Promise<void> {
    this.saved = structuredClone(snapshot);
  }

  /** The last persisted state, to restart a new store from. */
  lastSnapshot(): PersistedMetadata | null {
    return this.saved === null ? null : structuredClone(this.saved);
  }
}
