import { describe, expect, it } from 'vitest';
import { MemoryJournal, XylenError } from '../../engine/index.ts';
import { replayInputs } from './replayInputs.ts';
import { syntheticInputs, testConfig } from './test/syntheticInputs.ts';

describe('a quorum the enabled models cannot meet', () => {
  it('is refused before the replay starts, naming the setting and the way out', async () => {
    const journal = new MemoryJournal();
    const config = testConfig({ ensemble: { quorum: 5 } });
    const error = await replayInputs(syntheticInputs({ seed: 1, days: 1 }), config, journal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XylenError);
    expect(error).toMatchObject({ code: 'QUORUM_UNREACHABLE', where: 'ensemble.quorum', hint: 'lower ensemble.quorum to at most 4, or enable more models' });
    expect((error as Error).message).toMatch(/ensemble\.quorum is 5 but only 4 model\(s\) are enabled/);
    expect(journal.records).toHaveLength(0);
  });

  it('is met when the quorum equals the enabled models', async () => {
    const journal = new MemoryJournal();
    await replayInputs(syntheticInputs({ seed: 1, days: 1 }), testConfig({ ensemble: { quorum: 4 } }), journal);
    expect(journal.ofType('heartbeat').length).toBeGreaterThan(200);
  });
});
