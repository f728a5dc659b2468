import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The folders depend on each other in one direction only:
 *   lib, functions  ←  dev  ←  scripts, bench, tests
 * dev/ holds what development needs but production never loads (fakes, the
 * embedded store, Lambda invocation). Production code must never reach it (the
 * Lambda bundles would carry it), and dev/ must not reach back into the tools
 * and tests that use it, or they would depend on each other in a circle again.
 */
const root = join(__dirname, '..', '..', '..');
const FOLDERS = ['lib', 'functions', 'dev', 'scripts', 'bench', 'tests'] as const;
type Folder = (typeof FOLDERS)[number];

const FORBIDDEN: Record<Folder, Folder[]> = {
  lib: ['dev', 'scripts', 'bench', 'tests'],
  functions: ['dev', 'scripts', 'bench', 'tests'],
  dev: ['scripts', 'bench', 'tests'],
  scripts: ['tests'],
  bench: ['tests'],
  tests: [],
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });

// import … from '…', export … from '…', import '…', import('…'), require('…')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** The top-level folder each relative import of a file lands in. */
const importedFolders = (file: string): Array<{ specifier: string; folder: string }> =>
  [...readFileSync(file, 'utf8').matchAll(SPECIFIER)]
    .map((m) => m[1]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ specifier, folder: relative(root, resolve(dirname(file), specifier)).split(sep)[0]! }));

const edges = FOLDERS.flatMap((from) =>
  sourceFiles(join(root, from)).flatMap((file) =>
    importedFolders(file).map(({ specifier, folder }) => ({ from, file: relative(root, file), specifier, to: folder })),
  ),
);

describe('import rules between the top-level folders', () => {
  it('sees the imports it checks (scripts, bench and tests use dev; dev uses lib)', () => {
    for (const [from, to] of [
      ['scripts', 'dev'],
      ['bench', 'dev'],
      ['tests', 'dev'],
      ['dev', 'lib'],
      ['functions', 'lib'],
    ]) {
      expect(edges.some((e) => e.from === from && e.to === to)).toBe(true);
    }
  });

  it.each(FOLDERS)('%s/ imports none of the folders it must not depend on', (from) => {
    const violations = edges
      .filter((e) => e.from === from && (FORBIDDEN[from] as string[]).includes(e.to))
      .map((e) => `${e.file} → ${e.specifier}`);
    expect(violations).toEqual([]);
  });

  it('dev/ names no file of scripts/ or tests/ by path either (the embedded store once lived in scripts/)', () => {
    const offenders = sourceFiles(join(root, 'dev')).filter((file) =>
      /['"](?:scripts|tests|bench)['"]|['"][./]*(?:scripts|tests|bench)\//.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
