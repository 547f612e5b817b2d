/**
 * glibc's allocator settings restaudit runs with, as `GLIBC_TUNABLES` (read when a process
 * starts, so it is set where a process is started: the image, `npm start`, each worker).
 *
 * By default glibc gives the top of its heap back to the OS once 128 KiB of it is free, and
 * moves that threshold as the process runs. A proxy that streams 64 KiB bodies frees and
 * allocates megabytes of buffers at a time: in some processes the heap is trimmed and faulted
 * back in all the time (12-29 page faults per response), and serving large responses then
 * costs twice the CPU, for the life of the process, the bare http-proxy passthrough alike.
 * Keeping up to 64 MiB of free heap makes every process fast (docs/performance.md).
 */
export const MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=67108864';

/** `env` with restaudit's allocator settings, unless it names its own. */
export function withMallocTunables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return env.GLIBC_TUNABLES === undefined ? { ...env, GLIBC_TUNABLES: MALLOC_TUNABLES } : env;
}
