// One family for the failures a user can act on: every one extends ReverieError, whose `hint` says
// what to do next. Hosts map failures by class (instanceof ReverieError: the user's input or
// environment; anything else: a bug), never by name strings. Plain Error stays for programming errors.

export interface ReverieErrorOptions {
  /** What the user can do about it, in one sentence (shown under the message where a host has room). */
  hint?: string;
  cause?: unknown;
}

export class ReverieError extends Error {
  override name = 'ReverieError';
  readonly hint: string | undefined;

  constructor(message: string, options: ReverieErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** An input (image, octave or tile) on which a requested layer would have no pixels. */
export class ImageTooSmallError extends ReverieError {
  override name = 'ImageTooSmallError';
}

export class ModelLoadError extends ReverieError {
  override name = 'ModelLoadError';
  constructor(
    /** The file or URL at fault. */
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export class UnknownLayerError extends ReverieError {
  override name = 'UnknownLayerError';
  constructor(
    readonly layer: string,
    /** Names the user may have meant. */
    readonly suggestions: readonly string[],
    reason = 'is not a layer of this model',
  ) {
    const guess = suggestions.length ? ` Did you mean: ${suggestions.slice(0, 8).join(', ')}?` : '';
    super(`Layer "${layer}" ${reason}.${guess} Run "reverie layers" to list them.`, { hint: 'Pick a layer from the model\'s layer list ("reverie layers", or the layer picker).' });
  }
}
