// Raft's clock, as the driver sees it: something that calls `tick` every tickMs until stopped.
// A simulation passes its own, so that simulated time drives every node and no real timer runs.
import { tickMs } from '../../base/limits.js';

// Starts calling `tick`; the returned function stops it.
export type Ticker = (tick: () => void) => () => void;

// Real time. Unref'd: the clock alone does not keep the process alive.
export const intervalTicker: Ticker = (tick) => {
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return () => clearInterval(timer);
};
