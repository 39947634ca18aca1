// Runs work while a 1 ms timer notes the longest gap between its turns: how long the work held
// the event loop at most. A TideError the work fails with is returned, not thrown, so a test can
// check both the refusal and the loop.
import { TideError } from '../../services/base/errors.js';

export async function withLoopWatch<T>(work: () => Promise<T>): Promise<{ value: T | TideError; gapMsMax: number; turns: number }> {
  let last = performance.now();
  let gapMsMax = 0;
  let turns = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gapMsMax = Math.max(gapMsMax, now - last);
    last = now;
    turns++;
  }, 1);
  try {
    const value = await work().catch((error: unknown) => {
      if (error instanceof TideError) return error;
      throw error;
    });
    return { value, gapMsMax: Math.max(gapMsMax, performance.now() - last), turns };
  } finally {
    clearInterval(timer);
  }
}
