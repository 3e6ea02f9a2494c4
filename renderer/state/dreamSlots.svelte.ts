// The Dream panel's Guide and Mask slots: the guide image, the mask brush (the whole dream's mask or
// one term's), the term masks a loaded recipe names, putting a recipe's images back in their slots,
// and what a dream request brings of them.
import type { AssetInput, DreamRequest, GalleryItem, InputImage, LoadedAsset, Recipe } from '../../contract/types.ts';
import { restoredAssets, termMaskHashes, termMaskInputs, withoutTermMask } from './dreamAssets.ts';
import { Importer, type ImporterDeps } from './importer.svelte.ts';
import { MaskState, maskPng } from './mask.svelte.ts';
import { MaskBrushes, maskTargets } from './maskBrushes.svelte.ts';

export type SlotRequest = Pick<DreamRequest, 'recipe' | 'guideInputId' | 'maskInputId' | 'assets'>;

export interface SlotsDeps extends ImporterDeps {
  fetchBytes(url: string): Promise<Uint8Array>;
}

export class DreamSlots {
  /** An image to dream toward: the recipe's layer terms match its features (the Guide slot). */
  guide = $state<InputImage | null>(null);
  readonly guideImporter: Importer;
  /** The painted mask: where the dream applies. */
  readonly mask = new MaskState();
  /** What the brush paints: the whole dream's mask, or one term's. */
  readonly brushes = new MaskBrushes(this.mask);
  /** Per-term masks a loaded recipe names, by content hash (imported from its PNG). */
  termMasks = new Map<string, InputImage>();
  /** A gallery result's mask and guide being read back (a dream waits for them). */
  restoring: Promise<void> | null = null;

  constructor(private readonly deps: SlotsDeps) {
    this.guideImporter = new Importer(deps, (input) => {
      this.guide = input;
    });
  }

  /** Puts a loaded recipe's mask and guide back in their slots, and keeps its per-term masks. */
  restore(recipe: Recipe, assets: readonly LoadedAsset[]): void {
    const found = restoredAssets(recipe, assets);
    this.guide = found.guide;
    if (found.mask) this.mask.restore(found.mask);
    else this.mask.clear();
    this.brushes.clearTerms();
    this.termMasks = found.termMasks;
    if (found.missing) this.deps.notices.push('info', 'Mask or guide missing', 'The PNG does not carry every mask and guide its recipe names; paint the mask and choose the guide again.');
  }

  /** Reads back a gallery result's mask, guide and term masks from its PNG; `current` says it is still shown. */
  fromResult(item: GalleryItem, current: () => boolean): void {
    const restoring = this.readResult(item, current).finally(() => {
      if (this.restoring === restoring) this.restoring = null;
    });
    this.restoring = restoring;
  }

  private async readResult(item: GalleryItem, current: () => boolean): Promise<void> {
    const r = item.recipe;
    if (!r.mask && !r.guide && !termMaskHashes(r).length) return this.restore(r, []);
    try {
      const loaded = await this.deps.api['recipe.fromPng']({ name: 'result.png', data: await this.deps.fetchBytes(item.resultUrl) });
      if (current()) this.restore(r, loaded.assets ?? []);
    } catch (err) {
      this.deps.notices.error(err, 'The mask and guide of this result did not load');
    }
  }

  /**
   * The request's recipe and images for dreaming `input`. A loaded mask goes as it came (so the
   * recipe's hash is reproduced); a painted or edited one is drawn at the input's size and imported.
   * Terms with a painted mask get it (the host names it by hash in the term); the others keep a loaded one.
   * Synchronous when nothing needs drawing, so the job starts in the same turn.
   */
  request(input: InputImage, recipe: Recipe): SlotRequest | Promise<SlotRequest> {
    const m = this.mask;
    const drawn = m.active && !(m.base && !m.edited);
    if (!drawn && !maskTargets(recipe).some((t) => this.brushes.painted(t.key))) return this.compose(recipe, m.active ? m.base : null, []);
    return this.withUploads(input, recipe);
  }

  private async withUploads(input: InputImage, recipe: Recipe): Promise<SlotRequest> {
    const upload = async (mask: MaskState) => this.deps.api['image.import']({ name: 'mask.png', data: await maskPng(mask, input.width, input.height) });
    const m = this.mask;
    const maskImage = !m.active ? null : m.base && !m.edited ? m.base : await upload(m);
    const painted: AssetInput[] = [];
    for (const t of maskTargets(recipe)) {
      const brush = this.brushes.painted(t.key);
      if (!brush) continue;
      painted.push({ kind: 'mask', inputId: (await upload(brush)).id, term: { list: t.list, index: t.index } });
      recipe = withoutTermMask(recipe, t.list, t.index);
    }
    return this.compose(recipe, maskImage, painted);
  }

  private compose(recipe: Recipe, maskImage: InputImage | null, painted: AssetInput[]): SlotRequest {
    const assets = [...termMaskInputs(recipe, this.termMasks), ...painted];
    return { recipe, ...(this.guide ? { guideInputId: this.guide.id } : {}), ...(maskImage ? { maskInputId: maskImage.id } : {}), ...(assets.length ? { assets } : {}) };
  }
}
