import { deref, isObject, type Json } from './load-spec.js';

/**
 * An OpenAPI document's schemas, rewritten once for the validator and for the direction a
 * body travels:
 *
 * - OpenAPI 3.0 is not JSON Schema: `nullable: true` becomes a `null` type (or a `null`
 *   alternative where no type is given, a `$ref` sibling included), and draft-04 boolean
 *   `exclusiveMinimum`/`exclusiveMaximum` become the numbers later drafts use.
 * - `required` members marked `readOnly` bind responses only, and those marked `writeOnly`
 *   requests only (OpenAPI 3.0 §4.7.25.4, JSON Schema Validation §9.4): each direction
 *   drops the others.
 * - `oneOf` is judged as `anyOf`: a body valid under one branch is valid even when an
 *   overlapping, more permissive branch accepts it too. A server that accepts it does
 *   nothing wrong; the ambiguity is the document's.
 */
export type Direction = 'request' | 'response';

/** Keywords whose value is a schema. */
const SCHEMA_KEYWORDS = ['additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems', 'contentSchema'];
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];
/** Members of the document that hold examples, never schemas. */
const NOT_WALKED = new Set(['example', 'examples', 'x-examples']);

/** A deep copy of the document with every schema rewritten for one direction. */
export function schemaVariant(document: Json, version: '3.0' | '3.1', direction: Direction): Json {
  const copy = structuredClone(document);
  const hidden = direction === 'request' ? 'readOnly' : 'writeOnly';
  const rewrite = (schema: Json): void => {
    if (Array.isArray(schema.oneOf)) {
      schema.anyOf = Array.isArray(schema.anyOf) ? [...(schema.anyOf as unknown[]), ...(schema.oneOf as unknown[])] : schema.oneOf;
      delete schema.oneOf;
    }
    if (Array.isArray(schema.required) && isObject(schema.properties)) {
      const properties = schema.properties;
      schema.required = (schema.required as unknown[]).filter((name) => {
        if (typeof name !== 'string') return true;
        const property = deref(copy, properties[name], '');
        return !(isObject(property?.node) && property.node[hidden] === true);
      });
    }
    if (version === '3.0') from30(schema);
  };
  walkDocument(copy, rewrite);
  return copy;
}

/** Calls `visit` on every schema of the document, inner schemas after outer ones. */
function walkDocument(document: Json, visit: (schema: Json) => void): void {
  const seen = new Set<unknown>();
  const walkSchema = (schema: unknown): void => {
    if (!isObject(schema) || seen.has(schema)) return;
    seen.add(schema);
    // Collected before the visit: a rewrite may move a list (oneOf to anyOf).
    const inner: unknown[] = [];
    for (const key of SCHEMA_KEYWORDS) if (isObject(schema[key])) inner.push(schema[key]);
    for (const key of SCHEMA_LIST_KEYWORDS) if (Array.isArray(schema[key])) inner.push(...(schema[key] as unknown[]));
    for (const key of SCHEMA_MAP_KEYWORDS) if (isObject(schema[key])) inner.push(...Object.values(schema[key]));
    visit(schema);
    for (const each of inner) walkSchema(each);
  };
  const walk = (node: unknown, key: string | undefined, parent: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const each of node) walk(each, undefined, key);
      return;
    }
    if (!isObject(node)) return;
    if (key === 'schema' || (parent === 'components' && key === 'schemas')) {
      if (key === 'schema') walkSchema(node);
      else for (const each of Object.values(node)) walkSchema(each);
      return;
    }
    for (const [name, value] of Object.entries(node)) if (!NOT_WALKED.has(name)) walk(value, name, key);
  };
  walk(document, undefined, undefined);
}

/** OpenAPI 3.0's schema dialect, in place, as JSON Schema draft 7 reads it. */
function from30(schema: Json): void {
  for (const [flag, limit] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[flag] !== 'boolean') continue;
    if (schema[flag] === true && typeof schema[limit] === 'number') {
      schema[flag] = schema[limit];
      delete schema[limit];
    } else delete schema[flag];
  }
  if (schema.nullable !== true) {
    delete schema.nullable;
    return;
  }
  delete schema.nullable;
  if (typeof schema.type === 'string') {
    schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...(schema.enum as unknown[]), null];
    return;
  }
  if (schema.type !== undefined) return;
  // No type (a $ref, allOf, ...): null or whatever the rest allows.
  const rest: Json = {};
  for (const [name, value] of Object.entries(schema)) {
    if (name === 'description' || name === 'title' || name === 'readOnly' || name === 'writeOnly') continue;
    rest[name] = value;
    delete schema[name];
  }
  schema.anyOf = [{ type: 'null' }, rest];
}
