// Auto-increment ids this node holds reserved for the transactions it serves, per table, as
// TiDB's allocator caches ranges: the leader moves a table's counter past a block through the
// log (Sequencer.reserveAutoIncrement), and transactions here take exactly the ids they use
// from it, so consecutive transactions get consecutive ids and one round trip serves many. A
// block's unused rest is a gap once another node's or an autocommit write's ids pass it.
import { autoIncrementBlockIds } from '../base/limits.js';

export type ReserveBlock = (tableId: number, count: bigint, floor: bigint) => Promise<bigint>;

export class IdBlocks {
  private readonly blocks = new Map<number, { next: bigint; readonly end: bigint }>();

  constructor(private readonly reserve: ReserveBlock) {}

  // `count` ids of a table, consecutive, the first at least `floor`; resolves to the first.
  async take(tableId: number, count: bigint, floor: bigint): Promise<bigint> {
    let block = this.blocks.get(tableId);
    if (block === undefined || block.next < floor || block.next + count > block.end) {
      const size = count > BigInt(autoIncrementBlockIds) ? count : BigInt(autoIncrementBlockIds);
      const first = await this.reserve(tableId, size, floor);
      block = { next: first, end: first + size };
      this.blocks.set(tableId, block);
    }
    const first = block.next;
    block.next += count;
    return first;
  }
}
