// The app's panels, in rail order; adding one is an entry here plus its component in App.svelte.
export type PanelId = 'dream' | 'zoom' | 'paint' | 'inspect' | 'gallery' | 'models';

export interface PanelInfo {
  id: PanelId;
  label: string;
  icon: 'sparkles' | 'zoom' | 'brush' | 'eye' | 'grid' | 'sliders';
  ready: boolean;
  blurb: string;
  shortcut: string;
}

export const PANELS: PanelInfo[] = [
  { id: 'dream', label: 'Dream', icon: 'sparkles', ready: true, blurb: 'Dream an image with any layer mix.', shortcut: '1' },
  { id: 'zoom', label: 'Zoom', icon: 'zoom', ready: true, blurb: 'Endless zoom animations: pick a centre, set zoom and rotation, render and export video.', shortcut: '2' },
  { id: 'paint', label: 'Paint', icon: 'brush', ready: true, blurb: 'Ping-pong with the model: paint over a frame, let it dream, repeat, and compile the session.', shortcut: '3' },
  { id: 'inspect', label: 'Inspect', icon: 'eye', ready: true, blurb: 'See what single filters respond to and compose them into objectives.', shortcut: '4' },
  { id: 'gallery', label: 'Gallery', icon: 'grid', ready: true, blurb: 'Every result, kept across restarts.', shortcut: '5' },
  { id: 'models', label: 'Models', icon: 'sliders', ready: true, blurb: 'Pick and download models, keep presets, and choose the backend and defaults.', shortcut: '6' },
];
