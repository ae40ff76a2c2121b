import { InputError } from '../engine/errors';
import type { ReminderRule } from '../engine/journey';
import {
	activeReminderRules,
	decideReminder,
	latestDueClockStart,
	reminderClockStart,
	type DueReminder,
	type ReminderLog,
} from '../engine/reminders';
import type { SqlDriver, SqlExecutor } from './driver/sql';
import { chunk, inList, placeholders, ROWS_PER_STATEMENT } from './driver/sql';
import { listJourneys, type JourneyCache } from './journeys';
import type { StoredJourney } from './types';

/**
 * Reminder bookkeeping (Stage Reminder): candidates by stage and time entered or last contact,
 * and the reminder log, claimed in the transaction that selects what is due. The engine
 * (engine/reminders.ts) decides what is due and words it; this module only reads and writes.
 */

/** Whose customers a run may look at. */
export type CustomerScope =
	| { kind: 'all' }
	| { kind: 'departments'; values: string[] }
	| { kind: 'owners'; values: string[] };

export interface ReminderRunOptions {
	/** Journey keys; empty = every journey. */
	journeys: string[];
	scope: CustomerScope;
	now: number;
	/** Where business days are Monday–Friday. */
	timeZone: string;
	admins: string[];
	/** Record what fires (claim), or only list it (preview). */
	claim: boolean;
}

export interface ReminderRun {
	/** Due reminders, each once: claimed by this run, or (preview) what a claim would take. */
	reminders: Array<DueReminder & { journeyName: string }>;
	/** Journeys asked for whose reminders are switched off. */
	switchedOff: StoredJourney[];
	/** Journeys looked at. */
	journeys: StoredJourney[];
}

/** A due reminder and the rows it belongs to (for the claim). */
interface Found {
	reminder: DueReminder & { journeyName: string };
	journeyId: number;
	customerRowId: number;
}

type Candidate = {
	customer_id: number;
	external_id: string;
	name: string | null;
	owner: string | null;
	stage_key: string;
	entered_at: number;
	last_contact_at: number | null;
};

const LOG_COLUMNS = [
	'journey_id',
	'customer_id',
	'rule_id',
	'clock_start',
	'occurrence',
	'stage_key',
	'fired_at',
	'escalated',
	'recipients',
];

/**
 * Finds the reminders due at `now` and, when claiming, records them in the same transaction:
 * the reminder log's key (journey, customer, rule, clock start, occurrence) lets each reminder in
 * once, so two overlapping runs (or two n8n workers) never send the same one — the second waits
 * for the first to commit and finds it taken. A run that fails before commit records nothing.
 */
export async function runReminders(
	driver: SqlDriver,
	cache: JourneyCache,
	options: ReminderRunOptions,
): Promise<ReminderRun> {
	const work = async (db: SqlExecutor): Promise<ReminderRun> => {
		const journeys = await chosenJourneys(db, cache, options.journeys);
		const switchedOff = journeys.filter((j) => !j.definition.remindersEnabled);
		const found: Found[] = [];
		for (const journey of journeys) {
			const journeyId = await journeyIdOf(db, journey.key);
			for (const rule of activeReminderRules(journey.definition)) {
				found.push(...(await dueForRule(db, journey, journeyId, rule, options)));
			}
		}
		const kept = options.claim ? await claim(db, found) : found;
		return { reminders: kept.map((f) => f.reminder), switchedOff, journeys };
	};
	return options.claim ? driver.transaction(work) : work(driver);
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

/** SQL for the rule's clock start (see engine/reminders.ts, reminderClockStart). */
function clockStartSql(rule: ReminderRule): string {
	return rule.kind === 'daysInStage'
		? 'm.entered_at'
		: 'CASE WHEN c.last_contact_at > m.entered_at THEN c.last_contact_at ELSE m.entered_at END';
}

function scopeSql(scope: CustomerScope): { sql: string; params: string[] } {
	if (scope.kind === 'all') return { sql: '', params: [] };
	const column = scope.kind === 'owners' ? 'c.owner' : 'c.department';
	return { sql: ` AND ${column} IN (${inList(scope.values.length)})`, params: scope.values };
}

/**
 * One rule's due reminders. Candidates come from the stage index: customers in the rule's stage
 * whose clock started early enough to be due (latestDueClockStart). A rule that fires once skips
 * customers it already fired for in the current series in SQL; a repeating rule reads its series
 * log and lets the engine decide whether the next occurrence is due.
 */
async function dueForRule(
	db: SqlExecutor,
	journey: StoredJourney,
	journeyId: number,
	rule: ReminderRule,
	options: ReminderRunOptions,
): Promise<Found[]> {
	const latest = latestDueClockStart(rule, options.now);
	const clockStart = clockStartSql(rule);
	const scope = scopeSql(options.scope);
	const contactFilter =
		rule.kind === 'daysWithoutContact'
			? ' AND (c.last_contact_at IS NULL OR c.last_contact_at <= ?)'
			: '';
	const firedOnce =
		rule.repeatEveryDays === undefined
			? ` AND NOT EXISTS (SELECT 1 FROM reminder_log r WHERE r.journey_id = m.journey_id
				AND r.customer_id = m.customer_id AND r.rule_id = ? AND r.clock_start = ${clockStart})`
			: '';
	const candidates = await db.query<Candidate>(
		`SELECT m.customer_id, c.external_id, c.name, c.owner, m.stage_key, m.entered_at, c.last_contact_at
		 FROM memberships m JOIN customers c ON c.id = m.customer_id
		 WHERE m.journey_id = ? AND m.stage_key = ? AND m.entered_at <= ?${contactFilter}${scope.sql}${firedOnce}
		 ORDER BY m.entered_at, c.external_id`,
		[
			journeyId,
			rule.stage,
			latest,
			...(contactFilter ? [latest] : []),
			...scope.params,
			...(firedOnce ? [rule.id] : []),
		],
	);
	const logs =
		rule.repeatEveryDays === undefined
			? new Map<number, ReminderLog[]>()
			: await seriesLogs(db, journeyId, rule.id, candidates);
	const due: Found[] = [];
	for (const row of candidates) {
		const subject = {
			customerId: row.external_id,
			customerName: row.name,
			owner: row.owner,
			stage: row.stage_key,
			stageEnteredAt: Number(row.entered_at),
			lastContactAt: row.last_contact_at === null ? null : Number(row.last_contact_at),
		};
		const series = logs.get(Number(row.customer_id)) ?? [];
		const reminder = decideReminder(
			journey.definition,
			rule,
			subject,
			series.find((log) => log.clockStart === reminderClockStart(rule, subject)) ?? null,
			options.now,
			{ timeZone: options.timeZone, admins: options.admins },
		);
		if (reminder) {
			due.push({
				reminder: { ...reminder, journeyName: journey.name },
				journeyId,
				customerRowId: Number(row.customer_id),
			});
		}
	}
	return due;
}

/** Per customer: each series of this rule, how far it got and when it last fired. */
async function seriesLogs(
	db: SqlExecutor,
	journeyId: number,
	ruleId: string,
	candidates: Candidate[],
): Promise<Map<number, ReminderLog[]>> {
	const logs = new Map<number, ReminderLog[]>();
	const ids = candidates.map((c) => Number(c.customer_id));
	for (const part of chunk(ids, ROWS_PER_STATEMENT)) {
		const rows = await db.query<{
			customer_id: number;
			clock_start: number;
			occurrences: number;
			last_fired_at: number;
		}>(
			`SELECT customer_id, clock_start, MAX(occurrence) AS occurrences, MAX(fired_at) AS last_fired_at
			 FROM reminder_log WHERE journey_id = ? AND rule_id = ? AND customer_id IN (${inList(part.length)})
			 GROUP BY customer_id, clock_start`,
			[journeyId, ruleId, ...part],
		);
		for (const row of rows) {
			const list = logs.get(Number(row.customer_id)) ?? [];
			list.push({
				clockStart: Number(row.clock_start),
				occurrences: Number(row.occurrences),
				lastFiredAt: Number(row.last_fired_at),
			});
			logs.set(Number(row.customer_id), list);
		}
	}
	return logs;
}

/** Records the due reminders; returns those this run took (a concurrent run may have one). */
async function claim(tx: SqlExecutor, found: Found[]): Promise<Found[]> {
	const keyOf = (journeyId: number, customerRowId: number, ruleId: string, occurrence: number) =>
		`${journeyId}:${customerRowId}:${ruleId}:${occurrence}`;
	const taken = new Set<string>();
	for (const part of chunk(found, ROWS_PER_STATEMENT)) {
		const params = part.flatMap(({ reminder, journeyId, customerRowId }) => [
			journeyId,
			customerRowId,
			reminder.ruleId,
			reminder.log.clockStart,
			reminder.log.occurrences,
			reminder.stage,
			reminder.log.lastFiredAt,
			reminder.escalated ? 1 : 0,
			JSON.stringify(reminder.recipients),
		]);
		const rows = await tx.query<{
			journey_id: number;
			customer_id: number;
			rule_id: string;
			occurrence: number;
		}>(
			`INSERT INTO reminder_log (${LOG_COLUMNS.join(', ')}) VALUES ${placeholders(part.length, LOG_COLUMNS.length)}
			 ON CONFLICT DO NOTHING RETURNING journey_id, customer_id, rule_id, occurrence`,
			params,
		);
		for (const row of rows) {
			taken.add(
				keyOf(Number(row.journey_id), Number(row.customer_id), row.rule_id, Number(row.occurrence)),
			);
		}
	}
	return found.filter(({ reminder, journeyId, customerRowId }) =>
		taken.has(keyOf(journeyId, customerRowId, reminder.ruleId, reminder.log.occurrences)),
	);
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

export async function sentReminders(
	db: SqlExecutor,
	customerId: string,
	limit = 50,
): Promise<SentReminder[]> {
	const rows = await db.query<{
		journey_key: string;
		rule_id: string;
		stage_key: string;
		occurrence: number;
		escalated: number;
		fired_at: number;
		recipients: string;
	}>(
		`SELECT j.journey_key, r.rule_id, r.stage_key, r.occurrence, r.escalated, r.fired_at, r.recipients
		 FROM reminder_log r JOIN customers c ON c.id = r.customer_id JOIN journeys j ON j.id = r.journey_id
		 WHERE c.external_id = ? ORDER BY r.fired_at DESC, r.rule_id LIMIT ?`,
		[customerId, limit],
	);
	return rows.map((row) => ({
		journey: row.journey_key,
		ruleId: row.rule_id,
		stage: row.stage_key,
		occurrence: Number(row.occurrence),
		escalated: Number(row.escalated) === 1,
		firedAt: Number(row.fired_at),
		recipients: JSON.parse(row.recipients),
	}));
}
