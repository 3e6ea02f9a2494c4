// The Zoom panel's state against a scripted host: the centre and settings, keyframe rows, a
// preview, a render whose frames arrive as events, cancel (also before the job exists), resume,
// projects from the gallery, and the video export with saving.
import { describe, expect, it } from 'vitest';
import type { VideoFile, ZoomItem } from '../../contract/projects.ts';
import type { InputImage, JobProgress } from '../../contract/types.ts';
import { DEFAULT_ZOOM } from '../lib/zoomFields.ts';
import { Notices } from './notices.svelte.ts';
import { testHost, type Script } from './testHost.ts';
import { ZOOM_RECIPE, ZoomState } from './zoom.svelte.ts';

const input: InputImage = { id: 'in1', name: 'cat.jpg', width: 400, height: 300, url: '/files/inputs/in1/display.jpg' };
const frame = (i: number): string => `/files/zoom/z1/project/frame_0000${i}.png`;
const project = (frames: number, status: ZoomItem['status'] = 'complete'): ZoomItem => ({
  id: 'z1', kind: 'zoom', createdAt: '2030-01-01T00:00:00Z', updatedAt: '2030-01-01T00:00:00Z', input: { id: 'in1', name: 'cat.jpg' }, sourceUrl: '/files/zoom/z1/project/source/input.png',
  recipe: ZOOM_RECIPE, settings: { ...DEFAULT_ZOOM, frames: 4, keyframes: { version: 1, interpolation: 'linear', keys: [{ frame: 2, zoom: 1.2, interpolation: 'ease' }] } },
  maxSide: 256, width: 256, height: 192, status, error: null, frameUrls: Array.from({ length: frames }, (_, i) => frame(i)), thumbUrl: '/t', exports: [], jobId: null,
});
const progress = (jobId: string, index?: number): JobProgress => ({ jobId, kind: 'zoom', done: 1, total: 4, label: 'frame 1/4 · step 1/2', elapsedMs: 1, etaMs: 1, ...(index !== undefined ? { frame: { index, url: frame(index) } } : {}) });
const video: VideoFile = { file: 'zoom-a.mp4', url: '/files/zoom/z1/exports/zoom-a.mp4', format: 'mp4', frames: 4, durationS: 0.5, width: 256, height: 192, createdAt: 'x' };

function setup(script: Script = {}, layers: string[] = [], farmUrl: string | null = null) {
  const host = testHost({
    'image.import': () => input,
    'zoom.create': () => project(0, 'new'),
    'zoom.run': () => ({ jobId: 'render', position: 0 }),
    'zoom.resume': () => ({ jobId: 'resume', position: 0 }),
    'zoom.preview': () => ({ jobId: 'preview', position: 0 }),
    'job.cancel': () => ({ cancelled: true }),
    'gallery.get': () => project(2, 'cancelled'),
    'video.export': () => ({ jobId: 'export', position: 0 }),
    'video.save': () => ({ kind: 'download', url: `${video.url}?download=x.mp4`, fileName: 'x.mp4' }),
    ...script,
  });
  const downloads: string[] = [];
  const zoom = new ZoomState({ api: host.api, notices: new Notices({ set: () => undefined }), picker: { pick: async () => null }, download: (url) => downloads.push(url), channelCounts: () => new Map(layers.map((l) => [l, 256])), farmUrl: () => farmUrl });
  return { host, zoom, downloads, calls: (channel: string) => host.calls.filter((c) => c.channel === channel).map((c) => c.request) };
}

describe('ZoomState', () => {
  it('takes a centre from clicks, clamps settings, and turns key rows into keyframes', async () => {
    const { zoom } = setup();
    expect(zoom.problems).toEqual(['Open an image to zoom into.']);
    await zoom.importFile({ name: 'cat.jpg', data: new Uint8Array([1]) });
    zoom.setCentre(0.31234, 1.4);
    expect([zoom.values.centerX, zoom.values.centerY]).toEqual([0.312, 1]);
    zoom.set('zoom', 9);
    zoom.set('frames', 12.4);
    zoom.set('blend', 0.333);
    expect([zoom.values.zoom, zoom.values.frames, zoom.values.blend]).toEqual([2, 12, 0.33]);
    zoom.keys.add(12, 1.05);
    zoom.keys.add(12, 1.05);
    expect(zoom.keys.rows.map((r) => r.frame)).toEqual([6, 9]);
    zoom.keys.update(1, { frame: 6 });
    expect(zoom.problems).toEqual(['Two keys are at frame 6; keep one.']);
    expect(zoom.canRender).toBe(false);
    zoom.keys.update(1, { frame: 3, rotate: 10, ease: true });
    expect(zoom.settings.keyframes).toEqual({ version: 1, interpolation: 'linear', keys: [{ frame: 3, zoom: 1.05, rotate: 10, interpolation: 'ease' }, { frame: 6, zoom: 1.05 }] });
    zoom.keys.remove(0);
    expect(zoom.keys.rows).toHaveLength(1);
    expect(zoom.canRender).toBe(true);
  });

  it('switches layers at a key (the model\'s layers, with weights) and sends the switch with the render and the preview', async () => {
    const { zoom, calls } = setup({}, ['mixed3', 'mixed4', 'mixed5']);
    zoom.useImage(input);
    zoom.set('frames', 6);
    zoom.keys.add(6, 1.05);
    zoom.keys.startSwitch(0, zoom.recipe.layers);
    expect(zoom.keys.rows[0]!.layers).toEqual(ZOOM_RECIPE.layers);
    for (const l of ZOOM_RECIPE.layers) zoom.keys.toggleLayer(0, l.name);
    expect(zoom.problems).toEqual(['At frame 3, the layer switch names no layer: pick at least one, or remove the switch.']);
    zoom.keys.toggleLayer(0, 'mixed4');
    zoom.keys.setWeight(0, 'mixed4', 0.456);
    zoom.keys.setWeight(0, 'mixed4', Number.NaN); // a cleared cell keeps the weight
    expect(zoom.keys.weightOf(0, 'mixed4')).toBe(0.46);
    expect(zoom.problems).toEqual([]);
    const keyframes = { version: 1, interpolation: 'linear', keys: [{ frame: 3, zoom: 1.05, layers: [{ name: 'mixed4', weight: 0.46 }], channels: [] }] };
    expect(zoom.settings.keyframes).toEqual(keyframes);
    await zoom.startPreview();
    zoom.onEvent({ jobId: 'preview', kind: 'zoom-preview', state: 'done', item: null, frames: [] });
    await zoom.startRender();
    expect(calls('zoom.preview')).toMatchObject([{ settings: { keyframes } }]);
    expect(calls('zoom.create')).toMatchObject([{ settings: { keyframes } }]);
    zoom.keys.clearSwitch(0);
    expect(zoom.settings.keyframes).toEqual({ version: 1, interpolation: 'linear', keys: [{ frame: 3, zoom: 1.05 }] });
  });

  it('refuses a switch to a layer the model does not have, and sends nothing', async () => {
    const { zoom, calls } = setup({}, ['mixed3', 'mixed4', 'mixed5']);
    zoom.useImage(input);
    zoom.keys.load({ version: 1, interpolation: 'linear', keys: [{ frame: 2, layers: [{ name: 'block_6_expand_relu', weight: 1 }], channels: [] }] });
    expect(zoom.problems).toEqual(['At frame 2, the switch names "block_6_expand_relu", which is not a layer of this model; pick one of mixed3, mixed4, mixed5.']);
    expect(zoom.canRender).toBe(false);
    await zoom.startRender();
    await zoom.startPreview();
    expect([...calls('zoom.create'), ...calls('zoom.preview')]).toEqual([]);
    zoom.keys.toggleLayer(0, 'block_6_expand_relu');
    zoom.keys.toggleLayer(0, 'mixed5');
    expect(zoom.canRender).toBe(true);
  });

  it('previews a few small frames, shown as they arrive', async () => {
    const { zoom, calls } = setup();
    zoom.useImage(input);
    zoom.preview.count = 3;
    zoom.preview.side = 96;
    await zoom.startPreview();
    expect(calls('zoom.preview')).toEqual([{ inputId: 'in1', recipe: ZOOM_RECIPE, settings: { ...zoom.settings, frames: 3 }, maxSide: 96 }]);
    expect(zoom.strip).toBe('preview');
    zoom.onEvent(progress('preview', 0));
    zoom.onEvent(progress('someone-else', 1));
    expect(zoom.frames).toEqual([frame(0)]);
    zoom.onEvent({ jobId: 'preview', kind: 'zoom-preview', state: 'done', item: null, frames: [frame(0), frame(1), frame(2)] });
    expect(zoom.frames).toHaveLength(3);
    expect(zoom.busy).toBe(false);
  });

  it('renders a new project with frames as they land, and keeps it when done', async () => {
    const { zoom, calls } = setup();
    zoom.useImage(input);
    zoom.maxSide = 256;
    await zoom.startRender();
    expect(calls('zoom.create')).toEqual([{ inputId: 'in1', recipe: ZOOM_RECIPE, settings: zoom.settings, maxSide: 256 }]);
    expect(calls('zoom.run')).toEqual([{ id: 'z1' }]);
    expect(zoom.render.phase).toBe('running');
    zoom.onEvent(progress('render', 0));
    zoom.onEvent(progress('render', 1));
    expect(zoom.projectFrames).toEqual([frame(0), frame(1)]);
    // The stage follows the newest frame as it lands.
    expect(zoom.stageFrame).toBe(1);
    expect(zoom.render.statusText).toBe('frame 1/4 · step 1/2 · almost done');
    zoom.onEvent({ jobId: 'render', kind: 'zoom', state: 'done', item: project(4) });
    expect(zoom.project?.status).toBe('complete');
    expect(zoom.frames).toEqual(project(4).frameUrls);
    expect(zoom.stageFrame).toBe(3);
    zoom.shown = 1;
    expect(zoom.stageFrame).toBe(1);
    zoom.showSource();
    expect(zoom.stageFrame).toBeNull();
    expect(zoom.canResume).toBe(false);
  });

  it('sends render and resume to the farm only when a farm is saved and asked for', async () => {
    const unsaved = setup();
    unsaved.zoom.useImage(input);
    unsaved.zoom.sendToFarm = true;
    await unsaved.zoom.startRender();
    expect(unsaved.calls('zoom.run')).toEqual([{ id: 'z1' }]);
    const { zoom, calls } = setup({}, [], 'redis://127.0.0.1:6379');
    zoom.useImage(input);
    await zoom.startRender();
    zoom.sendToFarm = true;
    zoom.onEvent({ jobId: 'render', kind: 'zoom', state: 'cancelled' });
    await new Promise((r) => setTimeout(r, 0));
    await zoom.resume();
    expect(calls('zoom.run')).toEqual([{ id: 'z1' }]);
    expect(calls('zoom.resume')).toEqual([{ id: 'z1', farm: true }]);
  });

  it('cancels a render (even before its job exists) and resumes it', async () => {
    const { zoom, calls } = setup();
    zoom.useImage(input);
    const starting = zoom.startRender();
    expect(zoom.busy).toBe(true);
    await zoom.cancel();
    await starting;
    expect(calls('zoom.run')).toEqual([]);
    expect(zoom.canResume).toBe(true);

    await zoom.resume();
    expect(calls('zoom.resume')).toEqual([{ id: 'z1' }]);
    zoom.onEvent(progress('resume', 0));
    await zoom.cancel();
    expect(calls('job.cancel')).toEqual([{ jobId: 'resume' }]);
    zoom.onEvent({ jobId: 'resume', kind: 'zoom', state: 'cancelled' });
    await new Promise((r) => setTimeout(r, 0));
    expect(zoom.project?.frameUrls).toHaveLength(2);
    expect(zoom.canResume).toBe(true);
  });

  it('opens a project from the gallery with its settings, keys and last video', () => {
    const { zoom } = setup();
    zoom.openProject({ ...project(4), exports: [video] });
    expect(zoom.input).toMatchObject({ id: 'in1', url: '/files/zoom/z1/project/source/input.png', width: 256 });
    expect(zoom.keys.rows).toEqual([{ frame: 2, ease: true, zoom: 1.2, rotate: null, centerX: null, centerY: null, steps: null, layers: null, channels: null }]);
    expect(zoom.settings).toEqual(project(4).settings);
    expect(zoom.shown).toBe(0);
    expect(zoom.exporter.last).toEqual(video);
  });

  it('follows and cancels a render that was running before the page opened the project', async () => {
    const { zoom, calls } = setup();
    zoom.openProject({ ...project(1, 'running'), jobId: 'earlier' });
    expect(zoom.render.phase).toBe('running');
    expect(zoom.busy).toBe(true);
    zoom.onEvent(progress('earlier', 1));
    expect(zoom.projectFrames).toEqual([frame(0), frame(1)]);
    await zoom.cancel();
    expect(calls('job.cancel')).toEqual([{ jobId: 'earlier' }]);
  });

  it('exports a video with the chosen options and saves it', async () => {
    const { zoom, calls, downloads } = setup();
    expect(zoom.exporter.canExport).toBe(false);
    zoom.openProject(project(4));
    zoom.exporter.fps = 60;
    zoom.exporter.setFormat('gif');
    expect(zoom.exporter.fps).toBe(50);
    expect(zoom.exporter.options.quality).toBeNull();
    zoom.exporter.fps = 0;
    expect(zoom.exporter.problems).toEqual(['The frame rate must be above 0 and at most 50 for GIF.']);
    expect(zoom.exporter.canExport).toBe(false);
    zoom.exporter.fps = 50;
    zoom.exporter.setFormat('webm');
    expect(zoom.exporter.crf).toBe(31);
    zoom.exporter.crf = 70;
    expect(zoom.exporter.problems).toEqual(['Quality (CRF) must be a whole number from 0 to 63.']);
    zoom.exporter.crf = 31;
    zoom.exporter.sizeId = '720p';
    await zoom.exporter.export();
    expect(calls('video.export')).toEqual([{ id: 'z1', format: 'webm', fps: 50, quality: 31, size: { width: 1280, height: 720 } }]);
    zoom.onEvent({ jobId: 'export', kind: 'video', state: 'done', item: project(4), video });
    expect(zoom.exporter.last).toEqual(video);
    await zoom.exporter.save();
    expect(calls('video.save')).toEqual([{ id: 'z1', file: 'zoom-a.mp4' }]);
    expect(downloads).toEqual([`${video.url}?download=x.mp4`]);
  });
});
