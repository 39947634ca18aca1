// The store is an example built on the public client: every .ts file under services/store may
// import only @tidedb/client (and its kafka entry), npm packages, node builtins and files inside
// services/store. This reads every file and fails on any import that reaches outside.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const storeRoot = resolve(import.meta.dirname, '../../services/store');

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// Every module specifier: static imports and re-exports (`from '…'`), side-effect imports,
// dynamic import() and require().
export function specifiersOf(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

// Why a specifier is refused, or null when it is allowed.
export function refusal(file: string, specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = resolve(dirname(file), specifier);
    return target === storeRoot || target.startsWith(storeRoot + sep) ? null : `reaches outside services/store (${relative(storeRoot, target)})`;
  }
  if (specifier.startsWith('@tidedb/')) return specifier === '@tidedb/client' || specifier === '@tidedb/client/kafka' ? null : 'only @tidedb/client and @tidedb/client/kafka are public';
  return null; // a node builtin or an npm package
}

describe('services/store imports', () => {
  it('has files to check', () => {
    expect(typescriptFiles(storeRoot).length).toBeGreaterThan(5);
  });

  it('imports nothing of the database itself', () => {
    const refused = typescriptFiles(storeRoot).flatMap((file) =>
      specifiersOf(readFileSync(file, 'utf8')).flatMap((specifier) => {
        const why = refusal(file, specifier);
        return why === null ? [] : [`${relative(storeRoot, file)}: '${specifier}' ${why}`];
      }),
    );
    expect(refused).toEqual([]);
  });

  it('refuses a relative import into the database, the workspace source or the tests', () => {
    const file = join(storeRoot, 'inventory', 'main.ts');
    expect(refusal(file, '../../sql/parser.js')).not.toBeNull();
    expect(refusal(file, '../../../packages/client/src/index.js')).not.toBeNull();
    expect(refusal(file, '../../../test/support/seeded-random.js')).not.toBeNull();
    expect(refusal(file, '@tidedb/client/src/nodes.js')).not.toBeNull();
    expect(refusal(file, '../shared/flags.js')).toBeNull();
    expect(refusal(file, '@tidedb/client/kafka')).toBeNull();
    expect(refusal(file, 'node:crypto')).toBeNull();
    expect(specifiersOf("import a from '../x.js';\nexport { b } from \"./y.js\";\nimport './z.js';\nawait import('../../w.js');")).toEqual(['../x.js', './y.js', './z.js', '../../w.js']);
  });
});
