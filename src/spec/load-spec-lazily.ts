import type { CompiledSpec } from './compile-spec.js';

/**
 * Reads and compiles the OpenAPI document, if one is named. The parser and the validator
 * are loaded only then: a start without a spec does not pay for them.
 */
export async function loadSpecIfNamed(file: string | undefined): Promise<CompiledSpec | undefined> {
  if (file === undefined) return undefined;
  const { loadSpec } = await import('./compile-spec.js');
  return loadSpec(file);
}
