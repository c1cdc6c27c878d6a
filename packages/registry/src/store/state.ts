import type { ConfigValue, RegistryRecord, SchemaReference, SchemaType, SchemaValue } from './records.ts';

/** A schema by global id: the stored (canonical) string, its type and its references. */
export interface StoredSchema {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

/** Content key for dedupe: same type, same stored string, same references → same global id. */
export function contentKey(schemaType: SchemaType, schema: string, references: readonly SchemaReference[]): string {
  return `${schemaType}\u0000${schema}\u0000${JSON.stringify(references.map((r) => [r.name, r.subject, r.version]))}`;
}

/**
 * The registry's state, rebuilt by applying `_schemas` records in offset order. It holds no
 * I/O: the Kafka store feeds it, the service reads it. Replay follows Confluent's reader: a SCHEMA
 * record whose id is bound to different content is skipped (duplicate id); DELETE_SUBJECT marks
 * versions up to its version deleted; CLEAR_SUBJECT drops soft-deleted versions; tombstones remove.
 */
export class RegistryState {
  /** subject → version → value (versions in insertion order are not guaranteed sorted; use versionsOf). */
  private readonly subjects = new Map<string, Map<number, SchemaValue>>();
  private readonly byId = new Map<number, StoredSchema>();
  private readonly idByContent = new Map<string, number>();
  private readonly configs = new Map<string | null, ConfigValue>();
  private readonly modes = new Map<string | null, string>();
  /** Highest id ever seen: ids are never reused, even after a hard delete. */
  maxId = 0;
  /** Records skipped while applying (bad values, duplicate ids). */
  skipped = 0;

  apply(rec: RegistryRecord): void {
    switch (rec.keytype) {
      case 'SCHEMA': return rec.value === null ? this.removeVersion(rec.subject, rec.version) : this.putVersion(rec.value);
      case 'CONFIG':
        if (rec.value === null) this.configs.delete(rec.subject); else this.configs.set(rec.subject, rec.value);
        return;
      case 'MODE':
        if (rec.value === null) this.modes.delete(rec.subject); else this.modes.set(rec.subject, rec.value.mode);
        return;
      case 'DELETE_SUBJECT': {
        if (rec.value === null) return;
        for (const v of this.subjects.get(rec.subject)?.values() ?? []) if (v.version <= rec.value.version) v.deleted = true;
        return;
      }
      case 'CLEAR_SUBJECT': {
        const versions = this.subjects.get(rec.subject);
        for (const v of [...(versions?.values() ?? [])]) if (v.deleted) this.removeVersion(v.subject, v.version);
        return;
      }
      default: return;
    }
  }

  private putVersion(v: SchemaValue): void {
    const existing = this.byId.get(v.id);
    const key = contentKey(v.schemaType, v.schema, v.references);
    if (existing !== undefined && contentKey(existing.schemaType, existing.schema, existing.references) !== key) {
      this.skipped++;
      return;
    }
    if (existing === undefined) {
      this.byId.set(v.id, { id: v.id, schemaType: v.schemaType, schema: v.schema, references: v.references });
      if (!this.idByContent.has(key)) this.idByContent.set(key, v.id);
    }
    this.maxId = Math.max(this.maxId, v.id);
    let versions = this.subjects.get(v.subject);
    if (versions === undefined) this.subjects.set(v.subject, (versions = new Map()));
    versions.set(v.version, { ...v });
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const v = versions?.get(version);
    if (versions === undefined || v === undefined) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    if (!this.isIdUsed(v.id)) {
      const s = this.byId.get(v.id);
      this.byId.delete(v.id);
      if (s !== undefined) {
        const key = contentKey(s.schemaType, s.schema, s.references);
        if (this.idByContent.get(key) === v.id) this.idByContent.delete(key);
      }
    }
  }

  private isIdUsed(id: number): boolean {
    for (const versions of this.subjects.values()) for (const v of versions.values()) if (v.id === id) return true;
    return false;
  }

  // ---- reads ----

  schemaById(id: number): StoredSchema | undefined { return this.byId.get(id); }

  idForContent(schemaType: SchemaType, schema: string, references: readonly SchemaReference[]): number | undefined {
    return this.idByContent.get(contentKey(schemaType, schema, references));
  }

  /** Versions of a subject sorted ascending; soft-deleted ones only when asked. */
  versionsOf(subject: string, includeDeleted: boolean): SchemaValue[] {
    const versions = this.subjects.get(subject);
    if (versions === undefined) return [];
    return [...versions.values()].filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  version(subject: string, version: number): SchemaValue | undefined { return this.subjects.get(subject)?.get(version); }

  latest(subject: string): SchemaValue | undefined { return this.versionsOf(subject, false).at(-1); }

  /** Highest version ever used by the subject (soft-deleted included): new versions go above it. */
  maxVersion(subject: string): number {
    let max = 0;
    for (const v of this.subjects.get(subject)?.keys() ?? []) max = Math.max(max, v);
    return max;
  }

  subjectNames(includeDeleted: boolean): string[] {
    const out: string[] = [];
    for (const [name, versions] of this.subjects) {
      if (includeDeleted || [...versions.values()].some((v) => !v.deleted)) out.push(name);
    }
    return out.sort();
  }

  allVersions(): SchemaValue[] {
    return [...this.subjects.values()].flatMap((m) => [...m.values()]);
  }

  /** Subject-versions that reference `subject`/`version`. */
  referencesTo(subject: string, version: number, includeDeleted: boolean): SchemaValue[] {
    return this.allVersions().filter((v) => (includeDeleted || !v.deleted) && v.references.some((r) => r.subject === subject && r.version === version));
  }

  config(subject: string | null): ConfigValue | undefined { return this.configs.get(subject); }
  mode(subject: string | null): string | undefined { return this.modes.get(subject); }
}
