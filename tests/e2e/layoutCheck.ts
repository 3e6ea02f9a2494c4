// What "the layout works" means in a test: every visible control lies inside the window, is not cut
// by a box that hides its overflow (scrolling boxes are fine: the user scrolls), covers no
// other control nor lies under another element. Runs in the page; returns the problems in words, empty when the layout is sound.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { Page } from 'playwright-core';

export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const CONTROLS = 'button, input, select, textarea, summary, a[href], [role=tab], [role=switch], [role=radio], [role=slider]';
    const SLACK = 2;
    type Box = { l: number; t: number; r: number; b: number };
    const name = (el: Element): string => {
      const id = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 24) ?? '';
      return `${el.tagName.toLowerCase()}${id ? ` "${id}"` : ''}`;
    };
    const meet = (a: Box, b: Box): Box => ({ l: Math.max(a.l, b.l), t: Math.max(a.t, b.t), r: Math.min(a.r, b.r), b: Math.min(a.b, b.b) });
    const area = (a: Box): number => Math.max(0, a.r - a.l) * Math.max(0, a.b - a.t);
    const problems: string[] = [];
    const shown: Array<{ el: Element; box: Box }> = [];
    for (const el of Array.from(document.querySelectorAll(CONTROLS))) {
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none' || (el as HTMLElement).offsetParent === null && style.position !== 'fixed') continue;
      if (el.closest('[hidden], details:not([open]) > :not(summary)')) continue;
      if (el instanceof HTMLInputElement && el.type === 'hidden') continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      let box: Box = { l: r.left, t: r.top, r: r.right, b: r.bottom };
      let scrolled = false;
      let outOf = '';
      let behindClip = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        const clipsX = s.overflowX !== 'visible';
        const clipsY = s.overflowY !== 'visible';
        const pr = p.getBoundingClientRect();
        if (!clipsX && !clipsY) {
          // A control sticking out of the column it belongs to is drawn over its neighbour.
          const sticksOut = r.left < pr.left - SLACK || r.right > pr.right + SLACK || r.top < pr.top - SLACK || r.bottom > pr.bottom + SLACK;
          if (sticksOut && pr.width > 0 && pr.height > 0 && s.display !== 'contents' && s.position !== 'absolute' && s.position !== 'fixed' && !outOf && !behindClip) outOf = `${name(el)} sticks out of its ${p.tagName.toLowerCase()}.${p.className.split(' ')[0] ?? ''}`;
          continue;
        }
        const clipped = meet(box, { l: clipsX ? pr.left : -1e9, t: clipsY ? pr.top : -1e9, r: clipsX ? pr.right : 1e9, b: clipsY ? pr.bottom : 1e9 });
        const scrolls = /auto|scroll/.test(s.overflowX + s.overflowY) && (p.scrollHeight > p.clientHeight || p.scrollWidth > p.clientWidth);
        if (area(clipped) < area(box) - SLACK * Math.max(box.r - box.l, box.b - box.t)) {
          if (scrolls) scrolled = true;
          else if (p !== document.body && p !== document.documentElement) problems.push(`${name(el)} is cut off by its ${p.tagName.toLowerCase()}.${p.className.split(' ')[0] ?? ''}`);
        }
        box = clipped;
        behindClip = true;
      }
      if (area(box) < 1) continue;
      if (outOf) problems.push(outOf);
      if (!scrolled && (r.right > innerWidth + SLACK || r.bottom > innerHeight + SLACK || r.left < -SLACK || r.top < -SLACK)) {
        problems.push(`${name(el)} lies outside the ${innerWidth}×${innerHeight} window`);
      }
      // Something drawn over the control (a panel, a toast) hides it from the user's pointer.
      const inset = Math.min(3, (box.r - box.l) / 3, (box.b - box.t) / 3);
      const points = [
        [(box.l + box.r) / 2, (box.t + box.b) / 2],
        [box.l + inset, box.t + inset],
        [box.r - inset, box.t + inset],
        [box.l + inset, box.b - inset],
        [box.r - inset, box.b - inset],
      ] as const;
      for (const [x, y] of scrolled ? [] : points) {
        const top = document.elementFromPoint(x, y);
        if (top && !el.contains(top) && !top.contains(el)) {
          problems.push(`${name(el)} is covered by ${top.tagName.toLowerCase()}.${String(top.className).split(' ')[0] ?? ''} at ${Math.round(x)},${Math.round(y)}`);
          break;
        }
      }
      shown.push({ el, box });
    }
    for (let i = 0; i < shown.length; i++) {
      for (let j = i + 1; j < shown.length; j++) {
        const a = shown[i]!;
        const b = shown[j]!;
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const o = meet(a.box, b.box);
        if (o.r - o.l > SLACK && o.b - o.t > SLACK) problems.push(`${name(a.el)} overlaps ${name(b.el)}`);
      }
    }
    return problems;
  });
}
