// The Zoom and Paint helpers: UI ranges inside what the engine accepts, key rows to keyframes and
// back (checked by the engine's own parser), stroke drawing on a recording context, pointer maths.
import { describe, expect, it } from 'vitest';
import { checkParam, parseKeyframes } from '../../engine/animate/keyframes.ts';
import { planEncode } from '../../engine/video/plan.ts';
import { canvasPoint, drawStroke, hexColour, type StrokeContext } from './strokes.ts';
import { SIZES } from './video.ts';
import { clampZoomField, emptyRow, fromKeyframes, KEY_LIMITS, KEY_VALUES, keyProblems, toKeyframes, ZOOM_FIELDS } from './zoomFields.ts';

describe('zoom fields and keyframes', () => {
  it('offers only values the engine accepts', () => {
    for (const spec of Object.values(ZOOM_FIELDS)) {
      if (spec.key === 'frames' || spec.key === 'tween') continue;
      for (const v of [spec.min, spec.max]) expect(checkParam('ui', spec.key, v)).toBe(v);
    }
    for (const k of KEY_VALUES) for (const v of [KEY_LIMITS[k].min, KEY_LIMITS[k].max]) expect(() => parseKeyframes([{ frame: 0, [k]: v }])).not.toThrow();
    expect(clampZoomField(ZOOM_FIELDS.zoom, 1.0567)).toBe(1.06);
    expect(clampZoomField(ZOOM_FIELDS.tween, -3)).toBe(0);
    expect(clampZoomField(ZOOM_FIELDS.frames, Number.NaN)).toBe(1);
    for (const s of SIZES) expect(() => planEncode({ out: 'a.mp4', size: s.size }, { width: 97, height: 55 })).not.toThrow();
  });

  it('turns rows into keyframes the engine parses, in frame order, and back', () => {
    const rows = [{ ...emptyRow(8), rotate: -5, ease: true }, { ...emptyRow(2), zoom: 1.2, centerX: 0.25 }];
    const kf = toKeyframes(rows)!;
    expect(parseKeyframes(kf)).toEqual(kf);
    expect(kf.keys.map((k) => k.frame)).toEqual([2, 8]);
    expect(fromKeyframes(kf)).toEqual([rows[1], rows[0]]);
    expect(toKeyframes([])).toBeNull();
  });

  it('says what is wrong with rows, in words', () => {
    expect(keyProblems([emptyRow(3), emptyRow(3), { ...emptyRow(12), zoom: 20 }, emptyRow(-1)], 10)).toEqual([
      'Two keys are at frame 3; keep one.',
      'The key at frame 12 comes after the last frame (9).',
      'At frame 12, Zoom must be from 0.1 to 10.',
      "A key's frame must be a whole number from 0 (got -1).",
    ]);
  });
});

describe('strokes', () => {
  function recorder() {
    const log: string[] = [];
    const ctx = {
      globalAlpha: 1, globalCompositeOperation: 'source-over', strokeStyle: '', lineWidth: 1, lineCap: 'butt', lineJoin: 'miter',
      save: () => log.push('save'), restore: () => log.push('restore'), beginPath: () => log.push('begin'),
      moveTo: (x: number, y: number) => log.push(`move ${x},${y}`), lineTo: (x: number, y: number) => log.push(`line ${x},${y}`),
      stroke: () => log.push(`stroke ${ctx.globalCompositeOperation} ${ctx.globalAlpha} ${String(ctx.strokeStyle)} ${ctx.lineWidth} ${ctx.lineCap}`),
    } satisfies StrokeContext;
    return { ctx, log };
  }

  it('strokes a path once with its opacity; the eraser removes paint; a click is a dot', () => {
    const { ctx, log } = recorder();
    drawStroke(ctx, { tool: 'brush', colour: '#ff0000', size: 9, opacity: 0.5, points: [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 4 }] });
    drawStroke(ctx, { tool: 'eraser', colour: '#ff0000', size: 4, opacity: 1, points: [{ x: 7, y: 7 }] });
    expect(log).toEqual([
      'save', 'begin', 'move 1,2', 'line 3,4', 'line 5,4', 'stroke source-over 0.5 #ff0000 9 round', 'restore',
      'save', 'begin', 'move 7,7', 'line 7.01,7', 'stroke destination-out 1 #ff0000 4 round', 'restore',
    ]);
  });

  it('maps pointers onto canvas pixels and writes colours as hex', () => {
    const box = { left: 100, top: 50, width: 400, height: 300 };
    expect(canvasPoint(300, 200, box, 128, 96)).toEqual({ x: 64, y: 48 });
    expect(canvasPoint(0, 1000, box, 128, 96)).toEqual({ x: 0, y: 96 });
    expect(hexColour(255, 8.4, -3)).toBe('#ff0800');
  });
});
