// The device vocabulary every layer shares (types only, browser-safe): which devices a dream step can
// run on, what a route reports, and what choosing one takes. engine/accel/ implements them.
import type { Lowering } from '../graph/ops/onnx.ts';

export type DeviceName = 'cpu' | 'webgpu' | 'dml' | 'coreml' | 'cuda';
export type DeviceChoice = 'auto' | DeviceName;
/**
 * The app's window devices: gradient steps on the app window's GPU (a Web Worker on tfjs), with the CPU
 * route behind it. 'window' picks the window's best hardware adapter (WebGPU, then WebGL2, never a
 * software GPU); the other two name a backend and use it even on a software GPU.
 */
export type WindowDeviceSetting = 'window' | 'window-webgl' | 'window-webgpu';
/** The app's Device setting: a device choice or a window device. Commands without a window read a window device as auto. */
export type DeviceSetting = DeviceChoice | WindowDeviceSetting;
/** Where a step ran: an onnxruntime device, or the tfjs executor. */
export type RouteName = DeviceName | 'tfjs';

export interface GpuAdapter {
  /** In words: "SwiftShader (Vulkan)", "NVIDIA (Vulkan)", "Microsoft Basic Render Driver". */
  name: string;
  /** A CPU rasteriser posing as a GPU (SwiftShader, llvmpipe/lavapipe, Microsoft Basic Render). */
  software: boolean;
}

export interface ProviderSpec {
  device: DeviceName;
  /** onnxruntime-node's executionProviders; nodes a provider lacks fall back to its CPU provider. */
  executionProviders: ReadonlyArray<string | Record<string, unknown>>;
  lowering: Lowering;
}

export interface RouteOptions {
  device: DeviceChoice;
  /** CPU threads for onnxruntime sessions (worker pools pass theirs). */
  threads?: number;
  /** Exactly these providers, then tfjs, instead of the device's own (tests make a real provider refuse this way). */
  providers?: readonly ProviderSpec[];
  /** false: the tfjs executor alone (benchmarks and tests compare it with the native routes). */
  native?: boolean;
}

export interface DeviceReport {
  requested: DeviceChoice;
  /** The route of the most recent step; before any step, the first route that will be tried. */
  device: RouteName;
  /** The GPU adapter behind it, when it is a GPU route. */
  adapter: GpuAdapter | null;
  /** e.g. "onnxruntime-node 1.30.0 on webgpu (SwiftShader (Vulkan), software GPU)". */
  label: string;
  /** Steps taken on each route so far. */
  steps: Partial<Record<RouteName, number>>;
  /** Why a route was passed over, per refused key. */
  refusals: string[];
}
