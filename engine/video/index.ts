// Video: locate ffmpeg, build its arguments, parse its progress, encode frames, probe the result.
export { FfmpegError, FfmpegNotFoundError, VideoError, VideoFrameError, VideoOptionsError, VideoVerifyError } from './errors.ts';
export { locateFfmpeg, type FfmpegPaths } from './locate.ts';
export { encodeVideo, type EncodeOptions, type EncodeProgress, type EncodedVideo, type VideoFormat } from './encode.ts';
export { probeVideo, type VideoProbe } from './probe.ts';
export { parseFfmpegProgress, initialProgressState, type FfmpegProgressState, type FfmpegProgressUpdate } from './progress.ts';
export { listPngFrames, naturalCompare } from './frames.ts';
export { formatFromPath, parseSize } from './plan.ts';
export { MAX_VIDEO_SIDE, MIN_VIDEO_SIDE, resolveVideoSize, type SizeRequest } from './size.ts';
export { DEFAULT_FPS, DEFAULT_QUALITY } from './args.ts';
