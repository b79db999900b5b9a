import type { Store } from '../../../../data/index.ts';

export interface DecisionAgreement {
  a: string;
  b: string;
  /** Heartbeats both runs decided at, and of those the ones with the same aggregate action (long, short or hold). */
  common: number;
  same: number;
  /** common > 0: same / common. */
  share: number | null;
  /** Heartbeats where at least one of the two wanted a position, and of those the ones where both wanted the same. */
  active: number;
  activeSame: number;
  activeShare: number | null;
}

/** How often two runs decided alike: a join of their decisions on the heartbeat time, counted in SQL. */
export async function decisionAgreement(store: Store, a: string, b: string): Promise<DecisionAgreement> {
  const [row] = await store.all(
    `SELECT count(*)::DOUBLE AS common,
            count(*) FILTER (WHERE x.action = y.action)::DOUBLE AS same,
            count(*) FILTER (WHERE x.action <> 'hold' OR y.action <> 'hold')::DOUBLE AS active,
            count(*) FILTER (WHERE (x.action <> 'hold' OR y.action <> 'hold') AND x.action = y.action)::DOUBLE AS active_same
     FROM decisions x JOIN decisions y ON x.ts = y.ts WHERE x.run_id = $1 AND y.run_id = $2`,
    [a, b],
  );
  const common = Number(row?.['common'] ?? 0);
  const same = Number(row?.['same'] ?? 0);
  const active = Number(row?.['active'] ?? 0);
  const activeSame = Number(row?.['active_same'] ?? 0);
  return { a, b, common, same, share: common > 0 ? same / common : null, active, activeSame, activeShare: active > 0 ? activeSame / active : null };
}
