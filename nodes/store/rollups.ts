import type { SqlExecutor } from './driver/sql';
import { lockFeed } from './feed';

/**
 * Funnel Report roll-ups (table funnel_days): per journey, UTC day, stage, owner and department,
 * what the transitions of that day contributed to the population figures that reach back before
 * a report's period:
 *
 * - entries: moves into the stage, credited to the move's owner and department;
 * - exits: moves out of it, credited to the owner and department of the move that entered it
 *   (the customer's previous move), so entries − exits up to an instant counts the customers
 *   whose last move before it put them in the stage, under that move's owner: "current" at the
 *   report's instant, "customers at start" at the period's start;
 * - first entries, four ways (history total counts distinct customers, so a customer who entered
 *   a stage twice counts once): the customer's first entry into the stage at all, first under
 *   this owner, first under this department, first under this owner and department.
 *
 * A move's contributions are booked on the UTC day of its effective time (DESIGN §3 rule 7: never
 * before the customer's previous move, so a late event's move lands on a day at or after the
 * previous one and every earlier move of the customer is already counted). Days are exact for UTC
 * instants only; a report reads the partial day before each of its instants from the transitions
 * themselves (`edgeContributions`), so any time zone and any instant come out exact.
 *
 * Kept by the ingest transaction (`keepRollups`, one statement per batch, from appendHistory, the
 * one writer of transitions), taken back by erasure (`dropRollups`), built for existing stores by
 * migration 11 (`backfillRollupsSql`).
 */

export const ROLLUP_DAY_MS = 24 * 60 * 60 * 1000;

export const ROLLUP_COUNTS = [
	'entries',
	'exits',
	'stage_firsts',
	'owner_firsts',
	'department_firsts',
	'pair_firsts',
] as const;
export type RollupCount = (typeof ROLLUP_COUNTS)[number];

const same = (column: string) => `COALESCE(q.${column}, '') = COALESCE(t.${column}, '')`;
const flag = (condition: string) => `MAX(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

/**
 * Every contribution of the transitions `t` that `where` picks (its parameters are needed twice,
 * see keepRollups): one entry row per move, one exit row per move that follows another. Each
 * row: journey_id, day, stage, owner, department ('' for none), occurred_at and the counts.
 * `seen` looks once at the customer's earlier entries into the same stage: NULL when there are
 * none, else 1 if one was under the same owner, + 2 under the same department, + 4 under both.
 */
function contributions(where: string): string {
	return `SELECT journey_id, day, stage, owner, department, occurred_at, 1 AS entries, 0 AS exits,
			CASE WHEN seen IS NULL THEN 1 ELSE 0 END AS stage_firsts,
			CASE WHEN seen IS NULL OR seen % 2 = 0 THEN 1 ELSE 0 END AS owner_firsts,
			CASE WHEN seen IS NULL OR seen / 2 % 2 = 0 THEN 1 ELSE 0 END AS department_firsts,
			CASE WHEN seen IS NULL OR seen / 4 = 0 THEN 1 ELSE 0 END AS pair_firsts
		FROM (SELECT t.journey_id, t.occurred_at / ${ROLLUP_DAY_MS} AS day, t.to_stage AS stage,
				COALESCE(t.owner, '') AS owner, COALESCE(t.department, '') AS department, t.occurred_at,
				(SELECT ${flag(same('owner'))} + 2 * ${flag(same('department'))}
					+ 4 * ${flag(`${same('owner')} AND ${same('department')}`)}
				 FROM transitions q WHERE q.journey_id = t.journey_id AND q.customer_id = t.customer_id
				   AND q.id < t.id AND q.to_stage = t.to_stage) AS seen
			FROM transitions t WHERE ${where}) e
		UNION ALL
		SELECT t.journey_id, t.occurred_at / ${ROLLUP_DAY_MS}, p.to_stage, COALESCE(p.owner, ''),
			COALESCE(p.department, ''), t.occurred_at, 0, 1, 0, 0, 0, 0
		FROM transitions t JOIN transitions p ON p.id = (SELECT MAX(q.id) FROM transitions q
			WHERE q.journey_id = t.journey_id AND q.customer_id = t.customer_id AND q.id < t.id)
		WHERE ${where}`;
}

const KEY = 'journey_id, day, stage, owner, department';
const sums = (sign: string) => ROLLUP_COUNTS.map((c) => `${sign}SUM(${c})`).join(', ');

/** Adds (or with sign '-' takes back) the contributions of the transitions `where` picks. */
function upsert(where: string, sign: '' | '-'): string {
	return `INSERT INTO funnel_days (${KEY}, ${ROLLUP_COUNTS.join(', ')})
		SELECT ${KEY}, ${sums(sign)} FROM (${contributions(where)}) c WHERE true GROUP BY ${KEY}
		ON CONFLICT (${KEY}) DO UPDATE SET ${ROLLUP_COUNTS.map((c) => `${c} = funnel_days.${c} + excluded.${c}`).join(', ')}`;
}

/**
 * Books the moves appendHistory has just inserted: the last `count` transition ids. They are
 * consecutive and the newest: the insert holds the store's write lock (SQLite) or the feed's lock
 * (PostgreSQL, feed.ts) from before its first id is taken until the commit, and nothing else
 * writes transitions. One statement for the whole batch.
 */
export async function keepRollups(tx: SqlExecutor, count: number): Promise<void> {
	if (count === 0) return;
	const where = `t.id > (SELECT MAX(id) FROM transitions) - ?`;
	await tx.run(upsert(where, ''), [count, count]);
}

/**
 * Takes back everything a customer's moves contributed (before Customer → Delete erases them).
 * Under the feed's lock on PostgreSQL, like every batch that books moves: roll-up rows are then
 * always locked after it, so an erasure and a batch never wait on each other's rows. (The
 * customer's row is locked before, as a batch locks its customers before the feed.)
 */
export async function dropRollups(tx: SqlExecutor, customerId: number): Promise<void> {
	await lockFeed(tx);
	await tx.run(upsert(`t.customer_id = ?`, '-'), [customerId, customerId]);
}

/** Migration 11: the roll-ups of every transition already stored. */
export function backfillRollupsSql(): string {
	return `INSERT INTO funnel_days (${KEY}, ${ROLLUP_COUNTS.join(', ')})
		SELECT ${KEY}, ${sums('')} FROM (${contributions('true')}) c WHERE true GROUP BY ${KEY}`;
}

export interface PairCounts {
	stage: string;
	/** '' = the unassigned pool. */
	owner: string;
	/** '' = none. */
	department: string;
	counts: Record<RollupCount, number>;
}

function pairRows(rows: Array<Record<string, unknown>>): PairCounts[] {
	return rows.map((row) => ({
		stage: String(row.stage),
		owner: String(row.owner),
		department: String(row.department),
		counts: Object.fromEntries(ROLLUP_COUNTS.map((c) => [c, Number(row[c] ?? 0)])) as Record<
			RollupCount,
			number
		>,
	}));
}

/** The UTC day an instant falls in, and where that day starts. */
export function rollupDay(at: number): number {
	return Math.floor(at / ROLLUP_DAY_MS);
}

/**
 * Roll-up totals per stage, owner and department in parts split at the given days: part i holds
 * the days before days[i] and not before days[i - 1] (days ascending; nothing at or after the
 * last day is read). One pass over the journey's roll-up rows.
 */
export async function rollupParts(
	db: SqlExecutor,
	journeyId: number,
	days: readonly number[],
): Promise<Array<PairCounts & { part: number }>> {
	const part = `CASE ${days.map((_, i) => `WHEN day < ? THEN ${i}`).join(' ')} END`;
	const rows = await db.query(
		`SELECT stage, owner, department, ${part} AS part,
		   ${ROLLUP_COUNTS.map((c) => `SUM(${c}) AS ${c}`).join(', ')}
		 FROM funnel_days WHERE journey_id = ? AND day < ? GROUP BY stage, owner, department, part`,
		[...days, journeyId, days[days.length - 1]],
	);
	const parts = pairRows(rows);
	return parts.map((p, i) => ({ ...p, part: Number(rows[i].part) }));
}

/**
 * The same counts for the moves in [from, to) read from the transitions themselves: the part of
 * a day before an instant that the day's roll-up row cannot split.
 */
export async function edgeContributions(
	db: SqlExecutor,
	journeyId: number,
	from: number,
	to: number,
): Promise<PairCounts[]> {
	if (!(to > from)) return [];
	const where = `t.journey_id = ? AND t.occurred_at >= ? AND t.occurred_at < ?`;
	const rows = await db.query(
		`SELECT stage, owner, department, ${ROLLUP_COUNTS.map((c) => `SUM(${c}) AS ${c}`).join(', ')}
		 FROM (${contributions(where)}) c GROUP BY stage, owner, department`,
		[journeyId, from, to, journeyId, from, to],
	);
	return pairRows(rows);
}
