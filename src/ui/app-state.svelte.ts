// App-wide reactive state: accelerator report, settings, device-lost notices.
import type { AccelReport } from '../workers/accel.worker';
import { getWorker, proxy, terminateWorker } from '../workers/registry';
import { loadSettings, saveSettings, type SettingsRecord } from '../storage/stores';
import { defaultSettings } from '../storage/stores';

export const app = $state({
  settings: defaultSettings as SettingsRecord,
  accel: null as AccelReport | null,
  accelError: null as string | null,
  detecting: false,
  deviceLost: [] as string[],
});

export async function initApp(): Promise<void> {
  app.settings = await loadSettings();
  await detectAccelerators();
}

/**
 * Detection runs in a fresh accelerator worker each time: tfjs cannot reliably switch an
 * initialised backend (e.g. wasm → webgpu) inside one worker.
 */
export async function detectAccelerators(): Promise<void> {
  app.detecting = true;
  app.accelError = null;
  try {
    terminateWorker('accel');
    const accel = getWorker('accel');
    await accel.onDeviceLost(proxy((m: string) => app.deviceLost.push(m)));
    app.accel = await accel.detect($state.snapshot(app.settings.backends));
  } catch (e) {
    app.accelError = (e as Error).message;
  } finally {
    app.detecting = false;
  }
}

export async function updateSettings(patch: Partial<SettingsRecord>): Promise<void> {
  app.settings = { ...app.settings, ...patch };
  await saveSettings($state.snapshot(app.settings));
}
