import { ChallengeJobs } from './ChallengeJobs.ts';
import { LiveMonitor } from './LiveMonitor.ts';
import { StoreAccess } from './StoreAccess.ts';
import { studioSettings, type StudioSettings } from './studioSettings.ts';

/** The studio's long-lived parts, one per server process. */
export interface StudioServices {
  settings: StudioSettings;
  access: StoreAccess;
  jobs: ChallengeJobs;
  /** The live process's control API, watched from the first live page on. */
  live: LiveMonitor;
}

const KEY = Symbol.for('xylen.studio.services');
type Holder = { [KEY]?: StudioServices };

export function services(): StudioServices {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const settings = studioSettings();
    const access = new StoreAccess(settings.dbPath, { lingerMs: settings.lingerMs });
    const live = new LiveMonitor({ url: settings.liveUrl, token: settings.liveToken, modelServers: settings.modelServers ?? {} });
    holder[KEY] = { settings, access, jobs: new ChallengeJobs(access, settings), live };
  }
  return holder[KEY];
}

/** Stop what the studio started: the running comparison replay, the live stream, the open store. For `xylen studio` on exit. */
export async function stopServices(): Promise<void> {
  const current = (globalThis as Holder)[KEY];
  if (!current) return;
  current.jobs.stop();
  await current.live.close();
  await current.access.close();
  delete (globalThis as Holder)[KEY];
}
