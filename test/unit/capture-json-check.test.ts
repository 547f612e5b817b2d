import { describe, expect, it } from 'vitest';
import { isJsonText, jsonTypeOfText } from '../../src/capture/json-check.js';
import { jsonTypeOf } from '../../src/memory/exchange-memory.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const SAMPLES = [
  '{}', '[]', '""', '0', '-0', '1.5e10', '-1.25E-3', 'true', 'false', 'null', ' \n\t{ "a" : [1, 2, {"b": null}], "c": "\\u00e9\\n\\"" } ',
  '{"a":1,}', '[1,]', '[,1]', '{"a"}', '{"a":}', '{a:1}', "{'a':1}", '01', '1.', '.5', '-', '1e', '1e+', '+1', 'tru', 'nul', 'NaN', 'Infinity',
  '"\\x"', '"\\u12"', '"a\nb"', '"unterminated', '{"a":1}}', '[1]]', '[[[]]', '{"a":{"b":[1,{"c":"d"}]}}', '1 2', '', '   ', '\ufeff{}',
  '{"é":"ü 😀"}', '[1e5, -0.0, 0.5E+2]', '{"a":[{}]}', '[{"a":1},{"b":2}]', '"\\/"', '{"a":"\\b\\f\\r\\t"}', '[true,false,null]',
];

describe('isJsonText agrees with JSON.parse', () => {
  it.each(SAMPLES.map((sample) => [JSON.stringify(sample), sample]))('%s', (_name, sample) => {
    expect(isJsonText(Buffer.from(sample))).toBe(parses(sample));
  });

  it('on thousands of random mutations of valid documents', () => {
    const base = JSON.stringify({ items: [{ id: 1, name: 'a "quoted" \\ name', tags: ['x', 'y'], price: -12.5e-3, ok: true, none: null }], total: 1, nested: [[[]], {}] });
    const alphabet = '{}[]",:.-+eE0123456789 \\ntrufalsn';
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 5000; round++) {
      const chars = [...base];
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * chars.length);
        const kind = random();
        if (kind < 0.33) chars.splice(at, 1);
        else if (kind < 0.66) chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)] as string);
        else chars[at] = alphabet[Math.floor(random() * alphabet.length)] as string;
      }
      const text = chars.join('');
      expect(isJsonText(Buffer.from(text)), text).toBe(parses(text));
    }
  });
});

describe('scanJson', () => {
  it('collects the member names of a top-level object only', async () => {
    const { scanJson } = await import('../../src/capture/json-check.js');
    const keys: string[] = [];
    expect(scanJson(Buffer.from('{"error": {"status": 1}, "data" : [{"ok": true}], "é":0}'), keys)).toBe(true);
    expect(keys).toEqual(['error', 'data', 'é']);
    const none: string[] = [];
    expect(scanJson(Buffer.from('[{"error": 1}]'), none)).toBe(true);
    expect(none).toEqual([]);
  });
});

describe('jsonTypeOfText agrees with the type of the parsed value', () => {
  it.each(SAMPLES.filter(parses))('%j', (text) => {
    expect(jsonTypeOfText(Buffer.from(text))).toBe(jsonTypeOf(JSON.parse(text)));
  });
});
