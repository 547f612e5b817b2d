import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI, as a user runs it. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runCliWithInput(args, undefined, env);
}

/** Runs the CLI to completion with `input` on its standard input (none when undefined). */
export function runCliWithInput(args: string[], input: string | Buffer | undefined, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] as const });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface Serving {
  readonly child: ChildProcess;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** Parsed stdout lines so far. */
  readonly lines: Array<Record<string, unknown>>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the CLI serving on ports 0 and waits for its start-up line. */
export function serveCli(args: string[], env: NodeJS.ProcessEnv = {}, base: string[] = ['--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0']): Promise<Serving> {
  const proxying = base.includes('--listen');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...base, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const lines: Array<Record<string, unknown>> = [];
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let started = false;
    let parsed = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Only whole lines, each once: a chunk may end mid-line, and a busy proxy logs a lot.
      const end = stdout.lastIndexOf('\n');
      if (end < parsed) return;
      for (const part of stdout.slice(parsed, end).split('\n')) if (part.trim().startsWith('{')) lines.push(JSON.parse(part) as Record<string, unknown>);
      parsed = end + 1;
      const first = started ? undefined : lines.find((line) => (!proxying || typeof line.listen === 'string') && typeof line.admin === 'string');
      if (!started && first !== undefined) {
        started = true;
        resolve({
          child,
          proxyUrl: proxying ? `http://${first.listen as string}` : '',
          adminUrl: `http://${first.admin as string}`,
          lines,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => {
      if (!started) reject(new Error(`restaudit exited with ${code} before listening: ${stderr}`));
    });
    setTimeout(() => {
      if (!started) {
        child.kill('SIGKILL');
        reject(new Error(`restaudit did not start within 10 s: ${stderr}`));
      }
    }, 10_000).unref();
  });
}
