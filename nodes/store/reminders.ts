import { InputError } from '../engine/errors';
import {
	activeReminderRules,
	remindersActive,
	stageReminderOutlook,
	type DueReminder,
	type ReminderLog,
	type ReminderSubject,
} from '../engine/reminders';
import type { Scope } from '../engine/inputs';
import { scopeCondition } from './customerQueries';
import type { SqlDriver, SqlExecutor } from './driver/sql';
import {
	batchesOf,
	chunk,
	inList,
	insertRows,
	insertRowsCounted,
	matchAny,
	ROWS_PER_STATEMENT,
	updateRows,
} from './driver/sql';
import { listJourneys, type JourneyCache } from './journeys';
import type { StoredJourney } from './types';

/**
 * Reminder bookkeeping (Stage Reminder): candidates by stage and time entered or last contact,
 * and the reminder log, claimed in the transaction that selects what is due. The engine
 * (engine/reminders.ts) decides what is due and words it; this module only reads and writes.
 */

export interface ReminderRunOptions {
	/** Journey keys; empty = every journey. */
	journeys: string[];
	/** Whose customers the run may look at. */
	scope: Scope;
	now: number;
	/** Where business days are Monday–Friday. */
	timeZone: string;
	admins: string[];
	/** Record what fires (claim), or only list it (preview). */
	claim: boolean;
}

export interface ReminderRun {
	/** Due reminders, each once: claimed by this run, or (preview) what a claim would take. */
	reminders: DueReminder[];
	/** Journeys asked for whose reminders are switched off. */
	switchedOff: StoredJourney[];
	/** Journeys looked at. */
	journeys: StoredJourney[];
}

/**
 * A membership to decide: read straight into the engine's shape (no copy per row); `logged`
 * says whether the reminder log holds anything of its current stage entry (usually not).
 */
type Candidate = Subject & { rowId: number; logged: number | boolean };

/** ReminderSubject as a plain object type (rows are typed as such). */
type Subject = { [K in keyof ReminderSubject]: ReminderSubject[K] };

/** The columns of a ReminderSubject, named as the engine names them. */
const SUBJECT_COLUMNS = `c.external_id AS "customerId", c.name AS "customerName", c.owner,
	m.stage_key AS stage, m.entered_at AS "stageEnteredAt", c.last_contact_at AS "lastContactAt"`;

const LOG_COLUMNS = [
	['journey_id', 'bigint'],
	['customer_id', 'bigint'],
	['rule_id', 'text'],
	['clock_start', 'bigint'],
	['occurrence', 'integer'],
	['stage_key', 'text'],
	['fired_at', 'bigint'],
	['escalated', 'integer'],
	['recipients', 'text'],
] as const;

/**
 * What a run decided: the due reminders with their log rows (same order), and the next check
 * time of every membership looked at, grouped by journey and time (most share one).
 */
interface Decided {
	reminders: DueReminder[];
	logRows: unknown[][];
	checks: Map<number, Map<number, number[]>>;
}

/**
 * Finds the reminders due at `now` and, when claiming, records them in the same transaction:
 * the reminder log's key (journey, customer, rule, clock start, occurrence) lets each reminder in
 * once, so two overlapping runs (or two n8n workers) never send the same one — the second waits
 * for the first to commit and finds it taken. A run that fails before commit records nothing.
 *
 * Work is proportional to the customers whose time may have come, not to all customers: each
 * membership keeps `reminder_check_at`, the earliest instant any rule of its stage can next fire
 * (engine: nextReminderCheck). A claiming run looks only at memberships whose check time has
 * passed, or that were reset to NULL by a change (a new stage, a contact, a new journey version),
 * and stores the next check time for each. Memberships a writer is changing at that moment are
 * skipped (SKIP LOCKED): the writer resets them, and the next run sees them.
 */
export async function runReminders(
	driver: SqlDriver,
	cache: JourneyCache,
	options: ReminderRunOptions,
): Promise<ReminderRun> {
	const work = async (db: SqlExecutor): Promise<ReminderRun> => {
		const journeys = await chosenJourneys(db, cache, options.journeys);
		const switchedOff = journeys.filter((j) => !remindersActive(j.definition));
		const decided: Decided = { reminders: [], logRows: [], checks: new Map() };
		for (const journey of journeys) {
			if (activeReminderRules(journey.definition).length === 0) continue;
			const journeyId = await journeyIdOf(db, journey.key);
			const candidates = await candidatesOf(db, journeyId, options);
			const logs = await seriesLogs(db, journeyId, candidates);
			decideJourney(journey, journeyId, candidates, logs, options, decided);
		}
		if (!options.claim) return { reminders: decided.reminders, switchedOff, journeys };
		const kept = await claim(db, decided);
		await saveChecks(db, decided.checks);
		return { reminders: kept, switchedOff, journeys };
	};
	return options.claim ? driver.transaction(work) : work(driver);
}

/** "Nothing more can fire until something changes": far beyond any check. */
const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * Every rule of each candidate's stage, decided: the due ones go to `decided` with their log
 * rows, and each candidate's next check time (when to look at it again) into its group.
 */
function decideJourney(
	journey: StoredJourney,
	journeyId: number,
	candidates: Candidate[],
	logs: Map<number, Map<string, ReminderLog[]>>,
	options: ReminderRunOptions,
	decided: Decided,
): void {
	const engineOptions = { timeZone: options.timeZone, admins: options.admins };
	let byTime = decided.checks.get(journeyId);
	if (!byTime) decided.checks.set(journeyId, (byTime = new Map()));
	for (const row of candidates) {
		const outlook = stageReminderOutlook(
			journey.definition,
			row,
			logs.get(row.rowId),
			options.now,
			engineOptions,
		);
		for (const { due } of outlook.rules) {
			if (!due) continue;
			decided.reminders.push(due);
			decided.logRows.push([
				journeyId,
				row.rowId,
				due.ruleId,
				due.log.clockStart,
				due.log.occurrences,
				due.stage,
				due.log.lastFiredAt,
				due.escalated ? 1 : 0,
				JSON.stringify(due.recipients),
			]);
		}
		const at = outlook.nextCheck ?? NEVER;
		const customers = byTime.get(at);
		if (customers) customers.push(row.rowId);
		else byTime.set(at, [row.rowId]);
	}
}

async function chosenJourneys(
	db: SqlExecutor,
	cache: JourneyCache,
	keys: string[],
): Promise<StoredJourney[]> {
	const all = await listJourneys(db, cache);
	if (keys.length === 0) return all;
	const byKey = new Map(all.map((j) => [j.key, j]));
	const unknown = keys.filter((key) => !byKey.has(key));
	if (unknown.length > 0) {
		throw new InputError(
			`Journey ${unknown.map((k) => `'${k}'`).join(', ')} does not exist; pick journeys from the list`,
			'journeys',
		);
	}
	return [...new Set(keys)].map((key) => byKey.get(key)!);
}

async function journeyIdOf(db: SqlExecutor, key: string): Promise<number> {
	const [row] = await db.query<{ id: number }>(`SELECT id FROM journeys WHERE journey_key = ?`, [
		key,
	]);
	return Number(row.id);
}

/**
 * The journey's memberships whose check time has passed or was reset, customer details joined;
 * claiming runs lock them (skipping rows a writer holds), previews only read.
 */
async function candidatesOf(
	db: SqlExecutor,
	journeyId: number,
	options: ReminderRunOptions,
): Promise<Candidate[]> {
	const scope = scopeCondition(options.scope);
	const lock =
		options.claim && db.dialect.forUpdate ? `${db.dialect.forUpdate} OF m SKIP LOCKED` : '';
	// A series' clock never starts before the stage entry: older log rows do not count.
	const select = `SELECT m.customer_id AS "rowId", ${SUBJECT_COLUMNS},
		   EXISTS (SELECT 1 FROM reminder_log r WHERE r.journey_id = m.journey_id
		     AND r.customer_id = m.customer_id AND r.clock_start >= m.entered_at) AS logged
		 FROM memberships m JOIN customers c ON c.id = m.customer_id WHERE m.journey_id = ?`;
	// Two index range reads (never checked; check time passed), not one OR the planner may scan.
	// The index leaves out NEVER (migration 13); each query names a term of its condition.
	const unchecked = await db.query<Candidate>(
		`${select} AND m.reminder_check_at IS NULL AND ${scope.sql}${lock}`,
		[journeyId, ...scope.params],
	);
	const due = await db.query<Candidate>(
		`${select} AND m.reminder_check_at <= ? AND m.reminder_check_at < ${NEVER} AND ${scope.sql}${lock}`,
		[journeyId, options.now, ...scope.params],
	);
	return [...unchecked, ...due].sort(
		(a, b) => a.stageEnteredAt - b.stageEnteredAt || (a.customerId < b.customerId ? -1 : 1),
	);
}

/**
 * Per customer and rule: each series, how far it got and when it last fired; read only for the
 * candidates with log rows of their current stage entry.
 */
async function seriesLogs(
	db: SqlExecutor,
	journeyId: number,
	candidates: Candidate[],
): Promise<Map<number, Map<string, ReminderLog[]>>> {
	const logs = new Map<number, Map<string, ReminderLog[]>>();
	const ids: number[] = [];
	for (const candidate of candidates) if (candidate.logged) ids.push(candidate.rowId);
	for (const part of chunk(ids, ROWS_PER_STATEMENT)) {
		const rows = await db.query<{
			customer_id: number;
			rule_id: string;
			clock_start: number;
			occurrences: number;
			last_fired_at: number;
		}>(
			`SELECT customer_id, rule_id, clock_start, MAX(occurrence) AS occurrences, MAX(fired_at) AS last_fired_at
			 FROM reminder_log WHERE journey_id = ? AND customer_id IN (${inList(part.length)})
			 GROUP BY customer_id, rule_id, clock_start`,
			[journeyId, ...part],
		);
		for (const row of rows) {
			const byRule = logs.get(Number(row.customer_id)) ?? new Map<string, ReminderLog[]>();
			const series = byRule.get(row.rule_id) ?? [];
			series.push({
				clockStart: Number(row.clock_start),
				occurrences: Number(row.occurrences),
				lastFiredAt: Number(row.last_fired_at),
			});
			byRule.set(row.rule_id, series);
			logs.set(Number(row.customer_id), byRule);
		}
	}
	return logs;
}

/**
 * Stores each looked-at membership's next check time: one statement per journey and time for
 * memberships sharing one (after a rule that does not repeat has fired, most get NEVER), a join
 * on a list for the rest.
 */
async function saveChecks(
	tx: SqlExecutor,
	checks: Map<number, Map<number, number[]>>,
): Promise<void> {
	const single: Array<[number, number, number]> = [];
	for (const [journeyId, byTime] of checks) {
		for (const [at, customers] of byTime) {
			if (customers.length === 1) {
				single.push([journeyId, customers[0], at]);
				continue;
			}
			for (const part of batchesOf(tx.dialect, customers)) {
				const match = matchAny(tx.dialect, part, 'bigint');
				await tx.run(
					`UPDATE memberships SET reminder_check_at = ? WHERE journey_id = ? AND customer_id${match.sql}`,
					[at, journeyId, ...match.params],
				);
			}
		}
	}
	await updateRows(
		tx,
		'memberships',
		[
			['journey_id', 'bigint'],
			['customer_id', 'bigint'],
		],
		[['reminder_check_at', 'bigint']],
		single,
	);
}

/**
 * Makes memberships be looked at again by the next run: after a contact (a new series of
 * no-contact reminders starts) or a new journey version (its rules may differ).
 */
export async function resetReminderChecks(
	tx: SqlExecutor,
	where: { customerIds: readonly number[] } | { journeyId: number },
): Promise<void> {
	if ('journeyId' in where) {
		await tx.run(`UPDATE memberships SET reminder_check_at = NULL WHERE journey_id = ?`, [
			where.journeyId,
		]);
		return;
	}
	for (const part of chunk([...new Set(where.customerIds)], ROWS_PER_STATEMENT)) {
		await tx.run(
			`UPDATE memberships SET reminder_check_at = NULL WHERE customer_id IN (${inList(part.length)})`,
			part,
		);
	}
}

const CLAIM = 'reminder_claim';

/**
 * Records the due reminders; returns those this run took. The log's key lets each in once: a
 * concurrent run (a preview-then-send race, a worker whose candidates overlapped) may have taken
 * some. Counting is enough to see that none was (the usual case, no rows sent back); only when
 * some were missing is the insert undone and done again returning what went in.
 */
async function claim(tx: SqlExecutor, { reminders, logRows }: Decided): Promise<DueReminder[]> {
	if (reminders.length === 0) return reminders;
	await tx.run(`SAVEPOINT ${CLAIM}`);
	const inserted = await insertRowsCounted(
		tx,
		'reminder_log',
		LOG_COLUMNS,
		logRows,
		'ON CONFLICT DO NOTHING',
	);
	if (inserted === reminders.length) {
		await tx.run(`RELEASE SAVEPOINT ${CLAIM}`);
		return reminders;
	}
	await tx.run(`ROLLBACK TO SAVEPOINT ${CLAIM}`);
	await tx.run(`RELEASE SAVEPOINT ${CLAIM}`);
	// journey, customer, rule and occurrence: unique among one run's reminders.
	const keyOf = (row: readonly unknown[]) => `${row[0]}:${row[1]}:${row[2]}:${row[4]}`;
	const taken = await insertRows<{
		journey_id: number;
		customer_id: number;
		rule_id: string;
		occurrence: number;
	}>(
		tx,
		'reminder_log',
		LOG_COLUMNS,
		logRows,
		'ON CONFLICT DO NOTHING RETURNING journey_id, customer_id, rule_id, occurrence',
	);
	const keys = new Set(
		taken.map((row) =>
			keyOf([
				Number(row.journey_id),
				Number(row.customer_id),
				row.rule_id,
				0,
				Number(row.occurrence),
			]),
		),
	);
	return reminders.filter((_, i) => keys.has(keyOf(logRows[i])));
}

/** A customer's sent reminders, newest first (Customer → Get). */
export interface SentReminder {
	journey: string;
	ruleId: string;
	stage: string;
	occurrence: number;
	escalated: boolean;
	firedAt: number;
	recipients: Array<{ role: string; id: string }>;
}

/** The latest `limit` sent reminders of each customer, newest first, in one query per chunk. */
export async function sentReminders(
	db: SqlExecutor,
	customerIds: readonly string[],
	limit = 50,
): Promise<Map<string, SentReminder[]>> {
	const sent = new Map<string, SentReminder[]>();
	for (const part of chunk([...new Set(customerIds)], ROWS_PER_STATEMENT)) {
		const rows = await db.query<{
			external_id: string;
			journey_key: string;
			rule_id: string;
			stage_key: string;
			occurrence: number;
			escalated: number;
			fired_at: number;
			recipients: string;
		}>(
			`SELECT * FROM (
			   SELECT c.external_id, j.journey_key, r.rule_id, r.stage_key, r.occurrence, r.escalated,
			          r.fired_at, r.recipients,
			          ROW_NUMBER() OVER (PARTITION BY r.customer_id ORDER BY r.fired_at DESC, r.rule_id) AS n
			   FROM reminder_log r JOIN customers c ON c.id = r.customer_id
			   JOIN journeys j ON j.id = r.journey_id
			   WHERE c.external_id IN (${inList(part.length)})
			 ) latest WHERE n <= ? ORDER BY external_id, n`,
			[...part, limit],
		);
		for (const row of rows) {
			const list = sent.get(row.external_id) ?? [];
			list.push({
				journey: row.journey_key,
				ruleId: row.rule_id,
				stage: row.stage_key,
				occurrence: Number(row.occurrence),
				escalated: Number(row.escalated) === 1,
				firedAt: Number(row.fired_at),
				recipients: JSON.parse(row.recipients),
			});
			sent.set(row.external_id, list);
		}
	}
	return sent;
}

/** A customer's reminders as they stand at a moment (Customer → Get). */
export interface CustomerReminderOutlook {
	/** Due and not yet sent in the current series, oldest due first. */
	open: DueReminder[];
	/** The next reminder of each rule that falls due later, soonest first. */
	upcoming: Array<{
		journeyKey: string;
		journeyName: string;
		ruleId: string;
		stage: string;
		occurrence: number;
		dueAt: number;
	}>;
}

/**
 * Each customer's open and coming reminders at `now`, decided by the engine exactly as a Stage
 * Reminder run would (stageReminderOutlook), from one query per chunk of customers: their
 * memberships with the reminder log of their current stage entry. Recipients are those of a
 * run without admins.
 */
export async function reminderOutlook(
	db: SqlExecutor,
	cache: JourneyCache,
	customerIds: readonly string[],
	now: number,
	timeZone: string,
): Promise<Map<string, CustomerReminderOutlook>> {
	type Row = Subject & {
		journey_id: number;
		version: number;
		definition: string;
		journey_name: string;
		rule_id: string | null;
		clock_start: number | null;
		occurrence: number | null;
		fired_at: number | null;
	};
	const outlooks = new Map<string, CustomerReminderOutlook>();
	for (const part of chunk([...new Set(customerIds)], ROWS_PER_STATEMENT)) {
		// Log rows of the current stage entry only: a series' clock never starts before it.
		const rows = await db.query<Row>(
			`SELECT ${SUBJECT_COLUMNS},
			        j.id AS journey_id, j.version, j.definition, j.name AS journey_name,
			        r.rule_id, r.clock_start, r.occurrence, r.fired_at
			 FROM customers c JOIN memberships m ON m.customer_id = c.id
			 JOIN journeys j ON j.id = m.journey_id
			 LEFT JOIN reminder_log r ON r.journey_id = m.journey_id AND r.customer_id = m.customer_id
			   AND r.stage_key = m.stage_key AND r.clock_start >= m.entered_at
			 WHERE c.external_id IN (${inList(part.length)})
			 ORDER BY j.display_order, j.name, c.external_id`,
			part,
		);
		// One entry per membership, its logs gathered per rule and series.
		const memberships = new Map<string, { row: Row; logs: Map<string, ReminderLog[]> }>();
		for (const row of rows) {
			const key = `${row.journey_id}:${row.customerId}`;
			let entry = memberships.get(key);
			if (!entry) memberships.set(key, (entry = { row, logs: new Map() }));
			if (row.rule_id === null) continue;
			const series = entry.logs.get(row.rule_id) ?? [];
			const clockStart = Number(row.clock_start);
			const log = series.find((l) => l.clockStart === clockStart);
			if (log) {
				log.occurrences = Math.max(log.occurrences, Number(row.occurrence));
				log.lastFiredAt = Math.max(log.lastFiredAt, Number(row.fired_at));
			} else {
				series.push({
					clockStart,
					occurrences: Number(row.occurrence),
					lastFiredAt: Number(row.fired_at),
				});
			}
			entry.logs.set(row.rule_id, series);
		}
		for (const { row, logs } of memberships.values()) {
			const definition = cache.definition(
				Number(row.journey_id),
				Number(row.version),
				String(row.definition),
			);
			const outlook = outlooks.get(row.customerId) ?? { open: [], upcoming: [] };
			outlooks.set(row.customerId, outlook);
			const decided = stageReminderOutlook(definition, row, logs, now, {
				timeZone,
				admins: [],
			});
			for (const { rule, due, next } of decided.rules) {
				if (due) outlook.open.push(due);
				if (next) {
					outlook.upcoming.push({
						journeyKey: definition.key,
						journeyName: row.journey_name,
						ruleId: rule.id,
						stage: rule.stage,
						...next,
					});
				}
			}
		}
	}
	for (const outlook of outlooks.values()) {
		outlook.open.sort((a, b) => a.dueAt - b.dueAt);
		outlook.upcoming.sort((a, b) => a.dueAt - b.dueAt);
	}
	return outlooks;
}
