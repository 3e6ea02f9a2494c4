// The engine's file boundary: image decode/encode, PNG text metadata, .npy tensors, atomic writes.
export {
  ImageDecodeError,
  ImageTooLargeError,
  NpyFormatError,
  OutputWriteError,
  ReverieIoError,
  UnsupportedImageError,
} from './errors.ts';
export { DEFAULT_MAX_PIXELS, decodeImage, encodePng, readPngTexts } from './image.ts';
export type { DecodeOptions, DecodedImage } from './image.ts';
export { readNpy, writeNpy } from './npy.ts';
export { writeFileAtomic } from './atomic.ts';
