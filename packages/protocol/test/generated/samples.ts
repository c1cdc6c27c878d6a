// Builds sample values for any generated message at any version, driven by the same parsed
// spec model the generator uses, so every field of every version gets exercised.
import type { FieldDef, StructDef } from '../../scripts/lib/schema.ts';
import { inRange } from '../../scripts/lib/schema.ts';
import { ZERO_UUID } from '../../src/codec-support.ts';

/**
 * full: every present field non-default, arrays with two elements, nullable fields non-null.
 * sparse: nullable fields null, arrays empty, scalars still non-default.
 * minimal: only required fields set (the encoder must fill in every default).
 */
export type SampleMode = 'full' | 'sparse' | 'minimal';

type Obj = Record<string, unknown>;

export function defaultValue(f: FieldDef): unknown {
  const d = f.dflt;
  switch (d.kind) {
    case 'null': return null;
    case 'number': case 'bool': case 'string': return d.value;
    case 'zeroUuid': return ZERO_UUID;
    case 'emptyBytes': return Buffer.alloc(0);
    case 'emptyArray': return [];
    case 'struct': return defaultStruct(d.struct);
  }
}

export function defaultStruct(s: StructDef): Obj {
  const o: Obj = {};
  for (const f of s.fields) o[f.prop] = defaultValue(f);
  return o;
}

/** What an encoder writes for an unset field in a version where it may not be null. */
function nonNullDefault(f: FieldDef): unknown {
  const d = defaultValue(f);
  if (d !== null) return d;
  if (f.array) return [];
  if (f.base === 'string') return '';
  if (f.base === 'bytes' || f.base === 'records') return Buffer.alloc(0);
  return d;
}

function uuidFor(seed: number): string {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = (seed * 31 + i * 17 + 1) & 0xff;
  return b.toString('base64url');
}

/** A value of the field's element type that differs from its default. */
function scalar(f: FieldDef, seed: number): unknown {
  const d = f.dflt;
  const avoid = d.kind === 'number' ? d.value : NaN;
  const pick = (a: number, b: number): number => (a === avoid ? b : a);
  switch (f.base) {
    case 'bool': return !(d.kind === 'bool' && d.value);
    case 'int8': return pick(-7 - (seed % 3), 9);
    case 'int16': return pick(-300 - seed, 301);
    case 'uint16': return pick(65000 - seed, 7);
    case 'int32': return pick(-70000 - seed, 70001);
    case 'uint32': return pick(4000000000 + seed, 3);
    case 'int64': return pick(-(2 ** 40) - seed, 2 ** 45 + seed);
    case 'float64': return 1.25 + seed;
    case 'string': return `s${seed}-\u00e9\u6f22`;
    case 'uuid': return uuidFor(seed);
    case 'bytes': return Buffer.from([1, 2, 3, seed & 0xff]);
    // One large records blob so the Writer's by-reference path is covered.
    case 'records': return seed % 4 === 1 ? Buffer.alloc(5000, 0xab) : Buffer.from([9, 8, 7, seed & 0xff]);
    case 'struct': return null;
  }
}

function element(f: FieldDef, version: number, mode: SampleMode, seed: number): unknown {
  if (f.base === 'struct') return buildStruct(f.struct!, version, mode, seed).value;
  return scalar(f, seed);
}

/**
 * Returns the value to encode and the value the decoder must produce. They differ only in
 * minimal mode, where optional fields are left undefined and come back as defaults.
 */
export function buildStruct(s: StructDef, version: number, mode: SampleMode, seed: number): { value: Obj; expected: Obj } {
  const value: Obj = {};
  const expected: Obj = {};
  for (const f of s.fields) {
    const present = inRange(f.versions, version);
    if (!present || (mode === 'minimal' && !f.required)) {
      expected[f.prop] = present && !inRange(f.nullable, version) ? nonNullDefault(f) : defaultValue(f);
      if (!present && mode !== 'minimal') value[f.prop] = expected[f.prop];
      continue;
    }
    const nullableNow = inRange(f.nullable, version);
    let v: unknown;
    let e: unknown;
    if (mode === 'sparse' && nullableNow) {
      v = e = null;
    } else if (f.array) {
      if (mode === 'sparse') {
        v = []; e = [];
      } else {
        const n = mode === 'minimal' ? 1 : 2;
        const pairs = Array.from({ length: n }, (_, i) => elementPair(f, version, mode, seed * 3 + i + 1));
        v = pairs.map((p) => p.value);
        e = pairs.map((p) => p.expected);
      }
    } else if (f.base === 'struct') {
      const sub = buildStruct(f.struct!, version, mode, seed + 1);
      v = sub.value; e = sub.expected;
    } else {
      v = e = scalar(f, seed);
    }
    value[f.prop] = v;
    expected[f.prop] = e;
  }
  return { value, expected };
}

function elementPair(f: FieldDef, version: number, mode: SampleMode, seed: number): { value: unknown; expected: unknown } {
  if (f.base === 'struct') return buildStruct(f.struct!, version, mode, seed);
  const v = element(f, version, mode, seed);
  return { value: v, expected: v };
}
