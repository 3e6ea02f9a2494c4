// The feature-visualization inspector's engine: what a channel looks for, which channels an image
// drives, and what the first convolution sees. Hosts (CLI, app) call these; see each file for details.
export { featureRecipe, canonicalRecipe, DEFAULT_FEATURE_RECIPE, FeatureRecipeError, type FeatureRecipe } from './recipe.ts';
export { checkTargets, layerInfo, targetKey, targetObjective, type FeatureTarget } from './targets.ts';
export { renderFeatures, targetSeed, visualize, visualizeDiverse, type FeatureProgress, type RenderRequest, type VisualizeOptions } from './visualize.ts';
export { quantize, visualizeMany, type ManyOptions, type ManyResult } from './channels.ts';
export { defaultFeatureCacheDir, engineCacheDevice, FEATURE_PNG_KEY, FeatureCache, recipeHash } from './cache.ts';
export { channelMeans, channelPlane, featureMaps, strongestNeighbours, topChannels, type ChannelRank, type FeatureMaps, type MapsOptions } from './maps.ts';
export { colourise, viridis } from './colormap.ts';
export { firstConvolution, kernelPatches, NoKernelsError, type ConvKernels } from './kernels.ts';
export { applySeedFilter, isSeedFilter, SEED_FILTERS, type SeedFilter, type SeedFilterName } from './convolve.ts';
export { contactSheet, MARK_COLOUR, sheetLayout, type SheetCell, type SheetLayout, type SheetOptions } from './sheet.ts';
export { activationRatios, loadPhotos, type ChannelQuality } from './quality.ts';
export { ChannelListError, parseChannelList } from './channelList.ts';
