// What the lab's engines do differently, as data keyed by engine: the e2e suites expect per engine,
// never a 20.10 constant. Each entry was seen on the lab engine named (see docs/engines.md).
import type { LabEngineVersion } from './engines';

export interface EngineFacts {
  /** `dockerd --validate --config-file` exists (23.0+); before that safe-apply relies on docknet's checks. */
  readonly validatesConfig: boolean;
  /**
   * What dockerd logs when live-restore keeps the old default bridge because containers run on it
   * (daemon/daemon_unix.go, initNetworkController; the sic "affect" is the engine's).
   */
  readonly liveRestoreKeepsBridge: RegExp;
}

export const ENGINE_FACTS: Readonly<Record<LabEngineVersion, EngineFacts>> = {
  '20.10': { validatesConfig: false, liveRestoreKeepsBridge: /There are old running containers, the network config will not take affect/ },
  '26.1': { validatesConfig: true, liveRestoreKeepsBridge: /there are running containers, updated network configuration will not take affect/ },
  '28.5': { validatesConfig: true, liveRestoreKeepsBridge: /there are running containers, updated network configuration will not take affect/ },
};
