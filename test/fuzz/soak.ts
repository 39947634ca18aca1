// Soak mode of the HTTP fuzz test: the same requests and the same checks at the end, for as
// long as asked (`npm run fuzz:soak -- --seconds 600 [--seed 42]`), outside `npm test`.
// It runs test/fuzz/http-fuzz.test.ts under vitest with FUZZ_SECONDS (and SEED) set.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

const seconds = Number(option('seconds') ?? process.env['FUZZ_SECONDS'] ?? 600);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('usage: npm run fuzz:soak -- --seconds <n> [--seed <n>]');
  process.exit(2);
}
const seed = option('seed') ?? process.env['SEED'] ?? String(Math.floor(Math.random() * 2 ** 31));
const root = resolve(import.meta.dirname, '../..');
const result = spawnSync('npx', ['vitest', 'run', 'test/fuzz/http-fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SECONDS: String(seconds), SEED: seed },
});
process.exit(result.status ?? 1);
