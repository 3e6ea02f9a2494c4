// Keyboard shortcuts as data: what each key does, shown in the help overlay and matched here.
import type { AppCommand } from '../../contract/types.ts';

export type Command = AppCommand;

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** True when focus is in a text field (plain keys then belong to the field). */
  inField: boolean;
}

export interface Shortcut {
  command: Command;
  label: string;
  key: string;
  mod: boolean;
  shift?: boolean;
}

export const SHORTCUTS: Shortcut[] = [
  { command: 'dream', label: 'Dream · render the zoom · dream from the painting', key: 'Enter', mod: true },
  { command: 'cancel', label: "Cancel the panel's running job", key: 'Escape', mod: false },
  { command: 'open', label: 'Open an image', key: 'o', mod: true },
  { command: 'load-recipe', label: 'Load a recipe from a PNG', key: 'o', mod: true, shift: true },
  { command: 'save', label: 'Save the result as PNG', key: 's', mod: true },
  { command: 'show-dream', label: 'Dream panel', key: '1', mod: true },
  { command: 'show-zoom', label: 'Zoom panel', key: '2', mod: true },
  { command: 'show-paint', label: 'Paint panel', key: '3', mod: true },
  { command: 'show-inspect', label: 'Inspect panel', key: '4', mod: true },
  { command: 'show-gallery', label: 'Gallery', key: '5', mod: true },
  { command: 'show-models', label: 'Models, presets and settings', key: '6', mod: true },
  { command: 'show-shortcuts', label: 'Show these shortcuts', key: '/', mod: true },
];

/** The command a key press means, or null. Ctrl on Linux/Windows, Cmd on macOS. */
export function commandFor(e: KeyLike, isMac: boolean): Command | null {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (e.altKey) return null;
  if (!mod && e.key === '?' && !e.inField) return 'show-shortcuts';
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const hit = SHORTCUTS.find((s) => s.key === key && s.mod === mod && Boolean(s.shift) === e.shiftKey);
  return hit?.command ?? null;
}

export function shortcutLabel(s: Pick<Shortcut, 'key' | 'mod' | 'shift'>, isMac: boolean): string {
  const parts = [];
  if (s.mod) parts.push(isMac ? '⌘' : 'Ctrl');
  if (s.shift) parts.push(isMac ? '⇧' : 'Shift');
  parts.push(s.key === 'Escape' ? 'Esc' : s.key.length === 1 ? s.key.toUpperCase() : s.key);
  return parts.join(isMac ? '' : '+');
}
