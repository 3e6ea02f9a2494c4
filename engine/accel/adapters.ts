// Which GPU adapter a native provider will get, and whether it is a real GPU. onnxruntime does not
// report its adapter, so we read what the OS offers the same way the provider's loader does: Vulkan
// ICD manifests on Linux (Dawn's WebGPU runs on Vulkan there), the display adapters on Windows.
// Software rasterisers run on the CPU and are slower than our CPU route: `auto` never picks them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { GpuAdapter } from '../shared/device.ts';
import { isSoftwareAdapter } from '../shared/softwareGpu.ts';

export type { GpuAdapter };
export { isSoftwareAdapter };

/** A readable name for a Vulkan driver library ("libvulkan_radeon.so" -> "AMD RADV"). */
export function vulkanDriverName(library: string): string {
  const known: Array<[RegExp, string]> = [
    [/swiftshader/i, 'SwiftShader'],
    [/lvp|lavapipe/i, 'lavapipe (llvmpipe)'],
    [/nvidia/i, 'NVIDIA'],
    [/radeon|amdvlk|amdgpu/i, 'AMD'],
    [/intel/i, 'Intel'],
    [/freedreno|adreno/i, 'Qualcomm Adreno'],
    [/panfrost|mali/i, 'Arm Mali'],
    [/broadcom|v3dv/i, 'Broadcom V3D'],
    [/nouveau/i, 'NVIDIA (nouveau)'],
    [/MoltenVK/i, 'MoltenVK'],
  ];
  return known.find(([re]) => re.test(library))?.[1] ?? library.replace(/^.*[\\/]/, '');
}

/** The ICD manifests the Vulkan loader reads: the override variables first, else the standard folders. */
export function vulkanManifests(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES'];
  if (override !== undefined) return override.split(delimiter).filter(Boolean);
  const dirs = [...(env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':').map((d) => join(d, 'vulkan', 'icd.d')), '/etc/vulkan/icd.d'];
  return dirs.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)));
}

/** The adapters the Vulkan drivers installed here would give; unreadable manifests are left out. */
export function vulkanAdapters(env: NodeJS.ProcessEnv = process.env): GpuAdapter[] {
  const adapters: GpuAdapter[] = [];
  for (const file of vulkanManifests(env)) {
    try {
      const icd = (JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: string } }).ICD;
      if (!icd?.library_path) continue;
      const name = vulkanDriverName(icd.library_path);
      adapters.push({ name: `${name} (Vulkan)`, software: isSoftwareAdapter(icd.library_path) || isSoftwareAdapter(name) });
    } catch {
      // A manifest that names nothing loadable gives no adapter.
    }
  }
  return adapters;
}

let windowsFound: GpuAdapter[] | undefined;

/** Windows display adapters by name (WMI, asked once per process); empty where the query fails. */
function windowsAdapters(): GpuAdapter[] {
  if (windowsFound) return windowsFound;
  try {
    const out = execFileSync('powershell.exe', ['-NoProfile', '-Command', '(Get-CimInstance Win32_VideoController).Name'], { encoding: 'utf8', timeout: 10_000, windowsHide: true });
    windowsFound = out.split(/\r?\n/).map((s) => s.trim()).filter(Boolean).map((name) => ({ name, software: isSoftwareAdapter(name) }));
  } catch {
    windowsFound = [];
  }
  return windowsFound;
}

/**
 * The adapters a GPU provider can choose from on this platform, real ones first (Dawn and DirectML
 * prefer a hardware adapter when there is one). macOS always has its Metal GPU.
 */
export function gpuAdapters(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): GpuAdapter[] {
  const found = platform === 'linux' ? vulkanAdapters(env) : platform === 'win32' ? windowsAdapters() : platform === 'darwin' ? [{ name: 'Apple GPU (Metal)', software: false }] : [];
  return [...found.filter((a) => !a.software), ...found.filter((a) => a.software)];
}
