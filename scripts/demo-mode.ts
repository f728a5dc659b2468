/**
 * Whether `npm start` runs the demo (fake Plex and Tautulli, and the user
 * demo / demo-password written into the database). Never into a real database
 * unless asked, and never in production.
 */
export interface DemoInputs {
  NODE_ENV?: string;
  PLEX_URL?: string;
  /** "true" forces the demo, "false" turns it off; unset: only with the embedded store */
  PLM_DEMO?: string;
  /** true when npm start runs its own embedded store (no MONGODB_URI given) */
  embeddedStore: boolean;
}

export interface DemoDecision {
  demo: boolean;
  /** what to tell the person starting it, when the demo is left out */
  note?: string;
}

export class DemoModeError extends Error {}

export const decideDemo = (inputs: DemoInputs): DemoDecision => {
  const requested = inputs.PLM_DEMO?.trim() || undefined;
  if (requested !== undefined && requested !== 'true' && requested !== 'false')
    throw new DemoModeError(`PLM_DEMO must be true or false, not "${requested}"`);
  const production = inputs.NODE_ENV === 'production';
  if (requested === 'true') {
    if (production)
      throw new DemoModeError('PLM_DEMO=true is refused with NODE_ENV=production: the demo creates demo/demo-password');
    if (inputs.PLEX_URL) throw new DemoModeError('PLM_DEMO=true serves a fake Plex: unset PLEX_URL');
    return { demo: true };
  }
  if (requested === 'false' || inputs.PLEX_URL) return { demo: false };
  if (production) return { demo: false, note: 'no PLEX_URL and NODE_ENV=production: no demo' };
  if (!inputs.embeddedStore)
    return {
      demo: false,
      note: "no PLEX_URL: each user sets their Plex in /api/settings (no demo user in MONGODB_URI's database; PLM_DEMO=true would create one)",
    };
  return { demo: true };
};
