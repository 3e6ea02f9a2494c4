// The recipe being edited: every parameter, the layer weights, channel terms, and presets.
import type { ChannelTerm, ClassTerm, LayerTerm, Recipe } from '../../contract/types.ts';
import { DEFAULT_PRESET, PRESETS, matchPreset, type Preset } from '../lib/presets.ts';
import { ARTIST_FIELDS, DEFAULT_PATTERN_SIZE, FIELDS, clampField, type NumericField } from '../lib/recipeFields.ts';

export class RecipeState {
  model = $state(DEFAULT_PRESET.recipe.model);
  layers = $state<LayerTerm[]>([]);
  channels = $state<ChannelTerm[]>([]);
  /** Class terms (set by the inspector, kept as loaded so recipes round-trip). */
  classes = $state<ClassTerm[]>([]);
  steps = $state(0);
  stepSize = $state(0);
  octaves = $state(0);
  octaveScale = $state(0);
  tileSize = $state(0);
  jitter = $state(0);
  seed = $state(0);
  /** Pattern size (a share of the short side) when octaves follow the image size; null: fixed octaves. */
  patternSize = $state<number | null>(null);
  /** 0..100: how far the result is blended back toward the original. */
  fade = $state(0);
  /** The starting points offered for the active model (PresetPicker). */
  presets = $state<Preset[]>(PRESETS);
  /** The user's saved presets for this recipe's model (the app wires it to the preset store). */
  saved: () => Preset[] = () => [];

  constructor(
    initial: Recipe = DEFAULT_PRESET.recipe,
    private readonly random: () => number = Math.random,
  ) {
    this.load(initial);
  }

  /** The recipe as plain JSON, ready for the host. */
  get recipe(): Recipe {
    // Version 2 only when a version-2 field is used, as the engine writes it.
    const extras = { ...(this.patternSize !== null ? { patternSize: this.patternSize } : {}), ...(this.fade > 0 ? { fade: this.fade } : {}) };
    // A term's mask (by content hash) stays with it; the Dream panel sends the image it names.
    const mask = (t: { mask?: string }) => (t.mask ? { mask: t.mask } : {});
    const terms = [...this.layers, ...this.channels, ...this.classes];
    return {
      version: Object.keys(extras).length || terms.some((t) => t.mask) ? 2 : 1,
      model: this.model,
      layers: this.layers.map((l) => ({ name: l.name, weight: l.weight, ...mask(l) })),
      channels: this.channels.map((c) => ({ layer: c.layer, index: c.index, weight: c.weight, ...mask(c) })),
      classes: this.classes.map((c) => ({ name: c.name, weight: c.weight, ...mask(c) })),
      steps: this.steps,
      stepSize: this.stepSize,
      octaves: this.octaves,
      octaveScale: this.octaveScale,
      tileSize: this.tileSize,
      jitter: this.jitter,
      seed: this.seed,
      ...extras,
    };
  }

  /** Built-in or curated presets, then the user's own. */
  get offered(): Preset[] {
    return [...this.presets, ...this.saved()];
  }

  get preset(): Preset | null {
    return matchPreset(this.recipe, this.offered);
  }

  /** The preset whose objective this recipe dreams on, whatever its steps and octaves. */
  get look(): Preset | null {
    return matchPreset(this.recipe, this.offered, true);
  }

  /** What stops this recipe from running, in words; empty when it can run. */
  problems(channelCounts: ReadonlyMap<string, number> = new Map()): string[] {
    const found: string[] = [];
    if (this.layers.length + this.channels.length + this.classes.length === 0) found.push('Pick at least one layer to dream on.');
    for (const c of this.channels) {
      const n = channelCounts.get(c.layer);
      if (n !== undefined && c.index >= n) found.push(`${c.layer} has channels 0–${n - 1}; ${c.index} is out of range.`);
    }
    return found;
  }

  load(recipe: Recipe): void {
    this.model = recipe.model;
    this.layers = recipe.layers.map((l) => ({ ...l }));
    this.channels = recipe.channels.map((c) => ({ ...c }));
    this.classes = (recipe.classes ?? []).map((c) => ({ ...c }));
    this.steps = recipe.steps;
    this.stepSize = recipe.stepSize;
    this.octaves = recipe.octaves;
    this.octaveScale = recipe.octaveScale;
    this.tileSize = recipe.tileSize;
    this.jitter = recipe.jitter;
    this.seed = recipe.seed;
    this.patternSize = recipe.patternSize ?? null;
    this.fade = recipe.fade ?? 0;
  }

  /**
   * Applies a preset's settings; the seed, pattern size and fade stay, so presets compare alike.
   * `lookOnly` takes only what it dreams on, keeping this recipe's steps, octaves and the rest.
   */
  applyPreset(id: string, lookOnly = false): void {
    const p = this.offered.find((x) => x.id === id);
    if (!p) return;
    const [patternSize, fade] = [this.patternSize, this.fade];
    const { layers, channels, classes, model } = p.recipe;
    this.load(lookOnly ? { ...this.recipe, layers, channels, classes: classes ?? [], model } : { ...p.recipe, seed: this.seed });
    [this.patternSize, this.fade] = [patternSize, fade];
  }

  set(field: NumericField, value: number): void {
    this[field] = clampField(FIELDS[field], value);
  }

  /** Octaves from the image size (at the last or default pattern size), or the fixed count. */
  setAutoOctaves(on: boolean): void {
    this.patternSize = on ? (this.patternSize ?? DEFAULT_PATTERN_SIZE) : null;
  }

  setPatternSize(value: number): void {
    this.patternSize = clampField(ARTIST_FIELDS.patternSize, value);
  }

  setFade(value: number): void {
    this.fade = clampField(ARTIST_FIELDS.fade, value);
  }

  isLayerOn(name: string): boolean {
    return this.layers.some((l) => l.name === name);
  }

  weightOf(name: string): number {
    return this.layers.find((l) => l.name === name)?.weight ?? 1;
  }

  toggleLayer(name: string): void {
    if (this.isLayerOn(name)) this.layers = this.layers.filter((l) => l.name !== name);
    else this.layers = [...this.layers, { name, weight: 1 }].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  }

  setWeight(name: string, weight: number): void {
    const w = Math.round(Math.min(4, Math.max(-4, weight)) * 100) / 100;
    this.layers = this.layers.map((l) => (l.name === name ? { ...l, weight: w } : l));
  }

  addChannel(layer: string, index = 0, weight = 1): void {
    this.channels = [...this.channels, { layer, index: Math.max(0, Math.round(index)), weight }];
  }

  updateChannel(i: number, change: Partial<ChannelTerm>): void {
    this.channels = this.channels.map((c, j) => (j === i ? { ...c, ...change, index: Math.max(0, Math.round(change.index ?? c.index)) } : c));
  }

  removeChannel(i: number): void {
    this.channels = this.channels.filter((_, j) => j !== i);
  }

  hasClass(name: string): boolean {
    return this.classes.some((c) => c.name === name);
  }

  /** Adds a class term (once per class); `name` is how the model's labels name it ("jellyfish", "#107"). */
  addClass(name: string, weight = 1): void {
    if (!this.hasClass(name)) this.classes = [...this.classes, { name, weight }];
  }

  setClassWeight(name: string, weight: number): void {
    const w = Math.round(Math.min(10, Math.max(-10, weight)) * 100) / 100;
    this.classes = this.classes.map((c) => (c.name === name ? { ...c, weight: w } : c));
  }

  removeClass(name: string): void {
    this.classes = this.classes.filter((c) => c.name !== name);
  }

  randomizeSeed(): void {
    this.seed = Math.floor(this.random() * 2 ** 32) >>> 0;
  }
}
