// After losing its server, a browser-mode tab asks the few ports Reverie listens on (GET /where,
// server/where.ts) whether its own server (the same instance id, i.e. the same data folder) now
// answers at another address, so the page can say plainly where the app went.
import { INSTANCE_META, PORTS_META, WHERE_PATH } from '../../contract/browserAuth.ts';

export interface WhereInfo {
  /** This page's server, by an opaque id of its data folder. */
  instance: string;
  /** The ports to ask. */
  ports: number[];
}

/** What the page was served with (absent in Electron and in older pages). */
export function readWhere(doc: Pick<Document, 'querySelector'>): WhereInfo | null {
  const instance = doc.querySelector<HTMLMetaElement>(`meta[name="${INSTANCE_META}"]`)?.content;
  const ports = (doc.querySelector<HTMLMetaElement>(`meta[name="${PORTS_META}"]`)?.content ?? '').split(',').map(Number).filter((p) => Number.isInteger(p) && p > 0);
  return instance ? { instance, ports } : null;
}

/** The address this page's server answers at now, other than `ownPort`; null when none of the ports has it. */
export async function findMoved(where: WhereInfo, ownPort: number, fetchFn: typeof fetch): Promise<string | null> {
  for (const port of where.ports) {
    if (port === ownPort) continue;
    const origin = `http://127.0.0.1:${port}`;
    try {
      const res = await fetchFn(`${origin}${WHERE_PATH}`, { cache: 'no-store', credentials: 'omit' });
      const body = res.ok ? ((await res.json()) as { app?: unknown; instance?: unknown }) : null;
      if (body?.app === 'reverie' && body.instance === where.instance) return `${origin}/`;
    } catch {
      // Nothing there, or not ours.
    }
  }
  return null;
}
