import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { percentile } from './wire.js';

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** Open file descriptors of a process (its sockets among them), Linux /proc. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** RSS of a process and its children (a --workers primary), in MB. */
export function treeRssMb(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = [];
  }
  return [pid, ...children].reduce((sum, each) => sum + rssMb(each), 0);
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failed: number;
}

/** `count` GETs to `url`, one after another on one kept-alive connection; their latencies in ms. */
export async function probe(url: string, count: number): Promise<Latency> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const status = await new Promise<number>((resolve) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', () => resolve(0));
    });
    times.push(performance.now() - started);
    if (status !== 200) failed++;
  }
  agent.destroy();
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { p50: round(percentile(times, 0.5)), p99: round(percentile(times, 0.99)), max: round(Math.max(...times)), failed };
}

/** Prints one figure line for docs/reliability.md (`RELIABILITY ...` in the test output). */
export function report(attack: string, figures: Record<string, unknown>): void {
  process.stdout.write(`RELIABILITY ${attack}: ${JSON.stringify(figures)}\n`);
}
