import { version } from '../package.json';

/** plm's version, from package.json (esbuild inlines just this field). */
export const VERSION: string = version;
