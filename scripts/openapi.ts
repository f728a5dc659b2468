/** `npm run openapi`: regenerates openapi.json and the contract client's types from lib/api. */
import { relative } from 'node:path';
import { writeGenerated } from './openapi-files';

writeGenerated()
  .then((files) => {
    for (const file of files) process.stdout.write(`wrote ${relative(process.cwd(), file)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
