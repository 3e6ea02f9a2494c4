// Finding a restarted server at another port: only one with this page's instance id counts.
import { describe, expect, it } from 'vitest';
import { findMoved, readWhere } from './moved.ts';

describe('findMoved', () => {
  const where = { instance: 'abc', ports: [5000, 5001, 5002, 5003] };
  const fetchFrom = (answers: Record<number, unknown>): typeof fetch =>
    (async (url: string) => {
      const port = Number(new URL(url).port);
      if (!(port in answers)) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(answers[port]), { status: 200 });
    }) as unknown as typeof fetch;

  it('skips its own port, closed ports and other instances, and names the one that is ours', async () => {
    const seen: string[] = [];
    const f = fetchFrom({ 5000: { app: 'reverie', instance: 'abc' }, 5001: { app: 'reverie', instance: 'other' }, 5003: { app: 'reverie', instance: 'abc' } });
    const spy = (async (url: string, init?: RequestInit) => (seen.push(url), f(url, init))) as typeof fetch;
    expect(await findMoved(where, 5000, spy)).toBe('http://127.0.0.1:5003/');
    expect(seen).toEqual(['http://127.0.0.1:5001/where', 'http://127.0.0.1:5002/where', 'http://127.0.0.1:5003/where']);
    expect(await findMoved(where, 5003, fetchFrom({ 5001: { app: 'reverie', instance: 'other' } }))).toBeNull();
  });

  it('reads the instance and ports from the page, and nothing from a page without them', () => {
    const doc = (metas: Record<string, string>) => ({ querySelector: (sel: string) => { const name = /name="([^"]+)"/.exec(sel)![1]!; return name in metas ? ({ content: metas[name] } as HTMLMetaElement) : null; } }) as unknown as Document;
    expect(readWhere(doc({ 'reverie-instance': 'abc', 'reverie-ports': '47474,47475,x' }))).toEqual({ instance: 'abc', ports: [47474, 47475] });
    expect(readWhere(doc({}))).toBeNull();
  });
});
