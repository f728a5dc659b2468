import { existsSync } from 'node:fs';

/**
 * The Chromium the browser tests drive (Debian's `chromium` package; .ci/run
 * installs it). A missing browser fails the test with this message: the
 * browser tests are never skipped.
 */
const CANDIDATES = [
  '/usr/lib/chromium/chromium', // Debian's binary (/usr/bin/chromium is a shell wrapper around it)
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

export const findChromium = (): string => {
  const chosen = process.env.PLM_TEST_CHROMIUM;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`PLM_TEST_CHROMIUM=${chosen} does not exist`);
    return chosen;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `No Chromium found (looked for ${CANDIDATES.join(', ')}). Install Debian's package — ` +
        '`apt-get update && apt-get install -y chromium` (.ci/run does) — or set PLM_TEST_CHROMIUM to a Chromium binary.',
    );
  }
  return found;
};
