import { LRUCache } from 'lru-cache';

/** How the JSON validity pass is rationed (`inspect.jsonSampling`). */
export interface JsonSamplingSettings {
  /** False: every declared-JSON response is scanned, whatever its size. */
  readonly enabled: boolean;
  /** Responses of each shape (method, route, status class, media type) scanned in full first. */
  readonly inspectFirst: number;
  /** After those, one response in this many of the shape is scanned. */
  readonly thenEvery: number;
  /** Bodies smaller than this are always scanned: the pass costs little there. */
  readonly minBytes: number;
}

/** Shapes remembered, bounded by the bytes of their keys (routes may be raw paths). */
const MAX_KEY_BYTES = 2 * 1024 * 1024;

interface Shape {
  /** Responses of the shape seen since it was created or last found invalid. */
  seen: number;
}

/**
 * Decides, per response, whether the JSON validity pass (`invalid-json-response`,
 * `error-payload-with-success-status`) reads its body: every response of a shape until
 * `inspectFirst` of them were seen, then one in `thenEvery`. A shape found invalid is
 * scanned in full again from then on, until it has been valid `inspectFirst` times more.
 * Counting is deterministic (no randomness), so a given order of traffic is judged alike.
 */
export class InspectionBudget {
  private readonly shapes = new LRUCache<string, Shape>({ maxSize: MAX_KEY_BYTES, sizeCalculation: (_shape, key) => key.length + 32 });
  /** Responses whose body the validity pass did not read: `restaudit_inspection_sampled_out_total`. */
  sampledOut = 0;

  constructor(private settings: JsonSamplingSettings) {}

  /** New settings (a config reload); the counts so far are kept. */
  reconfigure(settings: JsonSamplingSettings): this {
    this.settings = settings;
    return this;
  }

  /** Whether to scan this response's body; counts it as sampled out when not. */
  admit(shape: string, bodyBytes: number): boolean {
    if (!this.settings.enabled || bodyBytes < this.settings.minBytes) return true;
    let state = this.shapes.get(shape);
    if (state === undefined) {
      state = { seen: 0 };
      this.shapes.set(shape, state);
    }
    state.seen++;
    if (state.seen <= this.settings.inspectFirst || (state.seen - this.settings.inspectFirst) % this.settings.thenEvery === 0) return true;
    this.sampledOut++;
    return false;
  }

  /** A scanned body of the shape was not one JSON text: scan the shape in full again. */
  foundInvalid(shape: string): void {
    const state = this.shapes.get(shape);
    if (state !== undefined) state.seen = 0;
  }
}
