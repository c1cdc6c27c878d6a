// Re-prints a parsed .proto file in one fixed layout, so that whitespace, comment and formatting
// variants of one schema print the same (Confluent stores a re-printed file, in square/wire's
// layout: syntax, package, imports, file options, then types and services, two-space indents).
// Normalized printing (normalize=true) also qualifies type names fully and sorts options.
import protobuf from 'protobufjs';
import { packageNamespace } from './protobuf.ts';

export interface PrintInput {
  main: protobuf.Root;
  root: protobuf.Root;
  packageName: string;
  imports: readonly string[];
  syntax: 'proto2' | 'proto3';
  normalized: boolean;
}

const INDENT = '  ';

export function printProto(input: PrintInput): string {
  const { main, packageName, syntax } = input;
  const out: string[] = [];
  out.push(`syntax = "${syntax}";`);
  if (packageName) out.push(`package ${packageName};`);
  const imports = input.imports;
  if (imports.length > 0) out.push('', ...imports.map((i) => `import "${i}";`));
  const ns = packageNamespace(main, packageName);
  const options = optionLines(ns.options, input.normalized);
  if (options.length > 0) out.push('', ...options.map((o) => `option ${o};`));
  for (const child of ns.nestedArray) {
    out.push('', ...printNested(child, input, ''));
  }
  return `${out.join('\n')}\n`;
}

function printNested(obj: protobuf.ReflectionObject, input: PrintInput, indent: string): string[] {
  if (obj instanceof protobuf.Type) return printMessage(obj, input, indent);
  if (obj instanceof protobuf.Enum) return printEnum(obj, input, indent);
  if (obj instanceof protobuf.Service) return printService(obj, input, indent);
  return [];
}

function optionValue(v: unknown): string {
  if (typeof v === 'string') return /^[A-Z_][A-Z0-9_]*$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${optionValue(x)}`).join(' ')} }`;
  return String(v);
}

function optionLines(options: Record<string, unknown> | undefined, normalized: boolean): string[] {
  if (!options) return [];
  const keys = Object.keys(options).filter((k) => k !== 'proto3_optional');
  if (normalized) keys.sort();
  return keys.map((k) => `${k.includes('.') && !k.startsWith('(') ? `(${k})` : k} = ${optionValue(options[k])}`);
}

function typeName(field: protobuf.Field, input: PrintInput): string {
  if (!input.normalized) return field.type;
  const resolved = input.root.lookup(field.parent!.fullName) as protobuf.Type | null;
  const rf = resolved?.fields[field.name];
  const t = rf?.resolvedType;
  return t ? t.fullName : field.type;
}

function printField(field: protobuf.Field, input: PrintInput, indent: string, inOneof: boolean): string {
  const mapKey = (field as unknown as { keyType?: string }).keyType;
  let text: string;
  if (mapKey) text = `map<${mapKey}, ${typeName(field, input)}>`;
  else {
    const rule = (field as unknown as { rule?: string }).rule;
    const label = field.options?.['proto3_optional'] ? 'optional ' : !inOneof && rule ? `${rule} ` : '';
    text = `${label}${typeName(field, input)}`;
  }
  const opts = optionLines(field.options, input.normalized);
  const suffix = opts.length > 0 ? ` [${opts.join(', ')}]` : '';
  return `${indent}${text} ${field.name} = ${field.id}${suffix};`;
}

function reservedLines(reserved: Array<number[] | string> | undefined, indent: string): string[] {
  if (!reserved || reserved.length === 0) return [];
  const parts = reserved.map((r) => (typeof r === 'string' ? JSON.stringify(r) : r[0] === r[1] ? `${r[0]}` : `${r[0]} to ${r[1] === 0x1fffffff ? 'max' : r[1]}`));
  return [`${indent}reserved ${parts.join(', ')};`];
}

function isSyntheticOneof(o: protobuf.OneOf): boolean {
  return o.oneof.length === 1 && o.name === `_${o.oneof[0]}`;
}

function printMessage(type: protobuf.Type, input: PrintInput, indent: string): string[] {
  const inner = indent + INDENT;
  const lines = [`${indent}message ${type.name} {`];
  lines.push(...optionLines(type.options, input.normalized).map((o) => `${inner}option ${o};`));
  lines.push(...reservedLines(type.reserved as Array<number[] | string> | undefined, inner));
  const oneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  const inRealOneof = new Set(oneofs.flatMap((o) => o.oneof));
  for (const field of type.fieldsArray) {
    if (!inRealOneof.has(field.name)) lines.push(printField(field, input, inner, false));
  }
  for (const oneof of oneofs) {
    lines.push(`${inner}oneof ${oneof.name} {`);
    for (const name of oneof.oneof) lines.push(printField(type.fields[name]!, input, inner + INDENT, true));
    lines.push(`${inner}}`);
  }
  for (const child of type.nestedArray) lines.push('', ...printNested(child, input, inner));
  lines.push(`${indent}}`);
  return lines;
}

function printEnum(e: protobuf.Enum, input: PrintInput, indent: string): string[] {
  const inner = indent + INDENT;
  const lines = [`${indent}enum ${e.name} {`];
  lines.push(...optionLines(e.options, input.normalized).map((o) => `${inner}option ${o};`));
  lines.push(...reservedLines(e.reserved as Array<number[] | string> | undefined, inner));
  for (const [name, id] of Object.entries(e.values)) {
    const opts = optionLines(e.valuesOptions?.[name], input.normalized);
    lines.push(`${inner}${name} = ${id}${opts.length > 0 ? ` [${opts.join(', ')}]` : ''};`);
  }
  lines.push(`${indent}}`);
  return lines;
}

function printService(s: protobuf.Service, input: PrintInput, indent: string): string[] {
  const inner = indent + INDENT;
  const lines = [`${indent}service ${s.name} {`];
  lines.push(...optionLines(s.options, input.normalized).map((o) => `${inner}option ${o};`));
  for (const m of s.methodsArray) {
    const req = `${m.requestStream ? 'stream ' : ''}${m.requestType}`;
    const res = `${m.responseStream ? 'stream ' : ''}${m.responseType}`;
    lines.push(`${inner}rpc ${m.name} (${req}) returns (${res});`);
  }
  lines.push(`${indent}}`);
  return lines;
}
