import type { SqlDriver, SqlExecutor } from './driver/sql';
import { customerRowsSql } from './customerQueries';

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
 * Brought up to date by the reader, not by ingest (`catchUpRollups`, before every report): the
 * roll-ups count every transition up to the id in `funnel_rollup_mark`, and a report first books
 * the moves committed since, in steps (MOVES_PER_TRANSACTION). Ingest pays nothing and concurrent
 * writers never meet on the roll-ups' few, busy rows (one per journey, day, stage and owner); a report pays for
 * the moves since the last one. Transition ids are in commit order (PostgreSQL: feed.ts's lock;
 * SQLite: one writer at a time), so no move below the mark can still appear. Taken back by
 * erasure (`dropRollups`, only what was booked), built for existing stores by migration 11.
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
 * see catchUpRollups): one entry row per move, one exit row per move that follows another. Each
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
 * Moves booked per transaction when catching up: after an import of millions of moves the first
 * report books them in steps of a few seconds each, so work done survives an interrupted run
 * (a timeout, a restart) and writers are not held off for minutes.
 */
const MOVES_PER_TRANSACTION = 100_000;

/**
 * Books the moves committed since the roll-ups were last brought up to date (ids above the mark),
 * then moves the mark: one statement per step of `movesPerTransaction` ids, each step in its own
 * transaction. The mark's row lock (or SQLite's write lock) keeps two readers from booking the
 * same moves twice; a move's contributions read the history itself, never the roll-ups, so steps
 * may split a customer's moves anywhere. Nothing new: no transaction.
 */
export async function catchUpRollups(
	driver: SqlDriver,
	{ movesPerTransaction = MOVES_PER_TRANSACTION } = {},
): Promise<void> {
	const unbooked = async (db: SqlExecutor, lock: string) => {
		const [row] = await db.query<{ mark: number; head: number | null }>(
			`SELECT booked_through AS mark, (SELECT MAX(id) FROM transitions) AS head
			 FROM funnel_rollup_mark WHERE id = 1${lock}`,
		);
		const mark = Number(row.mark);
		const head = row.head === null ? mark : Number(row.head);
		return head > mark ? { mark, head } : null;
	};
	const target = await unbooked(driver, '');
	if (!target) return;
	// Up to the head seen now: moves committed meanwhile are the next report's.
	for (let more = true; more; ) {
		more = await driver.transaction(async (tx) => {
			const range = await unbooked(tx, tx.dialect.forUpdate);
			if (!range || range.mark >= target.head) return false;
			const through = Math.min(range.head, target.head, range.mark + movesPerTransaction);
			await tx.run(upsert(`t.id > ? AND t.id <= ?`, ''), [
				range.mark,
				through,
				range.mark,
				through,
			]);
			await tx.run(`UPDATE funnel_rollup_mark SET booked_through = ? WHERE id = 1`, [through]);
			return through < target.head;
		});
	}
}

/**
 * Takes back what a customer's booked moves contributed (before Customer → Delete erases them;
 * moves above the mark were never booked and go with the customer). The mark's row is locked
 * first, so a report catching up meanwhile books the customer's moves wholly before or not at all.
 */
export async function dropRollups(tx: SqlExecutor, customerId: number): Promise<void> {
	const [row] = await tx.query<{ mark: number }>(
		`SELECT booked_through AS mark FROM funnel_rollup_mark WHERE id = 1${tx.dialect.forUpdate}`,
	);
	const where = `${customerRowsSql('t', '?')} AND t.id <= ?`;
	const mark = Number(row.mark);
	await tx.run(upsert(where, '-'), [customerId, mark, customerId, mark]);
}

/** Migration 11: the roll-ups of every transition already stored. */
export function backfillRollupsSql(): string {
	return `INSERT INTO funnel_days (${KEY}, ${ROLLUP_COUNTS.join(', ')})
		SELECT ${KEY}, ${sums('')} FROM (${contributions('true')}) c WHERE true GROUP BY ${KEY}`;
}

/** Migration 11, after the backfill: every transition stored so far is booked. */
export const MARK_BOOKED_SQL = `UPDATE funnel_rollup_mark SET booked_through = (SELECT COALESCE(MAX(id), 0) FROM transitions) WHERE id = 1`;

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
