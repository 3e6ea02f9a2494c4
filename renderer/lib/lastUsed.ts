// The last used values the app writes through settings.update (the host merges them into
// settings.lastUsed, shared with the CLI), and how the Settings panel words them.
import type { LastUsed, SettingsUpdate, UserPreset } from '../../contract/models.ts';

/** Applying a saved preset: its name, and its recipe as the one to reopen on next launch. */
export function presetApplied(preset: Pick<UserPreset, 'name' | 'recipe'>): SettingsUpdate {
  return { lastUsed: { preset: preset.name, recipe: preset.recipe } };
}

/** The last used preset and folders as label/value lines for the Settings panel (those never set are left out). */
export function lastUsedLines(lastUsed: LastUsed): Array<{ key: keyof LastUsed; label: string; value: string }> {
  const lines: Array<{ key: keyof LastUsed; label: string; value: string }> = [];
  if (lastUsed.preset) lines.push({ key: 'preset', label: 'Preset', value: lastUsed.preset });
  if (lastUsed.inputFolder) lines.push({ key: 'inputFolder', label: 'Opened from', value: lastUsed.inputFolder });
  if (lastUsed.outputFolder) lines.push({ key: 'outputFolder', label: 'Saved to', value: lastUsed.outputFolder });
  return lines;
}
