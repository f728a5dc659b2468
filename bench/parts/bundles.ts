/**
 * Lambda shape: every function bundled exactly as serverless.yml's
 * custom.esbuild tells serverless-esbuild to (same options, externals and
 * plugins), then loaded in a fresh Node process with the provider's
 * NODE_OPTIONS: minified JS size, source map size, and module load time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { safeLoad } from 'js-yaml';
import { median } from '../lib/stats';

const ROOT = join(__dirname, '..', '..');

interface Yml {
  provider: { environment: Record<string, string> };
  custom: { esbuild: Record<string, unknown> & { exclude?: string[]; external?: string[]; plugins?: string } };
  functions: Record<string, { handler: string }>;
}

/** serverless-esbuild's own options, which it removes before calling esbuild (dist/bundle.js). */
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'plugins',
];

export interface BundleReport {
  fn: string;
  jsBytes: number;
  mapBytes: number;
  /** The bundle names its source map (so Node with --enable-source-maps reads it at load). */
  linksMap: boolean;
  loadMs: number;
}

export const esbuildOptionsOf = (yml: Yml): BuildOptions => {
  const custom = yml.custom.esbuild;
  const options: Record<string, unknown> = { ...custom };
  for (const k of PLUGIN_OPTIONS) delete options[k];
  const exclude = custom.exclude ?? ['aws-sdk'];
  const plugins = custom.plugins ? (require(join(ROOT, custom.plugins)) as Plugin[]) : [];
  return {
    ...(options as BuildOptions),
    bundle: custom.bundle !== false,
    external: [...(custom.external ?? []), ...(exclude.includes('*') ? [] : exclude)],
    plugins,
    logLevel: 'error',
  };
};

/** Median over `reps` fresh processes of the time `require(file)` takes. */
const loadTime = (file: string, env: Record<string, string>, reps: number): number => {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < reps; i++)
    times.push(Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env } }).toString()));
  return median(times);
};

export const measureBundles = async (reps: number): Promise<BundleReport[]> => {
  const yml = safeLoad(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as Yml;
  const options = esbuildOptionsOf(yml);
  const out = mkdtempSync(join(tmpdir(), 'plm-bench-bundles-'));
  const nodeOptions = yml.provider.environment.NODE_OPTIONS ?? '';
  // What a production container has before the first request: module load must not need more.
  const env = {
    NODE_ENV: 'production',
    NODE_OPTIONS: nodeOptions.startsWith('${') ? '' : nodeOptions,
    AWS_LAMBDA_FUNCTION_NAME: 'plm-bench',
    JWT_SECRET: 'x'.repeat(48),
    MONGODB_URI: 'mongodb://127.0.0.1:9/plm',
    SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    LOG_LEVEL: 'ERROR',
  };
  try {
    const reports: BundleReport[] = [];
    for (const [fn, { handler }] of Object.entries(yml.functions)) {
      const entry = `${handler.replace(/\.[^.]+$/, '')}.ts`;
      const outdir = join(out, fn);
      await build({ ...options, entryPoints: [join(ROOT, entry)], outdir });
      const js = join(outdir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.js'));
      const text = readFileSync(js, 'utf8');
      let mapBytes = 0;
      try {
        mapBytes = statSync(`${js}.map`).size;
      } catch {
        // no source map
      }
      reports.push({
        fn,
        jsBytes: Buffer.byteLength(text),
        mapBytes,
        linksMap: /\/\/# sourceMappingURL=/.test(text.slice(-500)),
        loadMs: loadTime(js, env, reps),
      });
    }
    return reports;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
