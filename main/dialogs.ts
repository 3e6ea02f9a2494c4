// Native open/save dialogs. The renderer never hands main a path: main reads and writes only
// paths a dialog returned in this session, and ChosenPaths enforces that at the point of use.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { copyFile, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Handlers } from '../contract/channels.ts';
import type { LastUsed } from '../contract/models.ts';
import type { VideoFile, VideoFormat } from '../contract/projects.ts';
import type { FileBytes, FilePurpose, GalleryItem, SaveOutcome } from '../contract/types.ts';
import { safeFileName, writeFileAtomic } from '../host/files.ts';
import { MAX_UPLOAD_BYTES } from '../host/validate.ts';
import type { BrowserWindow, ElectronMain, FileFilter } from './electronTypes.ts';

export class PathNotChosenError extends Error {
  override name = 'PathNotChosenError';
}

export class ChosenPaths {
  private readonly paths = new Set<string>();

  remember(path: string): string {
    const full = resolve(path);
    this.paths.add(full);
    return full;
  }

  /** The path, if a dialog returned it; anything else is refused. */
  check(path: string): string {
    const full = resolve(path);
    if (!this.paths.has(full)) throw new PathNotChosenError(`${path} was not chosen in a dialog; Reverie only reads and writes files you pick.`);
    return full;
  }
}

export const IMAGE_FILTERS: FileFilter[] = [
  { name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif', 'gif'] },
];
export const PNG_FILTERS: FileFilter[] = [{ name: 'PNG image', extensions: ['png'] }];
export const PRESET_FILTERS: FileFilter[] = [{ name: 'Reverie preset or recipe', extensions: ['json'] }];
const OPEN_FILTERS: Record<FilePurpose, FileFilter[]> = { image: IMAGE_FILTERS, recipe: PNG_FILTERS, preset: PRESET_FILTERS };

export function withPngExtension(path: string): string {
  return withExtension(path, 'png');
}

export function withExtension(path: string, ext: string): string {
  return extname(path).toLowerCase() === `.${ext}` ? path : `${path}.${ext}`;
}

export const VIDEO_FILTERS: Record<VideoFormat, FileFilter[]> = {
  mp4: [{ name: 'MP4 video', extensions: ['mp4'] }],
  webm: [{ name: 'WebM video', extensions: ['webm'] }],
  gif: [{ name: 'GIF animation', extensions: ['gif'] }],
};

/** The folders a dialog may start in, as settings hold them. */
export interface SavedFolders {
  lastUsed: Pick<LastUsed, 'inputFolder' | 'outputFolder'>;
  /** The output folder set in Settings; null: none. */
  outputFolder: string | null;
}

/** Where the dialogs start and what they remember: the settings, read and written through the settings channels. */
export interface DialogFolders {
  saved(): Promise<SavedFolders>;
  remember(lastUsed: Pick<LastUsed, 'inputFolder' | 'outputFolder'>): Promise<void>;
}

/** Settings as the dialogs use them, through the service's own settings.get / settings.update handlers. */
export function settingsFolders(handlers: Pick<Handlers, 'settings.get' | 'settings.update'>): DialogFolders {
  return {
    saved: async () => (await handlers['settings.get']({})).settings,
    remember: async (lastUsed) => void (await handlers['settings.update']({ lastUsed })),
  };
}

const isFolder = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/**
 * The folder a dialog starts in: an open dialog in the folder an image was last opened from, a save
 * dialog in the one last saved to; either falls back to the output folder from Settings, then to
 * null (the caller's default). Folders that no longer exist are passed over.
 */
export function dialogStartFolder(kind: 'open' | 'save', saved: SavedFolders, exists: (path: string) => boolean = isFolder): string | null {
  const last = kind === 'open' ? saved.lastUsed.inputFolder : saved.lastUsed.outputFolder;
  return [last, saved.outputFolder].find((f): f is string => typeof f === 'string' && f !== '' && exists(f)) ?? null;
}

/** Copies beside the target, then renames: the chosen file is whole or untouched. */
async function copyAtomic(from: string, to: string): Promise<void> {
  const temp = join(dirname(to), `.${basename(to)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await copyFile(from, temp);
    await rename(temp, to);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * `folders`: where dialogs start and what they remember (the folder an image was opened from, the
 * folder a result or video was saved to); without it they start in Pictures / Videos.
 */
export function createDialogs(electron: ElectronMain, chosen: ChosenPaths, window: () => BrowserWindow, folders?: DialogFolders) {
  async function startIn(kind: 'open' | 'save'): Promise<string | null> {
    // Unreadable settings never stop a dialog: it opens where the system chooses.
    const saved = await folders?.saved().catch(() => undefined);
    return saved ? dialogStartFolder(kind, saved) : null;
  }
  async function remember(lastUsed: Pick<LastUsed, 'inputFolder' | 'outputFolder'>): Promise<void> {
    // The file is opened or saved either way; a settings file that cannot be written is reported by Settings.
    await folders?.remember(lastUsed).catch(() => undefined);
  }

  return {
    async openFile(purpose: FilePurpose): Promise<FileBytes | null> {
      const start = await startIn('open');
      const answer = await electron.dialog.showOpenDialog(window(), { properties: ['openFile'], filters: OPEN_FILTERS[purpose], ...(start ? { defaultPath: start } : {}) });
      const picked = answer.filePaths[0];
      if (answer.canceled || picked === undefined) return null;
      const path = chosen.check(chosen.remember(picked));
      if ((await stat(path)).size > MAX_UPLOAD_BYTES) throw new Error(`${basename(path)} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
      const file = { name: basename(path), data: new Uint8Array(await readFile(path)) };
      if (purpose === 'image') await remember({ inputFolder: dirname(path) });
      return file;
    },

    /** A folder to add a model from; remembered, so models.add accepts this path and no other. */
    async openModelFolder(): Promise<string | null> {
      const answer = await electron.dialog.showOpenDialog(window(), { properties: ['openDirectory'], filters: [] });
      const picked = answer.filePaths[0];
      return answer.canceled || picked === undefined ? null : chosen.remember(picked);
    },

    /** An atlas folder to browse in Inspect; remembered, so atlas.add accepts this path and no other. */
    async openAtlasFolder(): Promise<string | null> {
      const answer = await electron.dialog.showOpenDialog(window(), { properties: ['openDirectory'], filters: [] });
      const picked = answer.filePaths[0];
      return answer.canceled || picked === undefined ? null : chosen.remember(picked);
    },

    /** `folder`: the output folder from settings, used when no folders are known (else Pictures). */
    async saveResult(item: GalleryItem, pngPath: string, folder: string | null = null): Promise<SaveOutcome> {
      const stem = item.input.name.replace(/\.[^.]*$/, '');
      const start = (await startIn('save')) ?? folder ?? electron.app.getPath('pictures');
      const defaultPath = join(start, safeFileName(`${stem}-dream.png`));
      const answer = await electron.dialog.showSaveDialog(window(), { defaultPath, filters: PNG_FILTERS });
      if (answer.canceled || !answer.filePath) return { kind: 'cancelled' };
      const target = chosen.check(chosen.remember(withPngExtension(answer.filePath)));
      await writeFileAtomic(target, await readFile(pngPath));
      await remember({ outputFolder: dirname(target) });
      return { kind: 'saved', path: target };
    },

    async saveVideo(video: VideoFile, path: string): Promise<SaveOutcome> {
      const start = (await startIn('save')) ?? electron.app.getPath('videos');
      const defaultPath = join(start, safeFileName(`reverie-${video.file}`));
      const answer = await electron.dialog.showSaveDialog(window(), { defaultPath, filters: VIDEO_FILTERS[video.format] });
      if (answer.canceled || !answer.filePath) return { kind: 'cancelled' };
      const target = chosen.check(chosen.remember(withExtension(answer.filePath, video.format)));
      await copyAtomic(path, target);
      await remember({ outputFolder: dirname(target) });
      return { kind: 'saved', path: target };
    },
  };
}
