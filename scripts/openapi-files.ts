/**
 * The files generated from lib/api: openapi.json (the document, committed so
 * clients and reviewers see the contract without running plm) and the
 * TypeScript types openapi-typescript makes of it, which the contract test's
 * client compiles against. `npm run openapi` writes both; tests fail when
 * either differs from what the code generates.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiDocument } from '../lib/api/openapi';

const ROOT = join(__dirname, '..');
export const DOCUMENT_FILE = join(ROOT, 'openapi.json');
export const CLIENT_TYPES_FILE = join(ROOT, 'tests', 'contract', 'client', 'plm-api.ts');

export const renderDocument = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

const OPENAPI_TYPESCRIPT = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');

/** The types openapi-typescript's CLI makes of a document file, as a client author would run it. */
export const renderClientTypes = async (documentFile: string): Promise<string> =>
  (await promisify(execFile)(process.execPath, [OPENAPI_TYPESCRIPT, documentFile], { cwd: ROOT })).stdout;

export const readCommitted = (file: string): string => readFileSync(file, 'utf8');

export const writeGenerated = async (): Promise<string[]> => {
  const document = renderDocument();
  writeFileSync(DOCUMENT_FILE, document);
  writeFileSync(CLIENT_TYPES_FILE, await renderClientTypes(DOCUMENT_FILE));
  return [DOCUMENT_FILE, CLIENT_TYPES_FILE];
};
