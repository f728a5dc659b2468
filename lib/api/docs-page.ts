import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { ApiResult } from '../http/types';

/**
 * GET /api/docs: Swagger UI over /api/openapi.json, served by plm itself from
 * the swagger-ui-dist package (no CDN), so it works offline, at home and under
 * a Content-Security-Policy that allows nothing but this origin. Paths are
 * relative, so the page works wherever the API is mounted.
 */

/** The page's own script: no inline script, so the CSP needs no 'unsafe-inline'. */
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    displayRequestDuration: true,
    tryItOutEnabled: false,
  });
});
`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>plm API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/docs.js"></script>
</body>
</html>
`;

/** The API's CSP opened only as far as the page needs: its own scripts, styles, images and calls. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  type: string;
  /** A file of swagger-ui-dist, or the text itself. */
  file?: string;
  text?: string;
  binary?: boolean;
}

const ASSETS = {
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', file: 'swagger-ui-bundle.js' },
  'swagger-ui.css': { type: 'text/css; charset=utf-8', file: 'swagger-ui.css' },
  'favicon-32x32.png': { type: 'image/png', file: 'favicon-32x32.png', binary: true },
  'docs.js': { type: 'text/javascript; charset=utf-8', text: INITIALIZER },
} as const satisfies Record<string, Asset>;

export type DocsAsset = keyof typeof ASSETS;
export const DOCS_ASSETS = Object.keys(ASSETS) as [DocsAsset, ...DocsAsset[]];
export const DocsAssetPath = z.object({ file: z.enum(DOCS_ASSETS) });

const docsHeaders = (contentType: string, cacheSeconds: number): Record<string, string> => ({
  'Content-Type': contentType,
  'Content-Security-Policy': DOCS_CSP,
  // Public files, the same for everyone: caches may keep them (the API's answers say no-store).
  'Cache-Control': cacheSeconds > 0 ? `public, max-age=${cacheSeconds}` : 'no-cache',
});

export const docsPage = (): ApiResult => ({
  statusCode: 200,
  headers: docsHeaders('text/html; charset=utf-8', 0),
  body: PAGE,
});

/** The package's folder, resolved at run time: in Lambda, serverless.yml copies its files beside the bundle. */
const distFolder = (): string => dirname(require.resolve('swagger-ui-dist/package.json'));

/** Each asset's answer body, read and encoded once per container (the UI bundle is 1.7 MB). */
const bodies = new Map<DocsAsset, string>();
const bodyOf = (name: DocsAsset): string => {
  let body = bodies.get(name);
  if (body === undefined) {
    const asset: Asset = ASSETS[name];
    const content = asset.file ? readFileSync(join(distFolder(), asset.file)) : Buffer.from(asset.text ?? '');
    body = asset.binary ? content.toString('base64') : content.toString('utf8');
    bodies.set(name, body);
  }
  return body;
};

export const docsAsset = (name: DocsAsset): ApiResult => {
  const asset: Asset = ASSETS[name];
  return {
    statusCode: 200,
    headers: docsHeaders(asset.type, 3600),
    body: bodyOf(name),
    isBase64Encoded: asset.binary === true,
  };
};
