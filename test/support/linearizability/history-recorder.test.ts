// Proves the recorder keeps what the checker needs: invocation and return times on its clock,
// unknown writes as open ones under a retired client id, failed writes and reads left out, and
// a recorded stale read caught by checkHistory.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check-history.js';
import { HistoryRecorder } from './history-recorder.js';

// A clock the test moves by hand, so the recorded windows are exact.
function manualClock(): { now: () => number; at: (t: number) => void } {
  let time = 0;
  return { now: () => time, at: (t) => (time = t) };
}

describe('HistoryRecorder', () => {
  it('records windows, unknown and failed writes, and failed reads as the checker expects', async () => {
    const clock = manualClock();
    const recorder = new HistoryRecorder(clock.now);
    const client = recorder.client();
    const unknownClass = () => 'unknown' as const;

    clock.at(1);
    expect(await client.put('x', 'a', async () => clock.at(2), unknownClass)).toBe('ok');
    clock.at(3);
    expect(await client.put('x', 'b', async () => { clock.at(4); throw new Error('timeout'); }, unknownClass)).toBe('unknown');
    clock.at(5);
    expect(await client.put('x', 'c', async () => { throw new Error('refused'); }, () => 'failed')).toBe('failed');
    clock.at(6);
    expect(await client.get('x', async () => { throw new Error('no leader'); })).toBeUndefined();
    clock.at(7);
    expect(await client.get('x', async () => { clock.at(8); return 'b'; })).toBe('b');

    expect(recorder.history).toEqual([
      { kind: 'put', clientId: 0, key: 'x', value: 'a', invokedAt: 1, returnedAt: 2 },
      { kind: 'put', clientId: 0, key: 'x', value: 'b', invokedAt: 3, returnedAt: null },
      { kind: 'get', clientId: 1, key: 'x', value: 'b', invokedAt: 7, returnedAt: 8 },
    ]);
    expect(checkHistory(recorder.history).kind).toBe('linearizable');
  });

  it('gives each client its own id and refuses a second open operation on one client', async () => {
    const recorder = new HistoryRecorder();
    const first = recorder.client();
    const second = recorder.client();
    let release: () => void = () => undefined;
    const open = first.put('x', 'a', () => new Promise<void>((resolve) => (release = resolve)), () => 'unknown');
    await expect(first.get('x', async () => null)).rejects.toThrow(/already has an operation open/);
    expect(await second.get('x', async () => null)).toBeNull();
    release();
    await open;
    expect(recorder.history.map((op) => op.clientId).sort()).toEqual([0, 1]);
  });

  it('hands the checker a stale read it rejects', async () => {
    const clock = manualClock();
    const recorder = new HistoryRecorder(clock.now);
    const writer = recorder.client();
    const reader = recorder.client();
    clock.at(1);
    await writer.put('x', 'old', async () => clock.at(2), () => 'unknown');
    clock.at(3);
    await writer.put('x', 'new', async () => clock.at(4), () => 'unknown');
    clock.at(5);
    await reader.get('x', async () => { clock.at(6); return 'old'; });
    const result = checkHistory(recorder.history);
    expect(result.kind).toBe('illegal');
  });
});
