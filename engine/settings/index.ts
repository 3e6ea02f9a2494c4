// Settings and presets that persist in the user's config folder (engine/settings): one import for hosts.
export { configDir } from './paths.ts';
export { SettingsError, type Loaded } from './jsonFile.ts';
export { backendInfos, fastestBackend, type BackendInfo } from './backends.ts';
export { DEFAULT_SETTINGS, loadSettings, parseSettings, saveSettings, settingsFile, updateSettings, type LastUsed, type Settings } from './settings.ts';
export { checkPresetName, PresetError, PresetStore, presetsFile, type Preset, type PresetFile } from './presets.ts';
