import { judgeHistory, judgeLeaves, judgeTautulli, type SweepEvidence } from '../../../lib/media/rules/plausibility';
import { UnusedAccumulator } from '../../../lib/media/rules/unused';

const evidence = (e: Partial<SweepEvidence> = {}): SweepEvidence => ({
  units: 10,
  viewed: 0,
  expectedLeaves: 0,
  leaves: 0,
  historyRows: 0,
  tautulliRows: 10,
  tautulliPlayed: 0,
  ...e,
});

describe('plausibility of an empty answer', () => {
  it('an empty Plex history is believable only when nothing anywhere shows a play', () => {
    expect(judgeHistory(evidence(), { ownerToken: true, tautulliUsable: true }).ok).toBe(true);
    expect(judgeHistory(evidence({ viewed: 1 }), { ownerToken: true, tautulliUsable: true })).toEqual({
      ok: false,
      reason: expect.stringMatching(/empty although 1 items show plays/),
    });
    expect(judgeHistory(evidence({ tautulliPlayed: 3 }), { ownerToken: true, tautulliUsable: true }).ok).toBe(false);
    expect(
      judgeHistory(evidence({ historyRows: 1, viewed: 50, tautulliPlayed: 50 }), {
        ownerToken: true,
        tautulliUsable: true,
      }).ok,
    ).toBe(true);
  });

  it("Tautulli's plays say nothing about a non-owner token's own history, nor does an unusable Tautulli", () => {
    expect(judgeHistory(evidence({ tautulliPlayed: 3 }), { ownerToken: false, tautulliUsable: true }).ok).toBe(true);
    expect(judgeHistory(evidence({ tautulliPlayed: 3 }), { ownerToken: true, tautulliUsable: false }).ok).toBe(true);
    // The token's own plays are in its own history, owner or not.
    expect(judgeHistory(evidence({ viewed: 2 }), { ownerToken: false, tautulliUsable: true }).ok).toBe(false);
  });

  it('Tautulli with no rows for a library Plex lists items in has not scanned it', () => {
    expect(judgeTautulli(evidence({ tautulliRows: 0 })).ok).toBe(false);
    expect(judgeTautulli(evidence({ tautulliRows: 0, units: 0 })).ok).toBe(true);
    expect(judgeTautulli(evidence({ tautulliRows: 1 })).ok).toBe(true);
  });

  it('a leaf listing with under half of the announced episodes or tracks is not the library', () => {
    expect(judgeLeaves(evidence({ expectedLeaves: 100, leaves: 0 }), 'show').ok).toBe(false);
    expect(judgeLeaves(evidence({ expectedLeaves: 100, leaves: 49 }), 'artist').ok).toBe(false);
    expect(judgeLeaves(evidence({ expectedLeaves: 100, leaves: 50 }), 'show').ok).toBe(true);
    // Movies have no leaves; parents that announce nothing cannot be checked.
    expect(judgeLeaves(evidence({ expectedLeaves: 100 }), 'movie').ok).toBe(true);
    expect(judgeLeaves(evidence({ expectedLeaves: 0 }), 'show').ok).toBe(true);
  });
});

describe('the accumulator counts the evidence as pages fold in', () => {
  it('counts units, own plays, announced and listed leaves, history rows and Tautulli plays once each', () => {
    const acc = new UnusedAccumulator('show');
    const show = { type: 'show', title: 'S', year: null, addedAt: 1, lastViewedAt: null, viewCount: 0, sizeBytes: 0 };
    acc.addUnits([
      { ...show, ratingKey: 's1', leafCount: 2 },
      { ...show, ratingKey: 's2', leafCount: 3, viewCount: 1, lastViewedAt: 5 },
    ]);
    const seen = new Set<string>();
    const ep = { addedAt: 1, lastViewedAt: null, viewCount: 0, sizeBytes: 1, grandparentRatingKey: 's1' };
    acc.addLeaves(
      [
        { ...ep, ratingKey: 'e1' },
        { ...ep, ratingKey: 'e2', viewCount: 2, lastViewedAt: 9 },
      ],
      seen,
    );
    acc.addLeaves([{ ...ep, ratingKey: 'e2' }], seen); // a repeat across pages counts once
    acc.addHistory([{ ratingKey: 'e2', parentRatingKey: null, grandparentRatingKey: 's1', viewedAt: 9, accountId: 1 }]);
    acc.addTautulli([
      { ratingKey: 's1', lastPlayed: 9, playCount: 1 },
      { ratingKey: 's2', lastPlayed: null, playCount: 0 },
    ]);
    expect(acc.evidence()).toEqual({
      units: 2,
      viewed: 2,
      expectedLeaves: 5,
      leaves: 2,
      historyRows: 1,
      tautulliRows: 2,
      tautulliPlayed: 1,
    });
  });
});
