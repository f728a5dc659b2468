/**
 * The handlers `npm run serve` runs: every route's function of functions/, by
 * the route table's names (the compiler refuses a table entry without one).
 */
import type { FunctionName } from '../lib/api/routes';
import type { LambdaHttpHandler } from '../lib/serve/server';
import { handler as changePassword } from '../functions/change-password';
import { handler as docs } from '../functions/docs';
import { handler as docsAsset } from '../functions/docs-asset';
import { handler as health } from '../functions/health';
import { handler as keepDelete } from '../functions/keep-delete';
import { handler as keepList } from '../functions/keep-list';
import { handler as keepPut } from '../functions/keep-put';
import { handler as libraries } from '../functions/libraries';
import { handler as libraryAccounts } from '../functions/library-accounts';
import { handler as librarySummary } from '../functions/library-summary';
import { handler as login } from '../functions/login';
import { handler as logout } from '../functions/logout';
import { handler as notFound } from '../functions/not-found';
import { handler as openapi } from '../functions/openapi';
import { handler as refresh } from '../functions/refresh';
import { handler as refreshStatus } from '../functions/refresh-status';
import { handler as settingsGet } from '../functions/settings-get';
import { handler as settingsPut } from '../functions/settings-put';
import { handler as settingsVerify } from '../functions/settings-verify';
import { handler as summary } from '../functions/summary';
import { handler as unused } from '../functions/unused';

export { handler as warmCache } from '../functions/warm-cache';

export const HTTP_HANDLERS = {
  health,
  login,
  refresh,
  refreshStatus,
  logout,
  changePassword,
  libraries,
  unused,
  librarySummary,
  summary,
  libraryAccounts,
  keepPut,
  keepDelete,
  keepList,
  settingsGet,
  settingsPut,
  settingsVerify,
  openapi,
  docs,
  docsAsset,
  notFound,
} satisfies Record<FunctionName, LambdaHttpHandler>;
