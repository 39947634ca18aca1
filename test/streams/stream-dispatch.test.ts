// The dispatch serves parked streams in passes: applies that land before a pass starts share
// it, each pass first moves the feed's served index, a stream that leaves is not called again,
// and progress ticks reach only parked streams.
import { expect, it } from 'vitest';
import { StreamDispatch } from '../../services/cdc/stream-dispatch.js';
import type { ParkedStream } from '../../services/cdc/stream-dispatch.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class FakeStream implements ParkedStream {
  catchUps = 0;
  ticks = 0;
  constructor(private readonly dispatch: StreamDispatch, private readonly staysCaughtUp: boolean) {}
  catchUp(): boolean {
    this.catchUps++;
    if (!this.staysCaughtUp) this.dispatch.unpark(this);
    return this.staysCaughtUp;
  }
  tick(): void {
    this.ticks++;
  }
}

it('serves every parked stream once per pass, and applies before a pass share it', async () => {
  let passes = 0;
  const dispatch = new StreamDispatch(() => passes++);
  const keeping = Array.from({ length: 3 }, () => new FakeStream(dispatch, true));
  const leaving = new FakeStream(dispatch, false);
  for (const stream of [...keeping, leaving]) dispatch.park(stream);
  dispatch.applied();
  dispatch.applied();
  dispatch.applied();
  expect(passes).toBe(0); // not in the apply's own turn
  await nextTurn();
  await nextTurn();
  expect(passes).toBe(1);
  expect(keeping.map((stream) => stream.catchUps)).toEqual([1, 1, 1]);
  expect(leaving.catchUps).toBe(1);
  expect(dispatch.parkedCount).toBe(3);
  dispatch.applied();
  await nextTurn();
  await nextTurn();
  expect(passes).toBe(2);
  expect(keeping.map((stream) => stream.catchUps)).toEqual([2, 2, 2]);
  expect(leaving.catchUps).toBe(1);
  for (const stream of keeping) dispatch.unpark(stream);
  expect(dispatch.parkedCount).toBe(0);
});

it('ticks the parked streams from one shared timer, and none once they leave', async () => {
  const dispatch = new StreamDispatch(() => undefined);
  const streams = Array.from({ length: 5 }, () => new FakeStream(dispatch, true));
  for (const stream of streams) dispatch.park(stream);
  await expect.poll(() => streams.every((stream) => stream.ticks > 0)).toBe(true);
  for (const stream of streams) dispatch.unpark(stream);
  const ticks = streams.map((stream) => stream.ticks);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(streams.map((stream) => stream.ticks)).toEqual(ticks);
});
