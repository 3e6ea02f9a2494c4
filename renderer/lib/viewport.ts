// Where a picture sits in a fixed frame when it can be seen fitted, at 1:1 or zoomed, and panned:
// pure geometry, shared by the result and before/after views.

export interface Size {
  width: number;
  height: number;
}

/** Where the picture's box lies inside the frame (frame pixels) and at what scale. */
export interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
  scale: number;
  /** The picture is larger than the frame in some direction: dragging pans it. */
  pannable: boolean;
}

export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 8;

/** The scale that fits the whole picture in the frame. */
export function fitScale(frame: Size, picture: Size): number {
  return picture.width > 0 && picture.height > 0 ? Math.min(frame.width / picture.width, frame.height / picture.height) : 1;
}

/**
 * `scale` null fits the picture; otherwise the picture is drawn at that scale with `centre` (fractions
 * of the picture) in the middle of the frame, kept so no empty band shows where the picture is larger.
 */
export function place(frame: Size, picture: Size, scale: number | null, centre: { x: number; y: number }): Placement {
  const s = scale ?? fitScale(frame, picture);
  const width = picture.width * s;
  const height = picture.height * s;
  const along = (frameSide: number, side: number, c: number): number =>
    side <= frameSide ? (frameSide - side) / 2 : Math.min(0, Math.max(frameSide - side, frameSide / 2 - c * side));
  return { left: along(frame.width, width, centre.x), top: along(frame.height, height, centre.y), width, height, scale: s, pannable: width > frame.width + 0.5 || height > frame.height + 0.5 };
}

/** The centre after dragging the picture by (dx, dy) frame pixels, kept where the picture still fills the frame. */
export function panBy(centre: { x: number; y: number }, frame: Size, placement: Placement, dx: number, dy: number): { x: number; y: number } {
  const along = (c: number, d: number, side: number, frameSide: number): number => {
    const half = Math.min(0.5, frameSide / 2 / side);
    return Math.min(1 - half, Math.max(half, c - d / side));
  };
  return { x: along(centre.x, dx, placement.width, frame.width), y: along(centre.y, dy, placement.height, frame.height) };
}
