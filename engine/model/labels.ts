// Class label lists and search: the 1000 ImageNet classes (data/imagenet-classes.json, in the standard
// ILSVRC-2012 order, as tfjs-models' mobilenet ships them), and a forgiving name lookup over any list.
import { readFileSync } from 'node:fs';

let imagenet: readonly string[] | undefined;

/** The 1000 ImageNet class names; each is a comma-separated list of synonyms ("jelly fish", "tench, Tinca tinca"). */
export function imagenetClasses(): readonly string[] {
  imagenet ??= Object.freeze(JSON.parse(readFileSync(new URL('./data/imagenet-classes.json', import.meta.url), 'utf8')) as string[]);
  return imagenet;
}

export interface ClassMatch {
  index: number;
  /** The full label, all synonyms. */
  label: string;
}

/** Lower case, without spaces, hyphens, apostrophes or underscores: "Jelly-fish" and "jellyfish" meet. */
const squash = (s: string) => s.toLowerCase().replace(/[\s_'’-]+/g, '');
const synonyms = (label: string) => label.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Labels matching `query`, best first: an exact synonym, then a synonym starting with it, then any
 * label containing it. "#107" (or "107") names a class by index. The searchable list behind pickers.
 */
export function searchClasses(labels: readonly string[], query: string, limit = 20): ClassMatch[] {
  const q = query.trim();
  const byIndex = /^#?(\d+)$/.exec(q);
  if (byIndex) {
    const i = Number(byIndex[1]);
    return i < labels.length ? [{ index: i, label: labels[i]! }] : [];
  }
  const s = squash(q);
  if (!s) return labels.slice(0, limit).map((label, index) => ({ index, label }));
  const ranked: Array<ClassMatch & { rank: number }> = [];
  labels.forEach((label, index) => {
    const names = synonyms(label).map(squash);
    const rank = names.includes(s) ? 0 : names.some((n) => n.startsWith(s)) ? 1 : squash(label).includes(s) ? 2 : -1;
    if (rank >= 0) ranked.push({ index, label, rank });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.index - b.index).slice(0, limit).map(({ index, label }) => ({ index, label }));
}

/**
 * The one class a name means: an exact synonym (or index), else the only match; otherwise null with
 * suggestions (a shared synonym such as "crane", bird or machine, is ambiguous: name it "#134").
 */
export function findClass(labels: readonly string[], name: string): { match: ClassMatch | null; suggestions: ClassMatch[] } {
  const found = searchClasses(labels, name, 8);
  const exact = found.filter((m) => /^#?\d+$/.test(name.trim()) || synonyms(m.label).some((n) => squash(n) === squash(name)));
  if (exact.length === 1) return { match: exact[0]!, suggestions: [] };
  if (exact.length > 1) return { match: null, suggestions: exact };
  if (found.length === 1) return { match: found[0]!, suggestions: [] };
  return { match: null, suggestions: found };
}
