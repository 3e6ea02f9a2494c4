// Bringing an image into a panel: from a drop, a paste or the picker, through the host's import,
// with the failure said in words. Zoom, Paint and Inspect each own one.
import type { ReverieApi } from '../../contract/channels.ts';
import type { FileBytes, InputImage } from '../../contract/types.ts';
import type { FilePicker } from '../lib/files.ts';
import type { Notices } from './notices.svelte.ts';

export interface ImporterDeps {
  api: ReverieApi;
  notices: Notices;
  picker: FilePicker;
}

export class Importer {
  importing = $state(false);

  constructor(
    private readonly deps: ImporterDeps,
    private readonly use: (input: InputImage) => void | Promise<void>,
  ) {}

  async importFile(file: FileBytes): Promise<void> {
    if (this.importing) return;
    this.importing = true;
    let input: InputImage;
    try {
      input = await this.deps.api['image.import'](file);
      this.deps.notices.resolve('Could not open');
    } catch (err) {
      this.deps.notices.error(err, `Could not open ${file.name}`);
      return;
    } finally {
      this.importing = false;
    }
    await this.use(input);
  }

  async open(): Promise<void> {
    const file = await this.deps.picker.pick('image').catch((err: unknown) => (this.deps.notices.error(err, 'Could not open the image'), null));
    if (file) await this.importFile(file);
  }
}
