// `--device auto|cpu|webgpu|dml|coreml|cuda`: one flag spec, help line and resolver that every
// engine command (and the farm's workers) share.
import { deviceChoices, DeviceUnavailableError, type DeviceChoice } from '../engine/accel/providers.ts';
import type { DeviceSetting } from '../engine/shared/device.ts';
import { isWindowDevice } from '../engine/windowDevice/choice.ts';
import type { DeviceReport } from '../engine/accel/route.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { UsageError } from './shared.ts';

export const deviceFlagSpec = { device: { type: 'string' } } as const;

export const deviceFlagHelp = `  --device D                  ${deviceChoices.join(' | ')} (default: the saved setting, else auto;
                              auto never picks a software GPU; see "reverie devices")`;

/** The saved Device setting as a command runs it: a window device (the app window's GPU) has no window here. */
export function settingDevice(saved: DeviceSetting): DeviceChoice {
  return isWindowDevice(saved) ? 'auto' : saved;
}

export function parseDeviceFlag(text: string | undefined, fallback: DeviceSetting = 'auto'): DeviceChoice {
  if (text === undefined) return settingDevice(fallback);
  if ((deviceChoices as readonly string[]).includes(text)) return text as DeviceChoice;
  throw new UsageError(`--device must be one of ${deviceChoices.join(', ')}; got "${text}".`);
}

/**
 * Puts the model's gradient steps on the device. Models without native routes (TF.js graph models)
 * run on the tfjs backend only: naming a GPU for them is refused rather than silently ignored.
 */
export function applyDevice(model: DreamModel, device: DeviceChoice, threads?: number): void {
  if (model.useDevice) {
    model.useDevice({ device, ...(threads === undefined ? {} : { threads }) });
    return;
  }
  if (device !== 'auto' && device !== 'cpu') throw new DeviceUnavailableError(`Model ${model.id} runs on the tfjs backend only; --device ${device} needs a model with an ONNX lowering (e.g. inception_v3).`);
}

/** Worker threads run tiles on the CPU: a GPU device keeps every tile in this thread (workers: 0). */
export function onGpu(model: DreamModel): boolean {
  const d = model.device?.device;
  return d !== undefined && d !== 'cpu' && d !== 'tfjs';
}

/** What progress lines and metadata record: the route that ran and, for GPUs, whether it is software. */
export function deviceFields(model: DreamModel): { device: string; deviceLabel: string; softwareGpu?: true } | { device: 'tfjs'; deviceLabel: string } {
  const report: DeviceReport | undefined = model.device;
  if (!report) return { device: 'tfjs', deviceLabel: 'tfjs executor' };
  return { device: report.device, deviceLabel: report.label, ...(report.adapter?.software ? { softwareGpu: true as const } : {}) };
}
