import { parseArgs } from 'node:util';
import { ERROR_CODES, RestauditError } from './errors.js';

/**
 * Every flag, once. A command lists the flags it takes in COMMANDS; adding a flag is one
 * line here and its name in the commands that take it.
 */
export const OPTIONS = {
  target: { type: 'string' },
  listen: { type: 'string' },
  'admin-listen': { type: 'string' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  workers: { type: 'string' },
  spec: { type: 'string' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  follow: { type: 'boolean' },
  input: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type OptionName = keyof typeof OPTIONS;
export type Command = 'serve' | 'rules' | 'check-config' | 'audit';

/** The flags each command takes (`--help` and `--version` go with every one). */
export const COMMANDS: Readonly<Record<Command, readonly OptionName[]>> = {
  serve: ['target', 'listen', 'admin-listen', 'config', 'log-level', 'workers', 'spec'],
  rules: ['json'],
  'check-config': [],
  audit: ['format', 'json', 'fail-on', 'baseline', 'write-baseline', 'spec', 'config', 'follow', 'admin-listen', 'input', 'log-level'],
};

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

export interface ParsedArgs {
  readonly command: Command;
  readonly values: Values;
  /** The command's arguments (after the command name). */
  readonly args: readonly string[];
}

/**
 * Parses the command line for the command it names: a flag the command does not take, an
 * unknown flag (with the nearest known one), or a flag without its value is a problem; all
 * are reported together, in the order they appear (RA_ERR_USAGE, exit 2).
 */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const positionals = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  const named = positionals[0];
  const command: Command = named === 'rules' || named === 'check-config' || named === 'audit' ? named : 'serve';
  const allowed = new Set<string>([...COMMANDS[command], 'help', 'version']);
  const problems: string[] = [];
  const values: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = (OPTIONS as Record<string, { type: 'string' | 'boolean' }>)[token.name];
    const flag = token.rawName;
    if (spec === undefined) {
      const near = nearest(token.name, [...allowed]) ?? nearest(token.name, Object.keys(OPTIONS));
      problems.push(`unknown option ${flag}${near === undefined ? '' : ` (did you mean --${near}?)`}`);
    } else if (!allowed.has(token.name)) {
      problems.push(`${flag} does not apply to ${command === 'serve' ? 'the proxy (restaudit without a command)' : `restaudit ${command}`} (see restaudit --help)`);
    } else if (spec.type === 'string' && token.value === undefined) {
      problems.push(`${flag} needs a value`);
    } else if (spec.type === 'boolean' && token.value !== undefined) {
      problems.push(`${flag} takes no value, got '${token.value}'`);
    } else {
      values[token.name] = token.value ?? true;
    }
  }
  if (problems.length > 0) throw new RestauditError(ERROR_CODES.usage, problems);
  return { command, values: values, args: command === 'serve' ? positionals : positionals.slice(1) };
}

/** The known name closest to `name` by edit distance, when close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
