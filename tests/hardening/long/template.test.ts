import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SECRET_VARIABLES } from '../../../lib/secrets/catalog';
import { record } from '../tally';
import { ROOT } from './servers';

/**
 * The packaged template, read with the eyes of whoever gets the deployment
 * bucket: packaged from a shell that HAS every secret set (a deployer's
 * .envrc), not one value may end up in the CloudFormation template or the
 * framework's state file: functions read them from SSM at run time.
 */
jest.setTimeout(300_000);

const run = promisify(execFile);

it('a prod package made from a shell full of secrets carries none of them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plm-harden-package-'));
  try {
    const sentinels = Object.fromEntries(
      SECRET_VARIABLES.map((name) => [name, `sentinel-${name.toLowerCase()}-${Math.random().toString(36).slice(2)}`]),
    );
    sentinels.MONGODB_URI = `mongodb://plm:${sentinels.MONGODB_URI}@db.example/plm`;
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
        'package',
        '--stage',
        'prod',
        '--package',
        dir,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PLM_SSM_PREFIX: '/plm/prod', ...sentinels },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
    const found = Object.entries(sentinels).filter(([, value]) =>
      texts.some((t) => t.includes(value.replace(/.*:(sentinel[^@]*)@.*/, '$1'))),
    );
    record({
      category: 'secret',
      area: 'the packaged prod template, packaged from a shell with every secret set',
      count: files.length,
      failures: found.length,
      detail: `${files.join(', ')} searched for ${SECRET_VARIABLES.length} secrets`,
    });
    expect(found.map(([name]) => name)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
