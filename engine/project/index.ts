// engine/project: a project is a folder of numbered PNG frames plus manifest.json, both written atomically.
export { MANIFEST_FILE, MANIFEST_VERSION, parseManifest, type Manifest, type ZoomManifest, type SessionManifest, type SessionRound, type FrameRecord, type ZoomSettings, type RunStatus } from './manifest.ts';
export { frameFileName, readManifest, readZoomManifest, readSessionManifest, writeManifest, writeFrame, readRecordedFrame, checkFramesOnDisk, removeStaleTemps, assertNotBusy, sha256 } from './store.ts';
export { ProjectError, ManifestError, MissingFrameError, ProjectBusyError } from './errors.ts';
export { createProjectFolder, isUnfinishedProjectFolder, removeUnfinishedSiblings } from './create.ts';
