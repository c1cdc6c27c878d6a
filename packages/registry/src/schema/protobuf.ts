// Protobuf: parsed with protobufjs. Two roots are kept: `main` holds only the registered file (its
// declaration order gives Confluent's message indexes and the canonical text), `root` holds the file
// with its references and the built-in well-known types, fully resolved (for checks and serdes).
// References are imported by their reference name (`import "<name>";`).
import protobuf from 'protobufjs';
import { printProto } from './protobuf-print.ts';
import {
  SchemaParseError,
  referenceDepthMax,
  schemaDepthMax,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaReference,
} from './types.ts';

export interface ProtobufParsedSchema extends ParsedSchema {
  readonly type: 'PROTOBUF';
  readonly syntax: 'proto2' | 'proto3';
  readonly packageName: string;
  /** The file's imports, as written. */
  readonly imports: readonly string[];
  /** Only the registered file (not resolved). */
  readonly main: protobuf.Root;
  /** The file, its references and well-known types, resolved. */
  readonly root: protobuf.Root;
  readonly resolved: readonly ResolvedReference[];
}

const parseOptions = { keepCase: true };
/** File name protobufjs puts in its error messages for the registered schema. */
const mainFileName = 'schema.proto';

/**
 * protobufjs.parse with its (global, synchronous) file name set: without one, some syntax errors
 * crash inside protobufjs instead of reporting the line.
 */
function protoParse(source: string, root: protobuf.Root, fileName: string): protobuf.IParserResult {
  (protobuf.parse as unknown as { filename: string | null }).filename = fileName;
  try {
    return protobuf.parse(source, root, parseOptions);
  } finally {
    (protobuf.parse as unknown as { filename: string | null }).filename = null;
  }
}

function syntaxOf(source: string): 'proto2' | 'proto3' {
  const m = /^\s*syntax\s*=\s*["'](proto[23])["']\s*;/m.exec(source);
  return m?.[1] === 'proto3' ? 'proto3' : 'proto2';
}

function protoError(err: unknown, what?: string): SchemaParseError {
  // protobufjs crashes with a TypeError on some truncated input (peek() at end of input is null)
  const message = err instanceof TypeError ? `illegal syntax (unexpected end of input?): ${err.message}` : (err as Error).message;
  return new SchemaParseError(what ? `${what}: ${message}` : message, { cause: err });
}

/** Parses a file into `root`, after its imports; well-known types come from protobufjs. */
function loadFile(
  name: string | undefined,
  source: string,
  refs: readonly ResolvedReference[],
  root: protobuf.Root,
  loaded: Set<string>,
  depth: number,
): void {
  if (depth > referenceDepthMax) throw new SchemaParseError(`References nest deeper than ${referenceDepthMax}`);
  let imports: string[];
  try {
    const probe = protoParse(source, new protobuf.Root(), name ?? mainFileName);
    imports = [...(probe.imports ?? []), ...(probe.weakImports ?? [])];
  } catch (err) {
    throw protoError(err, name && `Invalid reference ${name}`);
  }
  for (const imp of imports) {
    if (loaded.has(imp)) continue;
    const ref = refs.find((r) => r.name === imp);
    if (ref) {
      if (ref.schemaType !== 'PROTOBUF') throw new SchemaParseError(`Reference ${ref.name} is of type ${ref.schemaType}, not PROTOBUF`);
      loaded.add(imp);
      loadFile(ref.name, ref.schema, ref.references, root, loaded, depth + 1);
      continue;
    }
    const common = (protobuf.common as unknown as { get(n: string): protobuf.INamespace | null }).get(imp);
    if (!common) throw new SchemaParseError(`${imp} is not defined (no reference named ${JSON.stringify(imp)})`);
    loaded.add(imp);
    root.addJSON(common.nested ?? {});
  }
  try {
    protoParse(source, root, name ?? mainFileName);
  } catch (err) {
    throw protoError(err, name && `Invalid reference ${name}`);
  }
}

export function parseProtobuf(
  raw: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
  normalized = false,
): ProtobufParsedSchema {
  const main = new protobuf.Root();
  let packageName: string;
  let imports: string[];
  try {
    const result = protoParse(raw, main, mainFileName);
    packageName = result.package ?? '';
    imports = [...(result.imports ?? []), ...(result.weakImports ?? [])];
  } catch (err) {
    throw protoError(err);
  }
  const root = new protobuf.Root();
  loadFile(undefined, raw, resolved, root, new Set(), 0);
  try {
    root.resolveAll();
  } catch (err) {
    throw protoError(err);
  }
  checkDepth(main, 0);
  const syntax = syntaxOf(raw);
  const canonical = printProto({ main, root, packageName, imports, syntax, normalized });
  return { type: 'PROTOBUF', raw, canonical, references: [...references], syntax, packageName, imports, main, root, resolved };
}

function checkDepth(ns: protobuf.NamespaceBase, depth: number): void {
  if (depth > schemaDepthMax) throw new SchemaParseError(`Protobuf types nest deeper than ${schemaDepthMax}`);
  for (const child of ns.nestedArray) if (child instanceof protobuf.Namespace) checkDepth(child, depth + 1);
}

/** Normalized: fully qualified type names, sorted options; `raw` becomes the normalized text. */
export function normalizeProtobuf(parsed: ProtobufParsedSchema): ProtobufParsedSchema {
  const canonical = printProto({ ...parsed, normalized: true });
  return { ...parsed, raw: canonical, canonical };
}

function asProtobuf(parsed: ParsedSchema): ProtobufParsedSchema {
  if (parsed.type !== 'PROTOBUF' || !('root' in parsed)) throw new TypeError('expected a PROTOBUF schema returned by parseSchema');
  return parsed as ProtobufParsedSchema;
}

/** The resolved protobufjs Root (the schema plus references and well-known types). */
export function protobufRoot(parsed: ParsedSchema): protobuf.Root {
  return asProtobuf(parsed).root;
}

/** The package namespace of the registered file in `main` (or the root when there is no package). */
export function packageNamespace(main: protobuf.Root, packageName: string): protobuf.NamespaceBase {
  if (!packageName) return main;
  return main.lookup(packageName) as protobuf.Namespace;
}

function messagesOf(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

/**
 * Confluent message indexes → message type. `[]` and `[0]` both mean the first top-level message;
 * `[1, 0]` is the first message nested in the second top-level message.
 */
export function protobufMessageByIndexes(parsed: ParsedSchema, indexes: readonly number[]): protobuf.Type {
  const p = asProtobuf(parsed);
  const path = indexes.length === 0 ? [0] : indexes;
  let scope: protobuf.NamespaceBase = packageNamespace(p.main, p.packageName);
  let found: protobuf.Type | undefined;
  for (const i of path) {
    found = messagesOf(scope)[i];
    if (!found) throw new RangeError(`no message at index path [${path.join(', ')}]`);
    scope = found;
  }
  return p.root.lookupType(found!.fullName);
}

/** Message full name (with or without a leading dot) → Confluent message indexes. */
export function protobufMessageIndexes(parsed: ParsedSchema, fullName: string): number[] {
  const p = asProtobuf(parsed);
  const wanted = fullName.startsWith('.') ? fullName : `.${fullName}`;
  const search = (scope: protobuf.NamespaceBase, prefix: number[]): number[] | undefined => {
    const messages = messagesOf(scope);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.fullName === wanted) return [...prefix, i];
      const inner = search(m, [...prefix, i]);
      if (inner) return inner;
    }
    return undefined;
  };
  const found = search(packageNamespace(p.main, p.packageName), []);
  if (!found) throw new RangeError(`no message ${fullName} in this schema`);
  return found;
}

/** Every message of the registered file with its path name (e.g. `Outer.Inner`), depth first. */
export function fileMessages(p: ProtobufParsedSchema): Map<string, protobuf.Type> {
  const out = new Map<string, protobuf.Type>();
  const walk = (scope: protobuf.NamespaceBase, prefix: string): void => {
    for (const m of messagesOf(scope)) {
      const name = prefix ? `${prefix}.${m.name}` : m.name;
      out.set(name, p.root.lookupType(m.fullName));
      walk(m, name);
    }
  };
  walk(packageNamespace(p.main, p.packageName), '');
  return out;
}
