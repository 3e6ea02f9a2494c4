// The Zoom and Paint helpers: UI ranges inside what the engine accepts, key rows to keyframes and
// back (checked by the engine's own parser), stroke drawing on a recording context, pointer maths.
import { describe, expect, it } from 'vitest';
import { checkParam, paramsAtFrame, parseKeyframes, type FrameParams } from '../../engine/recipe/keyframes.ts';
import { planEncode } from '../../engine/video/plan.ts';
import { canvasPoint, drawStroke, hexColour, type StrokeContext } from './strokes.ts';
import { SIZES } from './video.ts';
import { describeSwitch, emptyRow, fromKeyframes, KEY_LIMITS, KEY_VALUES, keyProblems, layerSpans, toKeyframes, ZOOM_FIELDS } from './zoomFields.ts';
import { clampField } from './recipeFields.ts';

describe('zoom fields and keyframes', () => {
  it('offers only values the engine accepts', () => {
    for (const spec of Object.values(ZOOM_FIELDS)) {
      if (spec.key === 'frames' || spec.key === 'tween') continue;
      for (const v of [spec.min, spec.max]) expect(checkParam('ui', spec.key, v)).toBe(v);
    }
    for (const k of KEY_VALUES) for (const v of [KEY_LIMITS[k].min, KEY_LIMITS[k].max]) expect(() => parseKeyframes([{ frame: 0, [k]: v }])).not.toThrow();
    expect(clampField(ZOOM_FIELDS.zoom, 1.0567)).toBe(1.06);
    expect(clampField(ZOOM_FIELDS.tween, -3)).toBe(0);
    expect(clampField(ZOOM_FIELDS.frames, Number.NaN)).toBe(1);
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

  it('turns a layer switch into keys the engine switches layers at, and back', () => {
    const rows = [{ ...emptyRow(5), layers: [{ name: 'mixed4', weight: 0.5 }, { name: 'mixed2', weight: 1 }], channels: [] }, { ...emptyRow(2), zoom: 1.1 }];
    const kf = toKeyframes(rows)!;
    expect(kf.keys).toEqual([{ frame: 2, zoom: 1.1 }, { frame: 5, layers: [{ name: 'mixed4', weight: 0.5 }, { name: 'mixed2', weight: 1 }], channels: [] }]);
    const parsed = parseKeyframes(JSON.parse(JSON.stringify(kf)));
    expect(parsed).toEqual(kf);
    const base: FrameParams = { zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, steps: 5, stepSize: 1.5, blend: 0, anchorColors: 0, layers: [{ name: 'mixed3', weight: 1 }], channels: [{ layer: 'mixed3', index: 1, weight: 1 }] };
    expect(paramsAtFrame(base, parsed, 4)).toMatchObject({ layers: base.layers, channels: base.channels });
    expect(paramsAtFrame(base, parsed, 5)).toMatchObject({ layers: [{ name: 'mixed4', weight: 0.5 }, { name: 'mixed2', weight: 1 }], channels: [] });
    expect(paramsAtFrame(base, parsed, 9).layers.map((l) => l.name)).toEqual(['mixed4', 'mixed2']);
    expect(fromKeyframes(kf)).toEqual([rows[1], rows[0]]);
    // A key from a file that names channels only still round-trips (layers: none from there on).
    const channelsOnly = parseKeyframes([{ frame: 1, channels: ['mixed4:97'] }]);
    expect(toKeyframes(fromKeyframes(channelsOnly))).toEqual(channelsOnly);
  });

  it('refuses a switch to a layer the model does not have, or to nothing, and lays the switches out on a timeline', () => {
    const names = ['mixed3', 'mixed4', 'mixed5'];
    const unknown = { ...emptyRow(4), layers: [{ name: 'mixed9', weight: 1 }], channels: [] };
    expect(keyProblems([unknown], 10, names)).toEqual(['At frame 4, the switch names "mixed9", which is not a layer of this model; pick one of mixed3, mixed4, mixed5.']);
    expect(keyProblems([unknown], 10)).toEqual([]); // the model's layers are not known yet
    expect(keyProblems([{ ...emptyRow(2), layers: [], channels: [] }], 10, names)).toEqual(['At frame 2, the layer switch names no layer: pick at least one, or remove the switch.']);
    expect(keyProblems([{ ...emptyRow(2), layers: [{ name: 'mixed4', weight: 9 }], channels: [] }], 10, names)).toEqual(['At frame 2, the weight of mixed4 must be from -4 to 4.']);

    const base = { layers: [{ name: 'mixed3', weight: 1 }], channels: [] };
    const rows = [{ ...emptyRow(1), zoom: 1.2 }, { ...emptyRow(6), layers: [{ name: 'mixed5', weight: 1 }], channels: [] }, { ...emptyRow(3), layers: [{ name: 'mixed4', weight: 0.5 }], channels: [] }];
    expect(layerSpans(rows, 10, base)).toEqual([
      { from: 0, to: 2, label: 'mixed3', switched: false },
      { from: 3, to: 5, label: 'mixed4 ×0.5', switched: true },
      { from: 6, to: 9, label: 'mixed5', switched: true },
    ]);
    expect(layerSpans([{ ...emptyRow(0), layers: [{ name: 'mixed5', weight: 1 }], channels: [] }], 4, base)).toEqual([{ from: 0, to: 3, label: 'mixed5', switched: true }]);
    expect(describeSwitch({ layers: [], channels: [{ layer: 'mixed4', index: 97, weight: -1 }] })).toBe('mixed4:97 ×-1');
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
