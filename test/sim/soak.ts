// Soak mode of the node cluster simulation: seeds one after another, from a fresh first seed,
// for as long as asked (`npm run sim:soak -- --seconds 600 [--first-seed 5000]`), outside
// `npm test`. It runs test/sim/cluster-nodes.test.ts under vitest with SIM_SOAK_SECONDS and
// SIM_FIRST_SEED set; a failure prints its seed and the command that replays it.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

const seconds = Number(option('seconds') ?? process.env['SIM_SOAK_SECONDS'] ?? 600);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('usage: npm run sim:soak -- --seconds <n> [--first-seed <n>]');
  process.exit(2);
}
// Past the seeds CI runs, so that every soak explores new ones.
const firstSeed = option('first-seed') ?? String(1_000 + Math.floor(Math.random() * 2 ** 30));
const root = resolve(import.meta.dirname, '../..');
const result = spawnSync('npx', ['vitest', 'run', 'test/sim/cluster-nodes.test.ts', '-t', 'keeps'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SIM_SOAK_SECONDS: String(seconds), SIM_FIRST_SEED: firstSeed },
});
process.exit(result.status ?? 1);
