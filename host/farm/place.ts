// What a result the farm dreamed records as its device (PNG metadata, gallery entry, zoom manifest):
// the farm, named by its URL without a password. One wording for the app and the CLI.
export function farmPlace(display: string): { device: string; deviceLabel: string } {
  return { device: 'farm', deviceLabel: `render farm at ${display}` };
}
