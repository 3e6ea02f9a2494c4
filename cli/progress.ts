// Progress on a terminal (one redrawn bar with ETA) or as JSON lines for scripts (--json).
export interface ProgressSink {
  update(fraction: number, label: string, etaMs: number | null, extra?: Record<string, unknown>): void;
  event(kind: string, data: Record<string, unknown>): void;
  done(message: string, data?: Record<string, unknown>): void;
  clear(): void;
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '--:--';
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.round(f * 100)).padStart(3)}%`;
}

export function jsonLinesSink(out: NodeJS.WritableStream): ProgressSink {
  const write = (obj: Record<string, unknown>): void => void out.write(`${JSON.stringify(obj)}\n`);
  return {
    update: (fraction, label, etaMs, extra) => write({ type: 'progress', fraction: Number(fraction.toFixed(4)), label, etaMs: etaMs === null ? null : Math.round(etaMs), ...extra }),
    event: (kind, data) => write({ type: kind, ...data }),
    done: (message, data) => write({ type: 'done', message, ...data }),
    clear: () => undefined,
  };
}

export function terminalSink(out: NodeJS.WriteStream): ProgressSink {
  const tty = out.isTTY === true;
  let last = 0;
  const line = (text: string): void => {
    if (tty) out.write(`\r\x1b[2K${text}`);
  };
  return {
    update: (fraction, label, etaMs) => {
      const now = Date.now();
      // Redraw at most 10 times a second; without a terminal, print nothing per step.
      if (!tty || (now - last < 100 && fraction < 1)) return;
      last = now;
      const cols = Math.max(40, out.columns ?? 80);
      line(`${renderBar(fraction, Math.min(30, cols - 40))} ETA ${formatDuration(etaMs)}  ${label}`.slice(0, cols - 1));
    },
    event: (_kind, data) => {
      if (typeof data['message'] === 'string') {
        line('');
        out.write(`${data['message']}\n`);
      }
    },
    done: (message) => {
      line('');
      out.write(`${message}\n`);
    },
    clear: () => line(''),
  };
}
