// Protobuf with protobufjs. The registered file is parsed twice: alone (its declaration order gives
// Confluent's message indexes) and with its references and the well-known types into one resolved
// root (for encoding). Field names keep the .proto spelling (keepCase). References are imported by
// their reference name (`import "<name>";`), as Confluent does.
import protobuf from 'protobufjs';
import { SerdeError } from './errors.ts';
import { referenceDepthMax, type ResolvedReference } from './references.ts';
import { HEADER_BYTES, encodeMessageIndexes, writeHeader } from './wire.ts';

const parseOptions = { keepCase: true };

export interface ProtobufMessage {
  readonly type: protobuf.Type;
  /** Fully qualified name without the leading dot (`pkg.Outer.Inner`). */
  readonly fullName: string;
  /** The encoded message-index list for this message. */
  readonly indexBytes: Buffer;
}

export interface ProtobufCompiled {
  /** Messages of the registered file by fully qualified name. */
  readonly byName: ReadonlyMap<string, ProtobufMessage>;
  /** Messages by index path joined with ',' (`"0"`, `"1,0"`). */
  readonly byIndexes: ReadonlyMap<string, ProtobufMessage>;
  /** The first top-level message (index path [0]). */
  readonly first: ProtobufMessage | undefined;
}

function loadFile(source: string, refs: readonly ResolvedReference[], root: protobuf.Root, loaded: Set<string>, depth: number): void {
  if (depth > referenceDepthMax) throw new SerdeError('INVALID_SCHEMA', `references nest deeper than ${referenceDepthMax}`);
  const probe = protobuf.parse(source, new protobuf.Root(), parseOptions);
  for (const imp of [...(probe.imports ?? []), ...(probe.weakImports ?? [])]) {
    if (loaded.has(imp)) continue;
    loaded.add(imp);
    const ref = refs.find((r) => r.name === imp);
    if (ref !== undefined) {
      if (ref.schemaType !== 'PROTOBUF') throw new SerdeError('INVALID_SCHEMA', `Protobuf schema imports ${ref.name}, a ${ref.schemaType} schema`);
      loadFile(ref.schema, ref.references, root, loaded, depth + 1);
      continue;
    }
    const common = (protobuf.common as unknown as { get(n: string): protobuf.INamespace | null }).get(imp);
    if (!common) throw new SerdeError('INVALID_SCHEMA', `${imp} is imported but is neither a reference nor a well-known type`);
    root.addJSON(common.nested ?? {});
  }
  protobuf.parse(source, root, parseOptions);
}

function messagesOf(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

export function compileProtobuf(schema: string, refs: readonly ResolvedReference[] = []): ProtobufCompiled {
  let main: protobuf.Root;
  let pkg: string;
  const root = new protobuf.Root();
  try {
    main = new protobuf.Root();
    pkg = protobuf.parse(schema, main, parseOptions).package ?? '';
    loadFile(schema, refs, root, new Set(), 0);
    root.resolveAll();
  } catch (err) {
    if (err instanceof SerdeError) throw err;
    throw new SerdeError('INVALID_SCHEMA', `invalid Protobuf schema: ${(err as Error).message}`, { cause: err });
  }
  const byName = new Map<string, ProtobufMessage>();
  const byIndexes = new Map<string, ProtobufMessage>();
  const walk = (scope: protobuf.NamespaceBase, prefix: number[]): void => {
    messagesOf(scope).forEach((m, i) => {
      const path = [...prefix, i];
      const fullName = m.fullName.slice(1);
      const message = { type: root.lookupType(m.fullName), fullName, indexBytes: encodeMessageIndexes(path) };
      byName.set(fullName, message);
      byIndexes.set(path.join(','), message);
      walk(m, path);
    });
  };
  walk(pkg === '' ? main : (main.lookup(pkg) as protobuf.Namespace), []);
  return { byName, byIndexes, first: byIndexes.get('0') };
}

/** The message to serialize: `messageName` (with or without the package), else the first one. */
export function pickMessage(compiled: ProtobufCompiled, messageName: string | undefined): ProtobufMessage {
  if (messageName === undefined) {
    if (compiled.first === undefined) throw new SerdeError('INVALID_SCHEMA', 'Protobuf schema declares no message');
    return compiled.first;
  }
  const name = messageName.startsWith('.') ? messageName.slice(1) : messageName;
  const exact = compiled.byName.get(name);
  if (exact !== undefined) return exact;
  for (const m of compiled.byName.values()) if (m.fullName.endsWith(`.${name}`)) return m;
  throw new SerdeError('INVALID_SCHEMA', `no message ${messageName} in the Protobuf schema (has ${[...compiled.byName.keys()].join(', ')})`);
}

/** Header + message indexes + body. Plain objects are verified, then converted with fromObject. */
export function writeProtobuf(message: ProtobufMessage, schemaId: number, value: unknown, indexes: boolean): Buffer {
  let body: Uint8Array;
  try {
    let msg: protobuf.Message | object = value as object;
    if (!(value instanceof protobuf.Message)) {
      const problem = message.type.verify(value as Record<string, unknown>);
      if (problem !== null) throw new SerdeError('VALIDATION_FAILED', `value does not match ${message.fullName}: ${problem}`);
      msg = message.type.fromObject(value as Record<string, unknown>);
    }
    body = message.type.encode(msg).finish();
  } catch (err) {
    if (err instanceof SerdeError) throw err;
    throw new SerdeError('VALIDATION_FAILED', `value does not encode as ${message.fullName}: ${(err as Error).message}`, { cause: err });
  }
  const indexBytes = indexes ? message.indexBytes.length : 0;
  const out = Buffer.allocUnsafe(HEADER_BYTES + indexBytes + body.length);
  writeHeader(out, schemaId);
  if (indexes) message.indexBytes.copy(out, HEADER_BYTES);
  out.set(body, HEADER_BYTES + indexBytes);
  return out;
}

export function readProtobuf(message: ProtobufMessage, buf: Buffer, offset: number): protobuf.Message {
  try {
    return message.type.decode(buf.subarray(offset));
  } catch (err) {
    throw new SerdeError('INVALID_PAYLOAD', `Protobuf body does not decode as ${message.fullName}: ${(err as Error).message}`, { cause: err });
  }
}
