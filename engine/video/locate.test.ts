// Finding ffmpeg: FFMPEG_PATH first (a wrong one is an error, not a fall-through), then the optional
// ffmpeg-static package, then PATH; with nothing found the error says how to install it.
import { describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegNotFoundError } from './errors.ts';
import { locateFfmpeg, unpackedPath } from './locate.ts';

const absent = (): Promise<unknown> => Promise.reject(new Error("Cannot find package 'ffmpeg-static'"));

describe('locateFfmpeg', () => {
  it('uses FFMPEG_PATH and the ffprobe beside it', async () => {
    const paths = await locateFfmpeg({ FFMPEG_PATH: '/usr/bin/ffmpeg', PATH: '' }, { importModule: absent });
    expect(paths).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'FFMPEG_PATH' });
  });

  it('refuses an FFMPEG_PATH that points to a missing file, naming it and the fix', async () => {
    const err = await locateFfmpeg({ FFMPEG_PATH: '/nowhere/ffmpeg', PATH: '/usr/bin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect((err as Error).message).toMatch(/FFMPEG_PATH is set to "\/nowhere\/ffmpeg", which is not an executable file/);
    expect((err as Error).message).toMatch(/apt-get install ffmpeg/);
  });

  it('refuses an FFMPEG_PATH that is a folder, and a wrong FFPROBE_PATH', async () => {
    await expect(locateFfmpeg({ FFMPEG_PATH: '/usr/bin' })).rejects.toThrow(/not an executable file/);
    await expect(locateFfmpeg({ FFMPEG_PATH: '/usr/bin/ffmpeg', FFPROBE_PATH: '/nowhere/ffprobe' })).rejects.toThrow(/FFPROBE_PATH is set to "\/nowhere\/ffprobe"/);
  });

  it('prefers the ffmpeg-static package over PATH when it is installed', async () => {
    const fake = (name: string): Promise<unknown> => (name === 'ffmpeg-static' ? Promise.resolve({ default: '/usr/bin/ffmpeg' }) : absent());
    expect(await locateFfmpeg({ PATH: '/bin' }, { importModule: fake })).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'ffmpeg-static' });
  });

  it('in a packaged app, runs ffmpeg-static from app.asar.unpacked (a path inside app.asar cannot be spawned)', async () => {
    const resources = join(await mkdtemp(join(tmpdir(), 'reverie-asar-')), 'resources');
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules', 'ffmpeg-static');
    await mkdir(unpacked, { recursive: true });
    for (const tool of ['ffmpeg', 'ffprobe']) {
      await writeFile(join(unpacked, tool), '#!/bin/sh\n');
      await chmod(join(unpacked, tool), 0o755);
    }
    const inArchive = join(resources, 'app.asar', 'node_modules', 'ffmpeg-static', 'ffmpeg');
    expect(unpackedPath(inArchive)).toBe(join(unpacked, 'ffmpeg'));
    expect(unpackedPath('/home/u/app.asar.d/ffmpeg')).toBe('/home/u/app.asar.d/ffmpeg');
    const packaged = (name: string): Promise<unknown> => (name === 'ffmpeg-static' ? Promise.resolve({ default: inArchive }) : absent());
    expect(await locateFfmpeg({ PATH: '/nowhere' }, { importModule: packaged })).toEqual({ ffmpeg: join(unpacked, 'ffmpeg'), ffprobe: join(unpacked, 'ffprobe'), source: 'ffmpeg-static' });
  });

  it('falls back to the system ffmpeg on PATH', async () => {
    expect(await locateFfmpeg({ PATH: '/nowhere:/usr/bin' }, { importModule: absent })).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'system' });
  });

  it('says how to install ffmpeg when there is none anywhere', async () => {
    const err = await locateFfmpeg({ PATH: '/nowhere' }, { importModule: absent }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect((err as FfmpegNotFoundError).tried).toEqual(['FFMPEG_PATH (unset)', 'ffmpeg-static (not installed)', 'PATH']);
    expect((err as Error).message).toMatch(/apt-get install ffmpeg.*or set FFMPEG_PATH/);
  });
});
