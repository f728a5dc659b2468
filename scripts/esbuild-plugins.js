/**
 * esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins;
 * bench/parts/bundles.ts builds with them too). Each removes code no function
 * runs, to keep every bundle under 1 MB and its load under 150 ms:
 *
 * - zod's locales: zod registers English by itself (v4/classic/schemas); the
 *   `locales` namespace that carries the 40 other languages is only for a
 *   `z.config(z.locales.xx())` plm never makes. 264 KB of every bundle.
 * - whatwg-url: the MongoDB driver's connection-string parser takes URL and
 *   URLSearchParams from it; Node's own are the same WHATWG URL, without
 *   tr46's Unicode tables. 290 KB of every bundle. (Checked: the parser gives
 *   identical results for standard, SRV, IPv6, socket-path and Unicode URIs.)
 * - jsonwebtoken's Node version checks: three `semver.satisfies(process.version, …)`
 *   at load for Node 8, 15.7 and 16.9, true on every Node plm runs on (≥ 20).
 *   12 ms of every cold start, and semver's 29 KB.
 * - saslprep: the MongoDB driver's SCRAM-SHA-256 password preparation builds its
 *   Unicode tables at load; it now loads at the first SCRAM login instead.
 */
const path = require('node:path');

const inPackage = (importer, name) => importer.split(path.sep).join('/').includes(`/node_modules/${name}/`);

/** @type {import('esbuild').Plugin} */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, (args) =>
      inPackage(args.importer, 'zod')
        ? { path: path.join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').Plugin} */
const nodeUrl = {
  name: 'node-url-for-whatwg-url',
  setup(build) {
    build.onResolve({ filter: /^whatwg-url$/ }, (args) =>
      inPackage(args.importer, 'mongodb-connection-string-url')
        ? { path: 'whatwg-url', namespace: 'node-url' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-url' }, () => ({
      contents: 'module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };',
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').Plugin} */
const modernNodeOnly = {
  name: 'jsonwebtoken-modern-node',
  setup(build) {
    const checks =
      /[\\/]jsonwebtoken[\\/]lib[\\/](psSupported|asymmetricKeyDetailsSupported|rsaPssKeyDetailsSupported)\.js$/;
    build.onLoad({ filter: checks }, () => ({ contents: 'module.exports = true;', loader: 'js' }));
  },
};

/** @type {import('esbuild').Plugin} */
const lazySaslprep = {
  name: 'lazy-saslprep',
  setup(build) {
    build.onResolve({ filter: /^@mongodb-js\/saslprep$/ }, (args) =>
      inPackage(args.importer, 'mongodb')
        ? { path: require.resolve('@mongodb-js/saslprep'), namespace: 'lazy-saslprep' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-saslprep' }, (args) => ({
      contents: `let real;
module.exports = { saslprep: (...args) => (real ??= require(${JSON.stringify(args.path)})).saslprep(...args) };`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

module.exports = [zodEnglishOnly, nodeUrl, modernNodeOnly, lazySaslprep];
