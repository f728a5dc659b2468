import { decideDemo, DemoModeError } from '../../../scripts/demo-mode';

describe('npm start: demo mode only where it cannot hurt', () => {
  it.each([
    [{ embeddedStore: true }, true],
    [{ embeddedStore: false }, false],
    [{ embeddedStore: true, PLEX_URL: 'http://plex:32400' }, false],
    [{ embeddedStore: true, PLM_DEMO: 'false' }, false],
    [{ embeddedStore: true, NODE_ENV: 'production' }, false],
    [{ embeddedStore: false, PLM_DEMO: 'true' }, true],
  ])('%j → demo %s', (inputs, demo) => {
    expect(decideDemo(inputs).demo).toBe(demo);
  });

  it('says why a real database gets no demo user', () => {
    expect(decideDemo({ embeddedStore: false }).note).toMatch(/no demo user in MONGODB_URI's database/);
  });

  it('refuses an explicit demo in production, beside a real Plex, or a value it does not know', () => {
    expect(() => decideDemo({ embeddedStore: false, PLM_DEMO: 'true', NODE_ENV: 'production' })).toThrow(
      /refused with NODE_ENV=production/,
    );
    expect(() => decideDemo({ embeddedStore: true, PLM_DEMO: 'true', PLEX_URL: 'http://plex:32400' })).toThrow(
      DemoModeError,
    );
    expect(() => decideDemo({ embeddedStore: true, PLM_DEMO: 'yes' })).toThrow(/PLM_DEMO must be true or false/);
  });
});
