// Messages to the user: errors stay until dismissed, the rest fade after a few seconds.
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

export class Notices {
  list = $state<Notice[]>([]);
  private next = 1;

  constructor(private readonly timers: Timers = { set: (fn, ms) => setTimeout(fn, ms) }) {}

  push(kind: NoticeKind, title: string, message = '', ttlMs = kind === 'error' ? 0 : 4000): number {
    const id = this.next++;
    this.list = [...this.list, { id, kind, title, message }].slice(-MAX_SHOWN);
    if (ttlMs > 0) this.timers.set(() => this.dismiss(id), ttlMs);
    return id;
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

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
