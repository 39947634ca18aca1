// Node-wide bounds split between the main process and its session processes. Open
// transactions each hold an LMDB reader slot, and the slots are the files', shared by every
// process that opens them: --tx-max is the node's, so each process takes its share. HTTP
// transactions all live in the main process (a session process passes them on); a session
// process holds only its MySQL sessions' transactions, so without a MySQL port it takes none.
import type { NodeConfig } from '../config.js';

export function transactionsOpenMaxPerProcess(config: NodeConfig, role: 'main' | 'session'): number {
  const openMax = config.transactions.openMax;
  if (config.mysql === null || config.sessionProcesses === 0) return role === 'main' ? openMax : 0;
  // An even split, rounded up: the node may hold a few more than --tx-max, never a process none.
  return Math.ceil(openMax / (config.sessionProcesses + 1));
}
