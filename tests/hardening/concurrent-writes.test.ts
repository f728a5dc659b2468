import { getDb } from '../../lib/db/client';
import { Collections } from '../../lib/db/collections';
import type { SettingsView } from '../../lib/settings/schema';
import { createUserAndLogin } from '../../dev/users';
import { call, route } from './harness';
import { Checks } from './tally';

/**
 * 50 settings PUTs of one user at the same moment: each accepted write gets its
 * own version (none overwritten unseen), the stored document is exactly the
 * write with the highest version (never a mix), and the audit trail has one
 * entry per accepted write.
 */
it('50 concurrent settings PUTs end in one consistent document with every accepted write in its history', async () => {
  const checks = new Checks('load', '50 concurrent settings PUTs of one user (in process)');
  const u = await createUserAndLogin();
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];
  const bodies = Array.from({ length: 50 }, (_, i) => ({
    defaultThresholdDays: 100 + i,
    cacheTtlMinutes: 200 + i,
    timezone: zones[i % zones.length],
    excludedLibraryIds: [String(i)],
  }));
  const answers = await Promise.all(bodies.map((body) => call(route('settingsPut'), { token: u.token, body })));
  const accepted = answers.filter((a) => a.statusCode === 200).map((a) => a.json<SettingsView>());
  const statuses = [...new Set(answers.map((a) => a.statusCode))];
  checks.note(`${accepted.length} accepted, statuses ${statuses.join('/')}`);
  checks.check(
    'every answer is 200 or 409',
    statuses.every((s) => s === 200 || s === 409),
    statuses.join(),
  );
  const versions = accepted.map((a) => a.version).sort((a, b) => a - b);
  checks.check(
    'each accepted write has its own version 1..n',
    versions.join() === versions.map((_, i) => i + 1).join(),
    versions.join(),
  );
  const stored = (await call(route('settingsGet'), { token: u.token })).json<SettingsView>();
  const last = accepted.find((a) => a.version === stored.version);
  checks.check(
    'the stored document is the last accepted write, unmixed',
    !!last && JSON.stringify(last) === JSON.stringify(stored),
  );
  const i = stored.defaultThresholdDays - 100;
  checks.check(
    'its fields all come from one request',
    stored.cacheTtlMinutes === 200 + i &&
      stored.excludedLibraryIds.join() === String(i) &&
      stored.timezone === zones[i % zones.length],
  );
  const audits = await (await getDb()).collection(Collections.audit).countDocuments({
    type: 'settings_change',
    userId: { $exists: true },
    'details.version': { $gte: 1 },
    username: u.username,
  });
  checks.check('one audit entry per accepted write', audits === accepted.length, `${audits} vs ${accepted.length}`);
  checks.done(50);
});
