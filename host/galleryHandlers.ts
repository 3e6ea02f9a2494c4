// The gallery over the contract: dreams, zoom projects and sessions in one list, newest first; one
// entry by id; and delete, refused while a job still works on the entry.
import type { Handlers } from '../contract/channels.ts';
import type { GalleryEntry } from '../contract/types.ts';
import type { ServiceContext } from './context.ts';
import { BusyError, NotFoundError, requireId, requireObject } from './validate.ts';

type GalleryHandlers = Pick<Handlers, 'gallery.list' | 'gallery.get' | 'gallery.delete'>;

export function galleryHandlers(ctx: ServiceContext): GalleryHandlers {
  const { gallery, zooms, sessions, queue } = ctx;
  const idOf = (request: unknown): string => requireId(requireObject(request, 'The request')['id'], 'The gallery id');

  return {
    'gallery.list': async () => {
      const all: GalleryEntry[] = (await Promise.all([gallery.list(), zooms.list(), sessions.list()])).flat();
      return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    },
    'gallery.get': async (request) => {
      const id = idOf(request);
      if (await zooms.entries.has(id)) return zooms.item(id);
      if (await sessions.entries.has(id)) return sessions.item(id);
      return gallery.get(id).catch(() => {
        throw new NotFoundError(`${id} is not in the gallery (it may have been deleted).`);
      });
    },
    'gallery.delete': async (request) => {
      const id = idOf(request);
      if (queue.hasTarget(id)) throw new BusyError('A job is still working on this; cancel it or wait before deleting.');
      const deleted = (await gallery.remove(id)) || (await zooms.entries.remove(id)) || (await sessions.entries.remove(id));
      if (deleted) ctx.emit({ channel: 'gallery.changed', payload: {} });
      return { deleted };
    },
  };
}
