/** What an OpenAPI document says, compiled once at start-up into what the rules read. */

/** One failed check of a JSON value against a documented schema: where, and which keyword. Never the value. */
export interface SchemaViolation {
  /** JSON pointer into the body (`/items/0/price`; `''` is the whole body). */
  readonly pointer: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `enum`, ...). */
  readonly keyword: string;
  /** What the keyword asks, in the validator's words (names from the schema, never data values). */
  readonly detail: string;
}

/** Validates one parsed JSON value; undefined when it is valid. */
export type SchemaCheck = (value: unknown) => SchemaViolation | undefined;

/** One media type an operation documents (`application/json`, `application/*`, `*\/*`). */
export interface SpecMedia {
  /** The media range, lower-cased, without parameters. */
  readonly range: string;
  /** The compiled schema, when the media type may be JSON and documents one. */
  readonly check: SchemaCheck | undefined;
  /** Where the schema is in the spec (`#/paths/~1pets/post/requestBody/content/application~1json/schema`). */
  readonly schemaPointer: string | undefined;
}

export interface SpecResponse {
  /** The key under `responses`: `200`, `4XX` or `default`. */
  readonly key: string;
  /** The documented media types; undefined when the response documents no content at all. */
  readonly media: readonly SpecMedia[] | undefined;
  /** Header names (lower-case) the response marks `required`. */
  readonly requiredHeaders: readonly string[];
}

export interface SpecOperation {
  /** Upper-case method. */
  readonly method: string;
  /** The full path template, under the servers path (`/api/v1/pets/{petId}`). */
  readonly template: string;
  /** `GET /api/v1/pets/{petId}`: how coverage names it. */
  readonly name: string;
  readonly operationId: string | undefined;
  /** The documented request body; undefined when the operation documents none. */
  readonly requestBody: { readonly required: boolean; readonly media: readonly SpecMedia[] } | undefined;
  /** Documented responses by their key. */
  readonly responses: ReadonlyMap<string, SpecResponse>;
}

/** A path item: its full template and its operations by upper-case method. */
export interface SpecPath {
  readonly template: string;
  readonly operations: ReadonlyMap<string, SpecOperation>;
}
