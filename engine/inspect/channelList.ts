// Channel selections as users type them: "97", "0-63", "0-7,12,20-23".
import { ReverieError } from '../shared/errors.ts';

export class ChannelListError extends ReverieError {
  override name = 'ChannelListError';
}

/** Parses a selection against a layer's channel count; keeps the order given, drops repeats. */
export function parseChannelList(text: string, channels: number, layer = 'the layer'): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ChannelListError(`"${part}" is not a channel or range; write e.g. 97, 0-63 or 0-7,12.`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new ChannelListError(`Range "${part}" runs backwards; write ${to}-${from}.`);
    if (to >= channels) throw new ChannelListError(`Channel ${to} is out of range for ${layer}, which has ${channels} channels (0-${channels - 1}).`);
    for (let c = from; c <= to; c++) out.add(c);
  }
  if (out.size === 0) throw new ChannelListError('No channels given.');
  return [...out];
}
