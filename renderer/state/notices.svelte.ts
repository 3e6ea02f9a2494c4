// Messages to the user. Errors stay long enough to read (12 s, longer while the pointer rests on
// them) and go as soon as their cause is gone: the action that failed succeeds (`resolve`).
// The rest fade after 4 s.
import type { ErrorInfo } from '../../contract/types.ts';
import { errorTitle } from '../lib/format.ts';

export type NoticeKind = 'error' | 'info' | 'success';

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string;
  message: string;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
}

const MAX_SHOWN = 4;
export const ERROR_MS = 12_000;
export const INFO_MS = 4000;
/** A held notice looks again this often after its time is up. */
const RECHECK_MS = 1500;

export class Notices {
  list = $state<Notice[]>([]);
  private next = 1;
  private readonly held = new Set<number>();

  constructor(private readonly timers: Timers = { set: (fn, ms) => setTimeout(fn, ms) }) {}

  push(kind: NoticeKind, title: string, message = '', ttlMs = kind === 'error' ? ERROR_MS : INFO_MS): number {
    const id = this.next++;
    this.list = [...this.list, { id, kind, title, message }].slice(-MAX_SHOWN);
    if (ttlMs > 0) this.expireIn(id, ttlMs);
    return id;
  }

  private expireIn(id: number, ms: number): void {
    this.timers.set(() => (this.held.has(id) ? this.expireIn(id, RECHECK_MS) : this.dismiss(id)), ms);
  }

  /** Shows a failure with its typed name in words ("Unsupported image") and its message. */
  error(err: unknown, context?: string): number {
    const e = err instanceof Error ? err : new Error(String(err));
    const title = context ?? errorTitle(e.name);
    return this.push('error', title, context ? `${errorTitle(e.name)}: ${e.message}` : e.message);
  }

  /** A failure a host reported for a job (its typed name and message, as plain data). */
  failure(error: ErrorInfo, context: string): number {
    return this.error(Object.assign(new Error(error.message), { name: error.name }), context);
  }

  /** The cause is gone (what failed has now worked): errors whose title starts with one of these go. */
  resolve(...titles: string[]): void {
    const stale = (n: Notice): boolean => n.kind === 'error' && titles.some((t) => n.title.startsWith(t));
    if (this.list.some(stale)) this.list = this.list.filter((n) => !stale(n));
  }

  /** While the pointer rests on a notice it stays; it goes soon after it is let go. */
  hold(id: number, on: boolean): void {
    if (on) this.held.add(id);
    else this.held.delete(id);
  }

  dismiss(id: number): void {
    this.held.delete(id);
    this.list = this.list.filter((n) => n.id !== id);
  }
}
