// The transports take the version through the host, which owns what they may know of the engine.
export { appVersion } from '../engine/version.ts';
