// `reverie demo` (npm start): dreams the bundled example photo with the default recipe.
import { fileURLToPath } from 'node:url';
import { dreamCommand } from './dream.ts';

export const demoHelp = `reverie demo [-o dreamed.png] [dream options]

Dreams assets/examples/cat.jpg with the default recipe on the embedded InceptionV3 and writes
dreamed.png in the current folder. Any "reverie dream" option can be added.`;

export const EXAMPLE_IMAGE = fileURLToPath(new URL('../../assets/examples/cat.jpg', import.meta.url));

export async function demoCommand(argv: string[]): Promise<void> {
  const hasOut = argv.some((a) => a === '-o' || a === '--out' || a.startsWith('--out='));
  await dreamCommand([EXAMPLE_IMAGE, ...(hasOut ? [] : ['-o', 'dreamed.png']), ...argv]);
}
