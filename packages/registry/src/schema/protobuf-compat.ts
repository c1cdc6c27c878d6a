// Protobuf compatibility, following Confluent's protobuf-provider diff from the original (older)
// file to the update: messages matched by name path, fields by tag number. Only incompatible
// differences are returned. Compatible: message/enum/field/oneof added or removed, enum constant
// changes, field renamed, string/bytes/message label changes, a field moved out of a oneof, scalar
// changes within a wire-compatible group. Incompatible: package changed, message removed, field
// kind changed (scalar/message/map), scalar group changed, named type changed, numeric label
// changed, proto2 required added/removed, oneof field removed, fields moved into a oneof.
import protobuf from 'protobufjs';
import { fileMessages, type ProtobufParsedSchema } from './protobuf.ts';

const SCALAR_GROUPS: readonly (readonly string[])[] = [
  ['int32', 'int64', 'uint32', 'uint64', 'bool', 'enum'],
  ['sint32', 'sint64'],
  ['string', 'bytes'],
  ['fixed32', 'sfixed32'],
  ['fixed64', 'sfixed64'],
  ['float'],
  ['double'],
];
const LENGTH_DELIMITED = new Set(['string', 'bytes', 'message']);

function report(out: string[], path: string, type: string): void {
  out.push(`Found incompatible change: Difference{fullPath='${path}', type=${type}}`);
}

type Kind = 'scalar' | 'message' | 'map';

interface FieldShape {
  kind: Kind;
  /** Scalar type name ('enum' for enums), or the message's full name. */
  scalar: string;
  named?: string;
  label: 'repeated' | 'required' | 'optional';
  oneof?: string;
}

function shape(field: protobuf.Field): FieldShape {
  const mapKey = (field as unknown as { keyType?: string }).keyType;
  const rule = (field as unknown as { rule?: string }).rule;
  const label = rule === 'repeated' ? 'repeated' : rule === 'required' ? 'required' : 'optional';
  const oneof = field.partOf && !(field.partOf.oneof.length === 1 && field.partOf.name === `_${field.name}`) ? field.partOf.name : undefined;
  const t = field.resolvedType;
  if (mapKey) return { kind: 'map', scalar: mapKey, named: t ? t.fullName : field.type, label, oneof };
  if (t instanceof protobuf.Type) return { kind: 'message', scalar: 'message', named: t.fullName, label, oneof };
  if (t instanceof protobuf.Enum) return { kind: 'scalar', scalar: 'enum', named: t.fullName, label, oneof };
  return { kind: 'scalar', scalar: field.type, label, oneof };
}

function group(scalar: string): number {
  return SCALAR_GROUPS.findIndex((g) => g.includes(scalar));
}

/** Incompatible differences from `original` to `update`, as Confluent words them. */
export function protobufIncompatibilities(original: ProtobufParsedSchema, update: ProtobufParsedSchema): string[] {
  const out: string[] = [];
  if (original.packageName !== update.packageName) report(out, '#/', 'PACKAGE_CHANGED');
  const before = fileMessages(original);
  const after = fileMessages(update);
  for (const [name, message] of before) {
    const next = after.get(name);
    if (!next) {
      report(out, `#/${name}`, 'MESSAGE_REMOVED');
      continue;
    }
    compareMessage(out, `#/${name}`, message, next);
  }
  return [...new Set(out)];
}

function compareMessage(out: string[], path: string, original: protobuf.Type, update: protobuf.Type): void {
  const byId = (t: protobuf.Type): Map<number, protobuf.Field> => new Map(t.fieldsArray.map((f) => [f.id, f]));
  const oldFields = byId(original);
  const newFields = byId(update);
  const newOneofs = new Set(update.oneofsArray.map((o) => o.name));
  for (const [id, field] of oldFields) {
    const p = `${path}/${id}`;
    const o = shape(field);
    const nf = newFields.get(id);
    if (!nf) {
      if (o.label === 'required') report(out, p, 'REQUIRED_FIELD_REMOVED');
      else if (o.oneof && newOneofs.has(o.oneof)) report(out, p, 'ONEOF_FIELD_REMOVED');
      continue;
    }
    compareField(out, p, o, shape(nf));
  }
  for (const [id, field] of newFields) {
    if (!oldFields.has(id) && shape(field).label === 'required') report(out, `${path}/${id}`, 'REQUIRED_FIELD_ADDED');
  }
  compareOneofMoves(out, path, original, update);
}

function compareField(out: string[], p: string, o: FieldShape, n: FieldShape): void {
  if (o.kind !== n.kind) return report(out, p, 'FIELD_KIND_CHANGED');
  if (o.kind === 'scalar' && group(o.scalar) !== group(n.scalar)) return report(out, p, 'FIELD_SCALAR_KIND_CHANGED');
  if (o.kind === 'map' && group(o.scalar) !== group(n.scalar)) return report(out, p, 'FIELD_SCALAR_KIND_CHANGED');
  if (o.named !== undefined && n.named !== undefined && o.named !== n.named) return report(out, p, 'FIELD_NAMED_TYPE_CHANGED');
  if (o.label !== n.label) {
    if (o.label === 'required' || n.label === 'required') {
      report(out, p, n.label === 'required' ? 'REQUIRED_FIELD_ADDED' : 'REQUIRED_FIELD_REMOVED');
    } else if (!LENGTH_DELIMITED.has(o.scalar) || !LENGTH_DELIMITED.has(n.scalar)) {
      report(out, p, 'FIELD_NUMERIC_LABEL_CHANGED');
    }
  }
}

/** Fields that were top-level and are now in a oneof: fine alone into a new oneof, else not. */
function compareOneofMoves(out: string[], path: string, original: protobuf.Type, update: protobuf.Type): void {
  const oldOneofs = new Set(original.oneofsArray.map((o) => o.name));
  const movedInto = new Map<string, number>();
  for (const field of update.fieldsArray) {
    const n = shape(field);
    if (!n.oneof) continue;
    const before = original.fieldsArray.find((f) => f.id === field.id);
    if (!before || shape(before).oneof) continue;
    if (oldOneofs.has(n.oneof)) report(out, `${path}/${field.id}`, 'FIELD_MOVED_TO_EXISTING_ONEOF');
    else movedInto.set(n.oneof, (movedInto.get(n.oneof) ?? 0) + 1);
  }
  for (const [name, count] of movedInto) if (count > 1) report(out, `${path}/${name}`, 'MULTIPLE_FIELDS_MOVED_TO_ONEOF');
}
