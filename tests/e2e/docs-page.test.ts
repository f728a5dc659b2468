import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { type Browser, chromium, type Page } from 'playwright-core';
import { findChromium } from '../helpers/chromium';
import { startServeWithLibrary, type ServedWithData } from '../helpers/serve';

/**
 * GET /api/docs in a real headless Chromium, against the running API (npm run
 * serve): the page loads under the API's Content-Security-Policy with no console
 * error, lists every operation of the document, and "Try it out" works for
 * login and unused. PLM_UPDATE_SCREENSHOT=1 rewrites docs/api-docs.png.
 */
jest.setTimeout(120_000);

let served: ServedWithData;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const executablePath = findChromium(); // throws a clear message when there is none
  served = await startServeWithLibrary();
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(served.url)) problems.push(`left the origin: ${request.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await served?.stopAll();
});

const operation = (tag: string, id: string) => page.locator(`#operations-${tag}-${id}`);

/** Expands an operation, presses "Try it out", lets `fill` set the inputs, executes; the status shown. */
const tryItOut = async (
  tag: string,
  id: string,
  fill: () => Promise<void>,
): Promise<{ status: string; body: string }> => {
  const op = operation(tag, id);
  await op.locator('.opblock-summary').first().click();
  await op.locator('.try-out__btn').click();
  await fill();
  await op.locator('button.execute').click();
  const row = op.locator('.live-responses-table tbody tr.response').first();
  await row.waitFor({ timeout: 30_000 });
  return {
    status: ((await row.locator('.response-col_status').textContent()) ?? '').trim(),
    body: (await row.locator('.response-col_description pre').first().textContent()) ?? '',
  };
};

describe('the docs page in Chromium', () => {
  it('loads under the API’s CSP without a console error and lists every operation', async () => {
    const response = await page.goto(`${served.url}/api/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock').first().waitFor();
    const listed = await page.locator('.opblock').evaluateAll((els) => els.map((e) => e.id).sort());
    const doc = (await (await fetch(`${served.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
    };
    const documented = Object.values(doc.paths)
      .flatMap((ops) => Object.values(ops))
      .map((op) => `operations-${op.tags[0]}-${op.operationId}`)
      .sort();
    expect(listed).toEqual(documented);
    const shot = process.env.PLM_UPDATE_SCREENSHOT
      ? join(__dirname, '..', '..', 'docs', 'api-docs.png')
      : join(tmpdir(), 'plm-api-docs.png');
    await page.screenshot({ path: shot });
    expect(problems).toEqual([]);
  });

  it('logs in with "Try it out", authorizes, and lists unused media', async () => {
    const login = await tryItOut('auth', 'login', async () => {
      await operation('auth', 'login')
        .locator('textarea.body-param__text')
        .fill(JSON.stringify({ username: served.username, password: served.password }));
    });
    expect(login.status).toBe('200');
    const { token } = JSON.parse(login.body) as { token: string };

    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('.modal-ux input').first().fill(token);
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const unused = await tryItOut('media', 'unused', async () => {
      const op = operation('media', 'unused');
      await op.locator('tr[data-param-name="id"] input').fill('1');
      await op.locator('tr[data-param-name="threshold"] input').fill('30');
      await op.locator('tr[data-param-name="limit"] input').fill('3');
    });
    expect(unused.status).toBe('200');
    expect(JSON.parse(unused.body)).toHaveLength(3);
    expect(problems).toEqual([]);
  });
});
