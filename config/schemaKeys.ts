import { configSchema } from './schema.ts';

interface SchemaLike {
  def?: { type?: string; innerType?: SchemaLike; element?: SchemaLike; shape?: Record<string, SchemaLike> };
}

/** Strip prefault/default/optional wrappers to reach the object, array or leaf schema inside. */
function unwrap(schema: SchemaLike | undefined): SchemaLike | undefined {
  let current = schema;
  while (current?.def && ['prefault', 'default', 'optional', 'nullable'].includes(current.def.type ?? '')) current = current.def.innerType;
  return current;
}

/** The schema at a key path; array indices step into the element schema. */
function schemaAt(path: readonly string[]): SchemaLike | undefined {
  let schema = unwrap(configSchema as unknown as SchemaLike);
  for (const part of path) {
    if (schema?.def?.type === 'array') {
      schema = unwrap(schema.def.element);
      if (/^\d+$/.test(part)) continue;
    }
    if (schema?.def?.type !== 'object') return undefined;
    schema = unwrap(schema.def.shape?.[part]);
  }
  if (schema?.def?.type === 'array') schema = unwrap(schema.def.element);
  return schema;
}

/** The keys a strict object at `path` accepts, read off the schema itself so messages never drift from it. */
export function allowedKeys(path: readonly string[]): string[] {
  const schema = schemaAt(path);
  return schema?.def?.type === 'object' ? Object.keys(schema.def.shape ?? {}) : [];
}

/** Every key path in the schema (`risk.leverage`, `models.weight`, …); arrays of objects list their element's keys. */
export function allKeyPaths(prefix: readonly string[] = []): string[] {
  return allowedKeys(prefix).flatMap((key) => {
    const path = [...prefix, key];
    const nested = allowedKeys(path);
    return nested.length > 0 ? [path.join('.'), ...allKeyPaths(path)] : [path.join('.')];
  });
}
