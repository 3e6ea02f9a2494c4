// The session video's timeline on its own: order, holds and crossfade counts.
import { describe, expect, it } from 'vitest';
import { sessionTimeline } from './sessionVideo.ts';

const rounds = [
  { painting: 'p1', frames: ['a0', 'a1', 'a2'] },
  { painting: 'p2', frames: ['b0', 'b1'] },
  { painting: 'p3', frames: [] },
];

describe('sessionTimeline', () => {
  it('plays each painting, its frames, then the next painting, with no crossfades by default', () => {
    const t = sessionTimeline(rounds, { hold: 1, crossfade: 0 });
    expect(t.map((e) => (e.kind === 'crossfade' ? 'x' : e.path))).toEqual(['p1', 'a0', 'a1', 'a2', 'p2', 'b0', 'b1', 'p3']);
    expect(t.map((e) => e.kind)).toEqual(['painting', 'frame', 'frame', 'frame', 'painting', 'frame', 'frame', 'painting']);
  });

  it('holds paintings and puts crossfade frames at every cut, blending from one picture to the next', () => {
    const t = sessionTimeline(rounds, { hold: 2, crossfade: 3 });
    // 3 paintings x 2 + 5 frames + 4 cuts x 3 crossfades
    expect(t).toHaveLength(6 + 5 + 12);
    const fades = t.filter((e) => e.kind === 'crossfade');
    expect(fades.slice(0, 3)).toEqual([0.25, 0.5, 0.75].map((tt) => ({ kind: 'crossfade', from: 'p1', to: 'a0', t: tt })));
    expect(fades.slice(3, 6).map((e) => [e.from, e.to])).toEqual(Array(3).fill(['a2', 'p2']));
    expect(fades.slice(9).map((e) => [e.from, e.to])).toEqual(Array(3).fill(['b1', 'p3']));
    expect(t.slice(0, 2)).toEqual([{ kind: 'painting', path: 'p1' }, { kind: 'painting', path: 'p1' }]);
  });
});
