// Software rasterisers pose as GPUs but run on the CPU, slower than our CPU route: `auto` never picks
// them. Browser-safe, so the window names its WebGL/WebGPU adapter with the same rule as the host.
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|libvulkan_lvp|\blvp\b|basic render|basic display|microsoft basic|\bwarp\b/i;

/** Whether an adapter's name, driver or library names a software rasteriser. */
export function isSoftwareAdapter(description: string): boolean {
  return SOFTWARE.test(description);
}
