import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * The size limits of the architecture issue, kept: no file in lib/ over 250
 * lines and no function (declaration, method, arrow or expression) over 60.
 */
const ROOT = join(__dirname, '../../..');
const MAX_FILE_LINES = 250;
const MAX_FUNCTION_LINES = 60;

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });

const longFunctions = (file: string): string[] => {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > MAX_FUNCTION_LINES)
        found.push(`${relative(ROOT, file)}:${start + 1} (${end - start + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
};

describe('lib/ stays small enough to read', () => {
  const files = [...sourceFiles(join(ROOT, 'lib')), ...sourceFiles(join(ROOT, 'functions'))];

  it(`no file in lib/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .filter((f) => f.startsWith(join(ROOT, 'lib')))
      .map((f) => ({ f: relative(ROOT, f), n: readFileSync(f, 'utf8').split('\n').length }))
      .filter(({ n }) => n > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`no function in lib/ or functions/ is over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap(longFunctions)).toEqual([]);
  });
});
