// Node-wide bounds split between the main process and its session processes. Open
// transactions each hold an LMDB reader slot, and the slots are the files', shared by every
// process that opens them: --tx-max is the node's, so each process takes its share.
import type { NodeConfig } from '../config.js';

export function transactionsOpenMaxPerProcess(config: NodeConfig): number {
  return Math.ceil(config.transactions.openMax / (config.sessionProcesses + 1));
}
