// Image parameterisations for feature visualization: pixel space and Lucid's decorrelated Fourier space.
export type { ImageParam, ParamOptions } from './types.ts';
export { fourierImage, spectrumScale, type FourierOptions, type FourierParam } from './fourier.ts';
export { pixelImage, type PixelParam } from './pixel.ts';
export { COLOR_CORRELATION_SVD_SQRT, decorrelationMatrix, toValidImage, fromValidImage } from './color.ts';
export { gaussianNoise, seedFrom } from './noise.ts';
