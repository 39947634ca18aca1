// Where the installed chart.js keeps its browser build. The package's exports map names only
// its module entries, not dist/chart.umd.min.js, so the file is found beside the resolved
// entry (dist/chart.cjs) — from node_modules, wherever the running module's resolution finds
// the package, in the repository and in the compose image alike; never from a CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function chartScriptPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

// The script without its source-map comment: the map is not served, and a browser's developer
// tools would otherwise ask for it and log a 404.
export function readChartScript(): string {
  return readFileSync(chartScriptPath(), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}
