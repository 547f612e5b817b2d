import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { CLI } from '../e2e/cli-process.js';

/** The built CLI as a child process, its stdout kept whole (every byte, every line). */
export interface HostileCli {
  readonly child: ChildProcess;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  stop(): Promise<number | null>;
}

/** Starts `restaudit` with `args` on ports 0 and waits for the line that names its addresses. */
export function startCli(args: string[]): Promise<HostileCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...args], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    let started = false;
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const text = (): string => Buffer.concat(chunks).toString('utf8');
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (started) return;
      for (const line of text().split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as { listen?: string; admin?: string };
        if (typeof parsed.listen !== 'string' || typeof parsed.admin !== 'string') continue;
        started = true;
        resolve({
          child,
          proxyUrl: `http://${parsed.listen}`,
          adminUrl: `http://${parsed.admin}`,
          stdout: text,
          lines: () => text().split('\n').slice(0, -1),
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
        return;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => {
      if (!started) reject(new Error(`restaudit exited with ${code} before listening: ${stderr}`));
    });
  });
}

/** One GET (or other method) on a keep-alive agent; resolves with status, body and milliseconds. */
export function timedRequest(
  url: string,
  options: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; agent?: http.Agent } = {},
): Promise<{ status: number; body: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request(
      { host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path ?? `${target.pathname}${target.search}`, headers: options.headers, agent: options.agent },
      (res) => {
        const body: Buffer[] = [];
        res.on('data', (chunk: Buffer) => body.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(body).toString('utf8'), ms: performance.now() - start }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The value of an unlabelled sample in a Prometheus exposition. */
export function sample(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  if (match === null) throw new Error(`${name} not in /metrics`);
  return Number(match[1]);
}

/** The distinct values of one label across every series of a Prometheus exposition. */
export function labelValues(text: string, label: string): Set<string> {
  return new Set([...text.matchAll(new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`, 'g'))].map((m) => m[1] as string));
}

/** The p-th percentile (0..100) of some numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** 12,000-letter (or `n`-letter) strings without digits, different for each `i`. */
export function letters(n: number, i: number): string {
  const head = [...i.toString(26)].map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
  return (head + 'q'.repeat(n)).slice(0, n);
}
