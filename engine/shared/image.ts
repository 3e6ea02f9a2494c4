// The plain image value every part of the engine passes around (no tensors), and its colour statistics.

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, row-major HWC, 0..255 (not rounded). */
  rgb: Float32Array;
}

/** Per-channel colour statistics of an image (the zoom's colour anchor stores them in its manifest). */
export interface ColorStats {
  /** Per channel R, G, B, in 0..255. */
  mean: [number, number, number];
  std: [number, number, number];
}
