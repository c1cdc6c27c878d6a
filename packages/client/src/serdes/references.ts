// Schema references: each names a subject and version whose schema the referring schema imports
// (Avro named types, JSON `$ref` targets, Protobuf `import`s). Resolved depth first via the
// registry client's version cache.
import { SchemaRegistryError } from './errors.ts';
import type { SchemaReference, SchemaRegistryClient, SchemaType } from './registry-client.ts';

/** How deep references may nest before we call the graph hostile (Confluent has no limit; we do). */
export const referenceDepthMax = 32;

export interface ResolvedReference {
  name: string;
  schema: string;
  schemaType: SchemaType;
  references: ResolvedReference[];
}

export async function resolveReferences(client: SchemaRegistryClient, refs: readonly SchemaReference[], depth = 0): Promise<ResolvedReference[]> {
  if (refs.length === 0) return [];
  if (depth >= referenceDepthMax) throw new SchemaRegistryError('REGISTRY_LIMIT', `schema references nest deeper than ${referenceDepthMax}`);
  const out: ResolvedReference[] = [];
  for (const ref of refs) {
    const v = await client.getVersion(ref.subject, ref.version);
    out.push({ name: ref.name, schema: v.schema, schemaType: v.schemaType, references: await resolveReferences(client, v.references, depth + 1) });
  }
  return out;
}
