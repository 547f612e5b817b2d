import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Old-generation growth allowed between full collections, in bytes, when that is above 20 %. */
const HEADROOM_BYTES = 16 * 2 ** 20;
const MIN_PERCENT = 20;
const MAX_PERCENT = 100;
/** How often the allowance follows the heap. */
const EVERY_MS = 2000;

/**
 * How far V8 lets the old generation grow past what it holds before the next full
 * collection (`--heap-growing-percent`, read at each one). V8's own choice, up to 4x what is
 * live, swings a proxy with 100,000 remembered exchanges between 160 and 300 MB RSS. A fixed
 * 20 % keeps that near what is live, but on a small heap it means a full collection every
 * few megabytes: serving 64 KiB responses, whose buffers count against the same limit, it
 * was one every 150 ms and halved throughput. So the allowance is 16 MB, or 20 % of the
 * old generation once that is larger (docs/performance.md).
 */
export function boundHeapGrowth(): void {
  let percent = 0;
  const follow = (): void => {
    const next = growingPercent(getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0);
    if (Math.abs(next - percent) < 5) return;
    percent = next;
    setFlagsFromString(`--heap-growing-percent=${percent}`);
  };
  follow();
  setInterval(follow, EVERY_MS).unref();
}

/** The growth allowed past `oldBytes` of old generation: 16 MB as a percentage, 20 to 100. */
export function growingPercent(oldBytes: number): number {
  return Math.min(MAX_PERCENT, Math.max(MIN_PERCENT, Math.round((100 * HEADROOM_BYTES) / Math.max(oldBytes, 1))));
}
