// The publisher's round read ahead: used only by the round that starts where it does, and never
// the cause of an error it met (the round reads again and meets it itself).
import { describe, expect, it } from 'vitest';
import { RoundAhead } from '../../services/cdc/round-ahead.js';

interface Round {
  readonly fromLsn: bigint;
  readonly read: number;
}

function counting(failAt: bigint | null = null): { rounds: RoundAhead<Round>; reads: bigint[] } {
  const reads: bigint[] = [];
  const rounds = new RoundAhead<Round>((fromLsn) => {
    reads.push(fromLsn);
    if (fromLsn === failAt) throw new Error(`cannot read ${fromLsn}`);
    return fromLsn >= 100n ? null : { fromLsn, read: reads.length };
  });
  return { rounds, reads };
}

describe('RoundAhead', () => {
  it('hands the round read ahead to the round that starts where it does, without reading again', async () => {
    const { rounds, reads } = counting();
    expect(rounds.take(1n)).toEqual({ fromLsn: 1n, read: 1 });
    await rounds.prepare(11n, () => true);
    expect(rounds.take(11n)).toEqual({ fromLsn: 11n, read: 2 });
    expect(reads).toEqual([1n, 11n]);
  });

  it('reads afresh for a round that starts elsewhere (a failed round sent again), and uses the one ahead once only', async () => {
    const { rounds, reads } = counting();
    await rounds.prepare(11n, () => true);
    expect(rounds.take(1n)).toEqual({ fromLsn: 1n, read: 2 });
    expect(rounds.take(11n)).toEqual({ fromLsn: 11n, read: 3 });
    expect(reads).toEqual([11n, 1n, 11n]);
  });

  it('reads nothing ahead when it is no longer wanted, and forgets what it read once dropped', async () => {
    const { rounds, reads } = counting();
    await rounds.prepare(11n, () => false);
    expect(reads).toEqual([]);
    await rounds.prepare(11n, () => true);
    rounds.drop();
    expect(rounds.take(11n)).toEqual({ fromLsn: 11n, read: 2 });
  });

  it('keeps an error met ahead for the round itself, which meets it when it reads', async () => {
    const { rounds } = counting(11n);
    await expect(rounds.prepare(11n, () => true)).resolves.toBeUndefined();
    expect(() => rounds.take(11n)).toThrow('cannot read 11');
  });

  it('answers null where there are no changes', async () => {
    const { rounds } = counting();
    await rounds.prepare(100n, () => true);
    expect(rounds.take(100n)).toBeNull();
  });
});
