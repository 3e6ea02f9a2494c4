// Getting files from the user: drops, pastes and pickers, turned into bytes for the host.
import type { ReverieApi } from '../../contract/channels.ts';
import type { FileBytes, FilePurpose, HostMode } from '../../contract/types.ts';

export type { FilePurpose };

export interface FilePicker {
  pick(purpose: FilePurpose): Promise<FileBytes | null>;
}

export async function fileToBytes(file: File, fallbackName = 'pasted-image.png'): Promise<FileBytes> {
  return { name: file.name || fallbackName, data: new Uint8Array(await file.arrayBuffer()) };
}

/** The first file in a drop or paste (images preferred), or null. */
export function fileFromTransfer(transfer: DataTransfer | null): File | null {
  if (!transfer) return null;
  const files = [...transfer.files];
  for (const item of transfer.items ?? []) {
    if (item.kind === 'file') {
      const f = item.getAsFile();
      if (f && !files.includes(f)) files.push(f);
    }
  }
  return files.find((f) => f.type.startsWith('image/')) ?? files[0] ?? null;
}

const ACCEPT: Record<FilePurpose, string> = {
  image: 'image/png,image/jpeg,image/webp,image/tiff,image/avif,image/gif,.png,.jpg,.jpeg,.webp,.tif,.tiff,.avif,.gif',
  recipe: 'image/png,.png',
  preset: 'application/json,.json',
};

/** The page's own picker (a hidden file input); resolves null when the user cancels. */
function pickWithInput(purpose: FilePurpose): Promise<FileBytes | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = ACCEPT[purpose];
    input.dataset['testid'] = `picker-${purpose}`;
    input.hidden = true;
    const done = (): void => input.remove();
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      done();
      if (!file) return resolve(null);
      fileToBytes(file).then(resolve, reject);
    });
    input.addEventListener('cancel', () => {
      done();
      resolve(null);
    });
    document.body.append(input);
    input.click();
  });
}

/** Electron opens native dialogs in main (menu commands carry no user gesture); browsers use the page. */
export function createPicker(api: ReverieApi, mode: HostMode): FilePicker {
  return { pick: (purpose) => (mode === 'electron' ? api['dialog.openFile']({ purpose }) : pickWithInput(purpose)) };
}

/** Starts a browser download of a URL the host gave (same origin). */
export function downloadUrl(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}
