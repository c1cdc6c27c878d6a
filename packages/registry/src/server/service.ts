import {
  checkCompatibility, COMPATIBILITY_LEVELS, normalizeSchema, parseSchema, SchemaParseError,
  type CompatibilityLevel, type ParsedSchema, type ResolvedReference,
} from '../schema/index.ts';
import type { KafkaStore } from '../store/kafka-store.ts';
import {
  clearSubjectKey, configKey, deleteSubjectKey, encodeConfigValue, encodeModeValue, encodeSchemaValue, modeKey, schemaKey,
  type SchemaReference, type SchemaType, type SchemaValue,
} from '../store/records.ts';
import { errors, RegistryError } from './errors.ts';

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
const SCHEMA_TYPE_NAMES: readonly string[] = ['AVRO', 'JSON', 'PROTOBUF'];
/** A reference graph deeper than this is refused (cycles included). */
const referenceDepthMax = 32;

export type VersionSpec = number | 'latest';

/** The register / lookup / compatibility request body, checked for types (unknown fields ignored). */
export interface SchemaRequest {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  id?: number;
  version?: number;
}

type Json = Record<string, unknown>;

/** Confluent 7.x version object: `schemaType` omitted for AVRO, empty `references` omitted. */
export function versionJson(v: SchemaValue): Json {
  const out: Json = { subject: v.subject, version: v.version, id: v.id };
  if (v.schemaType !== 'AVRO') out['schemaType'] = v.schemaType;
  if (v.references.length > 0) out['references'] = v.references;
  out['schema'] = v.schema;
  return out;
}

/**
 * The registry's operations over the store's state, with Confluent's semantics and errors
 * (KafkaSchemaRegistry). Reads use the local state; writes are serialized through one queue so
 * that concurrent registrations of one schema get one id, and catch up with the topic first.
 */
export class RegistryService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: KafkaStore, private readonly defaultLevel: CompatibilityLevel = 'BACKWARD') {}

  private get state() { return this.store.state; }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => { await this.store.catchUp(); return fn(); });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- subjects and versions ----

  listSubjects(prefix: string | null, deleted: boolean): string[] {
    const all = this.state.subjectNames(deleted);
    return prefix === null || prefix === ':*:' ? all : all.filter((s) => s.startsWith(prefix));
  }

  listVersions(subject: string, deleted: boolean): number[] {
    const versions = this.state.versionsOf(subject, deleted);
    if (versions.length === 0) throw errors.subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  /** Resolves a version path segment; `latest` is the newest non-deleted version. */
  getVersion(subject: string, spec: VersionSpec, deleted: boolean): SchemaValue {
    if (this.state.versionsOf(subject, deleted).length === 0) throw errors.subjectNotFound(subject);
    const v = spec === 'latest' ? this.state.latest(subject) ?? (deleted ? this.state.versionsOf(subject, true).at(-1) : undefined) : this.state.version(subject, spec);
    if (v === undefined || (v.deleted && !deleted)) throw errors.versionNotFound(spec === 'latest' ? -1 : spec);
    return v;
  }

  referencedBy(subject: string, spec: VersionSpec, deleted: boolean): number[] {
    const v = this.getVersion(subject, spec, true);
    return [...new Set(this.state.referencesTo(subject, v.version, deleted).map((r) => r.id))].sort((a, b) => a - b);
  }

  listSchemas(prefix: string | null, deleted: boolean, latestOnly: boolean): Json[] {
    const out: Json[] = [];
    for (const s of this.listSubjects(prefix, deleted)) {
      const versions = this.state.versionsOf(s, deleted);
      for (const v of latestOnly ? versions.slice(-1) : versions) out.push(versionJson(v));
    }
    return out;
  }

  // ---- schemas by id ----

  schemaById(id: number): Json {
    const s = this.state.schemaById(id);
    if (s === undefined) throw errors.schemaNotFound(id);
    const out: Json = {};
    if (s.schemaType !== 'AVRO') out['schemaType'] = s.schemaType;
    if (s.references.length > 0) out['references'] = s.references;
    out['schema'] = s.schema;
    return out;
  }

  rawSchemaById(id: number): string {
    const s = this.state.schemaById(id);
    if (s === undefined) throw errors.schemaNotFound(id);
    return s.schema;
  }

  idVersions(id: number, deleted: boolean): Array<{ subject: string; version: number }> {
    if (this.state.schemaById(id) === undefined) throw errors.schemaNotFound(id);
    return this.state.allVersions().filter((v) => v.id === id && (deleted || !v.deleted))
      .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version))
      .map((v) => ({ subject: v.subject, version: v.version }));
  }

  idSubjects(id: number, deleted: boolean): string[] {
    return [...new Set(this.idVersions(id, deleted).map((v) => v.subject))];
  }

  // ---- parsing ----

  private resolveReferences(refs: readonly SchemaReference[], depth = 0): ResolvedReference[] {
    if (depth > referenceDepthMax) throw errors.invalidSchema(`References nest deeper than ${referenceDepthMax}`);
    return refs.map((r) => {
      const v = r.version === -1 ? this.state.latest(r.subject) : this.state.version(r.subject, r.version);
      if (v === undefined) throw errors.invalidSchema(`Invalid schema reference ${r.name}: subject '${r.subject}' version ${r.version} not found`);
      return { name: r.name, schemaType: v.schemaType, schema: v.schema, references: this.resolveReferences(v.references, depth + 1) };
    });
  }

  /** Parses a request schema (42201 on failure); references are pinned to concrete versions. */
  parse(req: SchemaRequest): ParsedSchema {
    if (!SCHEMA_TYPE_NAMES.includes(req.schemaType)) throw errors.invalidSchema(`Invalid schema type ${String(req.schemaType)}`);
    if (req.schema.trim() === '') throw errors.invalidSchema('Empty schema');
    const refs = req.references.map((r) => {
      if (r.version !== -1) return r;
      const latest = this.state.latest(r.subject);
      return latest === undefined ? r : { ...r, version: latest.version };
    });
    try {
      return parseSchema(req.schemaType, req.schema, refs, this.resolveReferences(refs));
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      if (err instanceof SchemaParseError) throw errors.invalidSchema(err.message, err);
      throw errors.invalidSchema(`Invalid schema: ${(err as Error).message}`, err);
    }
  }

  private parseStored(v: { schemaType: SchemaType; schema: string; references: SchemaReference[] }): ParsedSchema {
    return parseSchema(v.schemaType, v.schema, v.references, this.resolveReferences(v.references));
  }

  private normalizeFlag(subject: string | null, query: boolean): boolean {
    return query || (subject !== null && this.state.config(subject)?.normalize === true) || this.state.config(null)?.normalize === true;
  }

  private stored(parsed: ParsedSchema, normalize: boolean): ParsedSchema {
    return normalize ? normalizeSchema(parsed) : parsed;
  }

  // ---- register and lookup ----

  effectiveMode(subject: string | null): string {
    return (subject !== null ? this.state.mode(subject) : undefined) ?? this.state.mode(null) ?? 'READWRITE';
  }

  effectiveLevel(subject: string | null): CompatibilityLevel {
    const c = (subject !== null ? this.state.config(subject) : undefined) ?? this.state.config(null);
    return (c?.compatibilityLevel as CompatibilityLevel | undefined) ?? this.defaultLevel;
  }

  register(subject: string, req: SchemaRequest, opts: { normalize: boolean; force: boolean }): Promise<{ id: number }> {
    return this.exclusive(() => this.registerNow(subject, req, opts));
  }

  private async registerNow(subject: string, req: SchemaRequest, opts: { normalize: boolean; force: boolean }): Promise<{ id: number }> {
    const mode = this.effectiveMode(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    const importing = mode === 'IMPORT';
    if (req.id !== undefined && !importing) throw errors.operationNotPermitted(`Subject ${subject} is not in import mode`);
    if (req.id === undefined && importing) throw errors.operationNotPermitted(`Subject ${subject} is not in read-write mode`);
    const parsed = this.stored(this.parse(req), this.normalizeFlag(subject, opts.normalize));
    const refs = [...parsed.references];
    const all = this.state.versionsOf(subject, true);
    const live = all.filter((v) => !v.deleted);
    const same = live.find((v) => v.schemaType === parsed.type && v.schema === parsed.canonical && sameRefs(v.references, refs));
    if (same !== undefined && (req.id === undefined || req.id === same.id)) return { id: same.id };

    let id = this.state.idForContent(parsed.type, parsed.canonical, refs);
    if (req.id !== undefined) {
      const holder = this.state.schemaById(req.id);
      if (holder !== undefined && (holder.schema !== parsed.canonical || holder.schemaType !== parsed.type || !sameRefs(holder.references, refs))) {
        throw errors.operationNotPermitted(`Overwrite new schema with id ${req.id} in context . is not permitted.`);
      }
      id = req.id;
    } else if (!opts.force) {
      const check = this.compatibilityAgainst(subject, parsed, live, this.effectiveLevel(subject));
      if (!check.compatible) throw errors.incompatible(subject, check.messages);
    }
    id ??= this.state.maxId + 1;
    const version = req.version ?? this.state.maxVersion(subject) + 1;
    const records: Array<{ key: string; value: string | null }> = all
      .filter((v) => v.deleted && v.id === id && this.state.referencesTo(subject, v.version, true).length === 0)
      .map((v) => ({ key: schemaKey(subject, v.version), value: null }));
    const value: SchemaValue = { subject, version, id, schemaType: parsed.type, references: refs, schema: parsed.canonical, deleted: false };
    records.push({ key: schemaKey(subject, version), value: encodeSchemaValue(value) });
    await this.store.write(records);
    return { id };
  }

  lookup(subject: string, req: SchemaRequest, opts: { normalize: boolean; deleted: boolean }): Json {
    const versions = this.state.versionsOf(subject, opts.deleted);
    if (versions.length === 0) throw errors.subjectNotFound(subject);
    const parsed = this.parse(req);
    const normalize = this.normalizeFlag(subject, opts.normalize);
    const candidates = [this.stored(parsed, normalize)];
    if (!normalize) candidates.push(normalizeSchema(parsed));
    for (const c of candidates) {
      const hit = [...versions].reverse().find((v) => v.schemaType === c.type && v.schema === c.canonical && sameRefs(v.references, c.references));
      if (hit !== undefined) return versionJson(hit);
    }
    throw errors.schemaNotFound();
  }

  // ---- compatibility ----

  private compatibilityAgainst(subject: string, candidate: ParsedSchema, history: readonly SchemaValue[], level: CompatibilityLevel): { compatible: boolean; messages: string[] } {
    if (level === 'NONE' || history.length === 0) return { compatible: true, messages: [] };
    const relevant = level.endsWith('_TRANSITIVE') ? history : history.slice(-1);
    for (const old of [...relevant].reverse()) {
      if (old.schemaType !== candidate.type) {
        return { compatible: false, messages: ['Incompatible because of different schema type', `{oldSchemaVersion: ${old.version}}`, `{oldSchema: '${old.schema}'}`, `{compatibility: '${level}'}`] };
      }
    }
    let previous: ParsedSchema[];
    try {
      previous = relevant.map((v) => this.parseStored(v));
    } catch (err) {
      throw errors.storeError(`Stored schema of subject ${subject} no longer parses: ${(err as Error).message}`, err);
    }
    const result = checkCompatibility(level, candidate, previous);
    if (result.compatible) return { compatible: true, messages: [] };
    const latest = relevant.at(-1)!;
    return {
      compatible: false,
      messages: [...result.messages, `{oldSchemaVersion: ${latest.version}}`, `{oldSchema: '${latest.schema}'}`, `{validateFields: 'false', compatibility: '${level}'}`],
    };
  }

  /** POST /compatibility/subjects/{s}/versions[/{v}]: against one version, or the level's set when `spec` is null. */
  checkCompatibility(subject: string, spec: VersionSpec | null, req: SchemaRequest, opts: { verbose: boolean; normalize: boolean }): Json {
    const live = this.state.versionsOf(subject, false);
    let history: SchemaValue[];
    if (spec === null) history = live;
    else if (spec === 'latest') history = live.slice(-1);
    else {
      if (live.length === 0) throw errors.subjectNotFound(subject);
      const v = live.find((x) => x.version === spec);
      if (v === undefined) throw errors.versionNotFound(spec);
      history = [v];
    }
    let parsed: ParsedSchema;
    try {
      parsed = this.stored(this.parse(req), this.normalizeFlag(subject, opts.normalize));
    } catch (err) {
      if (opts.verbose && err instanceof RegistryError && err.errorCode === 42201) return { is_compatible: false, messages: [err.message] };
      throw err;
    }
    const level = this.effectiveLevel(subject);
    const result = this.compatibilityAgainst(subject, parsed, history, spec === null ? level : level.replace('_TRANSITIVE', '') as CompatibilityLevel);
    return opts.verbose ? { is_compatible: result.compatible, messages: result.messages } : { is_compatible: result.compatible };
  }

  // ---- deletes ----

  private assertWritable(subject: string): void {
    const mode = this.effectiveMode(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
  }

  private referencedError(subject: string, version: number): RegistryError {
    return errors.referenceExists(`{magic=1,keytype=SCHEMA,subject=${subject},version=${version}}`);
  }

  /** Tombstones for the subject's CONFIG and MODE keys once it has no versions left. */
  private subjectCleanup(subject: string): Array<{ key: string; value: null }> {
    const out: Array<{ key: string; value: null }> = [];
    if (this.state.config(subject) !== undefined) out.push({ key: configKey(subject), value: null });
    if (this.state.mode(subject) !== undefined) out.push({ key: modeKey(subject), value: null });
    return out;
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.exclusive(async () => {
      this.assertWritable(subject);
      const all = this.state.versionsOf(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const v = spec === 'latest' ? this.state.latest(subject) : this.state.version(subject, spec);
      if (v === undefined) throw spec === 'latest' ? errors.subjectNotFound(subject) : errors.versionNotFound(spec);
      if (!permanent && v.deleted) throw errors.versionSoftDeleted(subject, v.version);
      if (permanent && !v.deleted) throw errors.versionNotSoftDeleted(subject, v.version);
      if (this.state.referencesTo(subject, v.version, false).length > 0) throw this.referencedError(subject, v.version);
      if (permanent) {
        const last = all.length === 1;
        await this.store.write([{ key: schemaKey(subject, v.version), value: null }, ...(last ? this.subjectCleanup(subject) : [])]);
      } else {
        await this.store.write([{ key: schemaKey(subject, v.version), value: encodeSchemaValue({ ...v, deleted: true }) }]);
      }
      return v.version;
    });
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.exclusive(async () => {
      this.assertWritable(subject);
      const all = this.state.versionsOf(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      for (const v of live) if (this.state.referencesTo(subject, v.version, false).length > 0) throw this.referencedError(subject, v.version);
      if (permanent) {
        if (live.length > 0) throw errors.subjectNotSoftDeleted(subject);
        await this.store.write([...all.map((v) => ({ key: schemaKey(subject, v.version), value: null })), ...this.subjectCleanup(subject)]);
        return all.map((v) => v.version);
      }
      if (live.length === 0) throw errors.subjectSoftDeleted(subject);
      const max = all.at(-1)!.version;
      await this.store.write([{ key: deleteSubjectKey(subject), value: JSON.stringify({ subject, version: max }) }]);
      return live.map((v) => v.version);
    });
  }

  // ---- config ----

  getConfig(subject: string | null, defaultToGlobal: boolean): Json {
    const own = this.state.config(subject);
    if (subject !== null && own === undefined && !defaultToGlobal) throw errors.subjectConfigNotFound(subject);
    const c = own ?? this.state.config(null);
    const out: Json = { compatibilityLevel: c?.compatibilityLevel ?? this.defaultLevel };
    if (c?.normalize !== undefined) out['normalize'] = c.normalize;
    return out;
  }

  setConfig(subject: string | null, body: Json): Promise<Json> {
    return this.exclusive(async () => {
      const raw = body['compatibility'] ?? body['compatibilityLevel'];
      const normalize = typeof body['normalize'] === 'boolean' ? body['normalize'] : undefined;
      let level: CompatibilityLevel;
      if (raw === undefined || raw === null) {
        if (normalize === undefined) throw errors.invalidCompatibilityLevel();
        level = this.effectiveLevel(subject);
      } else {
        const upper = typeof raw === 'string' ? raw.toUpperCase() : '';
        if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(upper)) throw errors.invalidCompatibilityLevel();
        level = upper as CompatibilityLevel;
      }
      await this.store.write([{ key: configKey(subject), value: encodeConfigValue(subject, { compatibilityLevel: level, ...(normalize !== undefined ? { normalize } : {}) }) }]);
      return normalize === undefined ? { compatibility: level } : { compatibility: level, normalize };
    });
  }

  deleteConfig(subject: string | null): Promise<Json> {
    return this.exclusive(async () => {
      const own = this.state.config(subject);
      if (subject !== null && own === undefined) {
        throw this.state.versionsOf(subject, true).length === 0 ? errors.subjectNotFound(subject) : errors.subjectConfigNotFound(subject);
      }
      const old = this.getConfig(subject, true);
      if (own !== undefined) await this.store.write([{ key: configKey(subject), value: null }]);
      return old;
    });
  }

  // ---- mode ----

  getMode(subject: string | null, defaultToGlobal: boolean): Json {
    const own = subject === null ? undefined : this.state.mode(subject);
    if (subject !== null && own === undefined && !defaultToGlobal) throw errors.subjectModeNotFound(subject);
    return { mode: own ?? this.state.mode(null) ?? 'READWRITE' };
  }

  setMode(subject: string | null, body: Json, force: boolean): Promise<Json> {
    return this.exclusive(async () => {
      const raw = body['mode'];
      const mode = typeof raw === 'string' ? raw.toUpperCase() : '';
      if (!(MODES as readonly string[]).includes(mode)) throw errors.invalidMode(raw);
      if (mode === 'IMPORT' && !force) {
        const busy = subject === null ? this.state.subjectNames(false).length > 0 : this.state.versionsOf(subject, false).length > 0;
        if (busy) throw errors.operationNotPermitted('Cannot import since found existing subjects');
      }
      const records: Array<{ key: string; value: string | null }> = [];
      if (mode === 'IMPORT') {
        const targets = subject === null ? this.state.subjectNames(true) : [subject];
        for (const s of targets) {
          const dead = this.state.versionsOf(s, true).filter((v) => v.deleted);
          if (dead.length > 0) records.push({ key: clearSubjectKey(s), value: JSON.stringify({ subject: s }) });
        }
      }
      records.push({ key: modeKey(subject), value: encodeModeValue(subject, mode) });
      await this.store.write(records);
      return { mode };
    });
  }

  deleteMode(subject: string | null): Promise<Json> {
    return this.exclusive(async () => {
      const own = this.state.mode(subject);
      if (subject !== null && own === undefined) throw errors.subjectModeNotFound(subject);
      const old = { mode: own ?? 'READWRITE' };
      if (own !== undefined) await this.store.write([{ key: modeKey(subject), value: null }]);
      return old;
    });
  }
}

function sameRefs(a: readonly SchemaReference[], b: readonly SchemaReference[]): boolean {
  return a.length === b.length && a.every((r, i) => r.name === b[i]!.name && r.subject === b[i]!.subject && r.version === b[i]!.version);
}
