/**
 * Holds a judgement back until every lesson another process sent before its request
 * arrived has been learned (cluster workers). Absent in one process, where memory is
 * always up to date.
 */
export interface JudgementGate {
  /** A ticket for a request that has just arrived. */
  ticket(): number;
  /**
   * Runs `step` once the lessons sent before the ticket's request arrived are learned.
   * @returns true when it ran at once, false when it will run later
   */
  after(ticket: number, step: () => void): boolean;
  /** Runs every held step now (shutting down: no more lessons will come). */
  release(): void;
}
