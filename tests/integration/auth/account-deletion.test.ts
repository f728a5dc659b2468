import { handler as getSettings } from '../../../functions/settings-get';
import { handler as putSettings } from '../../../functions/settings-put';
import { deleteAccount } from '../../../lib/auth/account-deletion';
import { findUserByUsername } from '../../../lib/auth/users';
import { getDb } from '../../../lib/db/client';
import { Collections } from '../../../lib/db/collections';
import { invoke } from '../../../dev/lambda';
import { registerSecret } from '../../helpers/logs';
import { createUserAndLogin } from '../../../dev/users';

describe('deleting an account', () => {
  it('removes its sessions and settings, so a new account of the same name inherits nothing', async () => {
    const plexToken = 'plex-token-of-frank-0123456789';
    registerSecret(plexToken);
    const frank = await createUserAndLogin('frank');
    const put = await invoke(putSettings, {
      method: 'PUT',
      path: '/api/settings',
      token: frank.token,
      body: { plexUrl: 'http://192.168.1.20:32400', plexToken },
    });
    expect(put.statusCode).toBe(200);

    await deleteAccount((await findUserByUsername('frank'))!);
    expect((await invoke(getSettings, { path: '/api/settings', token: frank.token })).statusCode).toBe(401);
    const db = await getDb();
    expect(await db.collection(Collections.settings).countDocuments({})).toBe(0);

    const newFrank = await createUserAndLogin('Frank');
    const res = await invoke(getSettings, { path: '/api/settings', token: newFrank.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ plexUrl: null, plexToken: { configured: false } });
  });
});
