// How much searching a check may do before it gives up with "unknown". Linearizability checking
// is NP-complete, so a pathological history could otherwise search for hours.

// The search steps (an operation tried or undone) allowed for one key.
export const searchStepsMaxDefault = 20_000_000;
// Wall-clock time allowed for a whole history, explanation included.
export const searchTimeMsMaxDefault = 60_000;
// The clock is read once per this many steps: reading it every step would cost more than a step.
const stepsPerClockRead = 4096;

export class SearchBudget {
  private readonly deadline: number;
  exceeded: 'steps' | 'time' | null = null;

  constructor(
    readonly stepsMax: number,
    timeMsMax: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.deadline = now() + timeMsMax;
  }

  // Whether a search that has taken `steps` steps may take one more; records why not. Steps
  // are counted by each search, so one budget serves every key of a history.
  allows(steps: number): boolean {
    if (steps > this.stepsMax) {
      this.exceeded = 'steps';
      return false;
    }
    if (steps % stepsPerClockRead === 0 && this.now() > this.deadline) {
      this.exceeded = 'time';
      return false;
    }
    return true;
  }
}
