// Where the repository is and whether dist/ is there to run: the benchmarks that start TideDB
// nodes run dist/services/main.js, built from the sources they sit beside.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tidedb') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the TideDB repository above this script');
    dir = parent;
  }
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// Builds when asked or when there is nothing to run; a dist older than the sources is run
// as it is (others may be mid-edit) but said out loud, since the figures are for that build.
export function ensureBuilt(root: string, force: boolean): void {
  const main = join(root, 'dist/services/main.js');
  if (force || !existsSync(main)) {
    process.stdout.write('building: npm run build\n');
    const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('npm run build failed');
  }
  if (newestMtimeMs(join(root, 'services')) > statSync(main).mtimeMs) {
    process.stdout.write('note: dist/ is older than services/; pass --build to measure the current sources\n');
  }
}
