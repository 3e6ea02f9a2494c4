// What each InceptionV3 block tends to draw when dreamed on, in a line: from the deepdream
// literature for the ImageNet blocks, and from experience with nsfwjs's fine-tuned upper blocks.
export const LAYER_NOTES: Record<string, string> = {
  mixed0: 'Fine edges, colour fringes and grain',
  mixed1: 'Brush-stroke textures and small dots',
  mixed2: 'Repeating weaves, scales and stipple',
  mixed3: 'Swirls, spirals and ornate patterns',
  mixed4: 'Eye-like spots, fur and honeycomb',
  mixed5: 'Eyes, feathers and animal faces',
  mixed6: 'Creature parts and arches, less predictable',
  mixed7: 'Larger blended shapes and faces',
  mixed8: 'Coarse object parts, bold and blocky',
  mixed9: 'Whole-object impressions, blotchy',
  mixed10: 'The most abstract: colour washes',
};

export const BLOCK_NAMES = Object.keys(LAYER_NOTES);

export function layerNote(name: string): string {
  return LAYER_NOTES[name] ?? 'A layer of this model';
}
