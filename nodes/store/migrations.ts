import type { Dialect, SqlDriver } from './driver/sql';
import { backfillRollupsSql, MARK_BOOKED_SQL } from './rollups';

/**
 * Drops the journey and customer foreign keys of `tables` on PostgreSQL (the names PostgreSQL
 * gave them); SQLite keeps its own (dropping one there means rebuilding the table).
 */
function dropForeignKeysOnPostgres(d: Dialect, tables: readonly string[]): string[] {
	if (d.name !== 'postgres') return [];
	return tables.flatMap((table) =>
		['journey_id', 'customer_id'].map(
			(column) => `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_${column}_fkey`,
		),
	);
}

/**
 * Versioned schema, one list for both backends; `d.idColumn` is the only dialect-specific
 * token. Times are epoch milliseconds (BIGINT), so ranges compare the same way everywhere.
 * Append new versions; never edit a released one.
 */
export const MIGRATIONS: Array<{ version: number; statements: (d: Dialect) => string[] }> = [
	{
		version: 1,
		statements: (d) => [
			`CREATE TABLE journeys (
				id ${d.idColumn},
				journey_key TEXT NOT NULL UNIQUE,
				name TEXT NOT NULL,
				display_order INTEGER NOT NULL DEFAULT 0,
				version INTEGER NOT NULL,
				definition TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL
			)`,
			// Every version a journey had: history rows name the version they were made under.
			`CREATE TABLE journey_versions (
				journey_id BIGINT NOT NULL REFERENCES journeys (id),
				version INTEGER NOT NULL,
				definition TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				PRIMARY KEY (journey_id, version)
			)`,
			`CREATE TABLE customers (
				id ${d.idColumn},
				external_id TEXT NOT NULL UNIQUE,
				name TEXT,
				email TEXT,
				phone TEXT,
				owner TEXT,
				department TEXT,
				rating INTEGER,
				tags TEXT,
				properties TEXT,
				last_contact_at BIGINT,
				last_event_at BIGINT,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL
			)`,
			// A customer's current stage per journey (one row per journey they are in).
			`CREATE TABLE memberships (
				journey_id BIGINT NOT NULL REFERENCES journeys (id),
				customer_id BIGINT NOT NULL REFERENCES customers (id),
				stage_key TEXT NOT NULL,
				status_key TEXT,
				entered_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL,
				PRIMARY KEY (journey_id, customer_id)
			)`,
			// Current stage counts and due reminders (stage + time entered).
			`CREATE INDEX memberships_stage ON memberships (journey_id, stage_key, entered_at)`,
			`CREATE INDEX memberships_customer ON memberships (customer_id)`,
			// NULL event keys never conflict, so events without an id are always recorded.
			`CREATE TABLE events (
				id ${d.idColumn},
				journey_id BIGINT NOT NULL REFERENCES journeys (id),
				customer_id BIGINT NOT NULL REFERENCES customers (id),
				event_key TEXT,
				event_type TEXT NOT NULL,
				channel TEXT,
				occurred_at BIGINT NOT NULL,
				recorded_at BIGINT NOT NULL,
				properties TEXT NOT NULL,
				UNIQUE (journey_id, event_key)
			)`,
			// Append-only history: the customer's timeline and the source of every report.
			`CREATE TABLE transitions (
				id ${d.idColumn},
				journey_id BIGINT NOT NULL REFERENCES journeys (id),
				journey_version INTEGER NOT NULL,
				customer_id BIGINT NOT NULL REFERENCES customers (id),
				from_stage TEXT,
				to_stage TEXT NOT NULL,
				direction TEXT NOT NULL,
				reason_kind TEXT NOT NULL,
				reason TEXT NOT NULL,
				event_type TEXT,
				event_key TEXT,
				rule_id TEXT,
				actor TEXT,
				note TEXT,
				owner TEXT,
				department TEXT,
				occurred_at BIGINT NOT NULL,
				recorded_at BIGINT NOT NULL
			)`,
			// The timeline. Report and activity indexes come with the queries that use them: every
			// index is paid for on the ingest hot path.
			`CREATE INDEX transitions_customer ON transitions (customer_id, journey_id, id)`,
		],
	},
	{
		// Rule 7: occurred_at is a move's effective time; keep the event's own time beside it, and
		// when the left stage was entered, so stay lengths need no self-join. NULL in older rows.
		version: 2,
		statements: () => [
			`ALTER TABLE transitions ADD COLUMN event_occurred_at BIGINT`,
			`ALTER TABLE transitions ADD COLUMN from_entered_at BIGINT`,
		],
	},
	{
		// Stage Reminder: one row per reminder sent. The key lets each reminder in once, so
		// overlapping runs never send the same one (see store/reminders.ts). Candidates come from
		// memberships_stage (stage, time entered).
		version: 3,
		statements: () => [
			`CREATE TABLE reminder_log (
				journey_id BIGINT NOT NULL REFERENCES journeys (id),
				customer_id BIGINT NOT NULL REFERENCES customers (id),
				rule_id TEXT NOT NULL,
				clock_start BIGINT NOT NULL,
				occurrence INTEGER NOT NULL,
				stage_key TEXT NOT NULL,
				fired_at BIGINT NOT NULL,
				escalated INTEGER NOT NULL,
				recipients TEXT NOT NULL,
				PRIMARY KEY (journey_id, customer_id, rule_id, clock_start, occurrence)
			)`,
		],
	},
	{
		// Customer → Log Contact: who reached the customer, how and when. The latest one is also the
		// customer's last_contact_at, which restarts "no contact for N days" reminders.
		version: 4,
		statements: (d) => [
			`CREATE TABLE contacts (
				id ${d.idColumn},
				customer_id BIGINT NOT NULL REFERENCES customers (id),
				employee TEXT,
				channel TEXT,
				note TEXT,
				contacted_at BIGINT NOT NULL,
				recorded_at BIGINT NOT NULL
			)`,
			`CREATE INDEX contacts_customer ON contacts (customer_id, contacted_at)`,
		],
	},
	{
		// Funnel Report: a journey's history in one ordered pass (by customer, then history order).
		// Rows from before version 2 get the time their left stage was entered — the customer's
		// previous move in the journey — so every stay has a length without a self-join.
		version: 5,
		statements: () => [
			`CREATE INDEX transitions_journey_customer ON transitions (journey_id, customer_id, id)`,
			`UPDATE transitions SET from_entered_at = (
				SELECT p.occurred_at FROM transitions p
				WHERE p.journey_id = transitions.journey_id AND p.customer_id = transitions.customer_id
				  AND p.id < transitions.id
				ORDER BY p.id DESC LIMIT 1
			) WHERE from_entered_at IS NULL AND from_stage IS NOT NULL`,
		],
	},
	{
		// The append-only tables of the ingest hot path lose their foreign keys on PostgreSQL: each
		// row paid two trigger lookups (about half of a 10,000-event insert) to recheck ids the same
		// transaction has just taken from a locked customer row and a journey read FOR SHARE, and
		// nothing ever deletes a customer or a journey. Memberships keep theirs (one row per
		// customer, not per event). SQLite keeps them too: dropping one there means rebuilding the
		// table, and its checks are cheap in-process lookups.
		version: 6,
		statements: (d) => dropForeignKeysOnPostgres(d, ['events', 'transitions']),
	},
	{
		// Stage Reminder: when to look at a membership again (store/reminders.ts). NULL = at the
		// next run: new memberships, and any reset by a change (stage, contact, journey version).
		version: 7,
		statements: () => [
			`ALTER TABLE memberships ADD COLUMN reminder_check_at BIGINT`,
			`CREATE INDEX memberships_reminder_check ON memberships (journey_id, reminder_check_at)`,
		],
	},
	{
		// Evaluate 30-Day Activity and automation rules: per customer, journey, UTC day and event
		// type, how many events were recorded (kept by the ingest transaction, so a score reads
		// days, not events); the score and level last computed, with when; and when each journey
		// was last evaluated as a whole (its runs re-score only customers with days since then).
		version: 8,
		statements: () => [
			`CREATE TABLE activity_days (
				journey_id BIGINT NOT NULL,
				customer_id BIGINT NOT NULL,
				day INTEGER NOT NULL,
				event_type TEXT NOT NULL,
				event_count INTEGER NOT NULL,
				PRIMARY KEY (journey_id, customer_id, day, event_type)
			)`,
			`CREATE INDEX activity_days_day ON activity_days (journey_id, day)`,
			`CREATE TABLE activity_scores (
				journey_id BIGINT NOT NULL,
				customer_id BIGINT NOT NULL,
				score DOUBLE PRECISION NOT NULL,
				level_key TEXT,
				computed_at BIGINT NOT NULL,
				PRIMARY KEY (journey_id, customer_id)
			)`,
			`CREATE TABLE activity_runs (
				journey_id BIGINT PRIMARY KEY,
				evaluated_at BIGINT NOT NULL
			)`,
		],
	},
	{
		// Customer → Update and Assign: every change of owner, with why (assigned or updated) and by
		// whom. Its own table, not history rows: transitions are stage moves in a journey and feed
		// every report; an owner change has neither journey nor stage. (Customer → Delete now erases
		// customers: it deletes from every table by customer id itself, foreign keys or not.)
		version: 9,
		statements: (d) => [
			`CREATE TABLE owner_changes (
				id ${d.idColumn},
				customer_id BIGINT NOT NULL REFERENCES customers (id),
				from_owner TEXT,
				to_owner TEXT,
				reason_kind TEXT NOT NULL,
				actor TEXT,
				changed_at BIGINT NOT NULL
			)`,
			`CREATE INDEX owner_changes_customer ON owner_changes (customer_id, id)`,
			// Get Many's pages sorted by creation walk this index and stop after a page. (Created
			// never changes, so ingest does not pay for it; the other sorts scan per page.)
			`CREATE INDEX customers_created ON customers (created_at, id)`,
		],
	},
	{
		// Stage Trigger: one durable cursor per workflow and trigger node (store/feed.ts). after_id is
		// the last transition id handled; start_key remembers the start setting it was made from.
		version: 10,
		statements: () => [
			`CREATE TABLE feed_cursors (
				workflow_id TEXT NOT NULL,
				node_id TEXT NOT NULL,
				after_id BIGINT NOT NULL,
				not_before BIGINT NOT NULL,
				start_key TEXT NOT NULL,
				updated_at BIGINT NOT NULL,
				PRIMARY KEY (workflow_id, node_id)
			)`,
		],
	},
	{
		// Funnel Report: reports cost what their period covers (store/rollups.ts). Daily roll-ups
		// (brought up to date by each report, from a mark) — per journey, UTC day, stage, owner and
		// department: moves in, moves out (credited to the owner of the move that entered the stage) and first
		// entries — give the population figures before a period; the period's own moves come along
		// transitions_journey_time. Existing stores get their roll-ups built here.
		version: 11,
		statements: () => [
			`CREATE TABLE funnel_days (
				journey_id BIGINT NOT NULL,
				day INTEGER NOT NULL,
				stage TEXT NOT NULL,
				owner TEXT NOT NULL,
				department TEXT NOT NULL,
				entries INTEGER NOT NULL,
				exits INTEGER NOT NULL,
				stage_firsts INTEGER NOT NULL,
				owner_firsts INTEGER NOT NULL,
				department_firsts INTEGER NOT NULL,
				pair_firsts INTEGER NOT NULL,
				PRIMARY KEY (journey_id, day, stage, owner, department)
			)`,
			`CREATE INDEX transitions_journey_time ON transitions (journey_id, occurred_at)`,
			// The last transition id the roll-ups count; reports bring them up to date from there.
			`CREATE TABLE funnel_rollup_mark (
				id INTEGER PRIMARY KEY,
				booked_through BIGINT NOT NULL
			)`,
			`INSERT INTO funnel_rollup_mark (id, booked_through) VALUES (1, 0)`,
			backfillRollupsSql(),
			MARK_BOOKED_SQL,
		],
	},
	{
		// Evaluate 30-Day Activity: a customer's events in one journey by time. "Days since last
		// event" counts from the customer's latest event recorded into the journey being evaluated
		// (not into any journey), and an evaluation as of an instant counts only the events up to
		// it: both read this index (a seek per customer), never the roll-ups' whole days.
		// On SQLite the daily roll-ups become a WITHOUT ROWID table: clustered on their key, one
		// b-tree fewer for every ingest upsert, and the (journey, day) index then carries the
		// customer id, so a run finds who had events in a window without visiting the rows.
		version: 12,
		statements: (d) => [
			`CREATE INDEX events_customer_time ON events (journey_id, customer_id, occurred_at)`,
			...(d.name === 'sqlite'
				? [
						`CREATE TABLE activity_days_clustered (
							journey_id BIGINT NOT NULL,
							customer_id BIGINT NOT NULL,
							day INTEGER NOT NULL,
							event_type TEXT NOT NULL,
							event_count INTEGER NOT NULL,
							PRIMARY KEY (journey_id, customer_id, day, event_type)
						) WITHOUT ROWID`,
						`INSERT INTO activity_days_clustered (journey_id, customer_id, day, event_type, event_count)
						 SELECT journey_id, customer_id, day, event_type, event_count FROM activity_days`,
						`DROP TABLE activity_days`,
						`ALTER TABLE activity_days_clustered RENAME TO activity_days`,
						`CREATE INDEX activity_days_day ON activity_days (journey_id, day)`,
					]
				: []),
		],
	},
	{
		// Stage Reminder: a membership nothing can fire for until something changes (check time
		// NEVER, e.g. after a rule that does not repeat has fired) leaves the check-time index, so a
		// claiming run that sets it only removes an index entry (store/reminders.ts).
		version: 13,
		statements: () => [
			`DROP INDEX memberships_reminder_check`,
			`CREATE INDEX memberships_reminder_check ON memberships (journey_id, reminder_check_at)
			 WHERE reminder_check_at IS NULL OR reminder_check_at < ${Number.MAX_SAFE_INTEGER}`,
		],
	},
	{
		// One index for a customer's history, not two near-twins paid by every history row:
		// (journey, customer, id) reads a journey's history in customer order (Funnel Report) and
		// one customer's too, journey by journey (customerRowsSql in customerQueries.ts), so the
		// (customer, journey, id) index of version 1 goes.
		version: 14,
		statements: () => [`DROP INDEX transitions_customer`],
	},
	{
		// Memberships lose their foreign keys on PostgreSQL too, as events and transitions did in
		// version 6: a batch writes one membership row per customer it moves, so batches of a few
		// hundred events write about one per event, and each row's two trigger checks locked the
		// journey's row (FOR KEY SHARE: a multixact once two writers hold it) and the customer's,
		// both already held by the batch. Measured on one 10,000-event batch: the server's CPU
		// 170 ms without them against 190-210 ms with them. Nothing deletes a journey; erasure
		// removes a customer's memberships before the customer.
		version: 15,
		statements: (d) => dropForeignKeysOnPostgres(d, ['memberships']),
	},
	{
		// Funnel Report: the history's two indexes carry the columns a report reads (customer,
		// stages, times, owner, department), so a report never visits the table: the period's
		// moves come from transitions_journey_time alone, and what each customer reached before
		// the period (and all time, and the roll-ups' earlier-entry lookups) from
		// transitions_journey_customer alone. Each visit was a random page read (the table is in
		// insertion order). Still two indexes per history row, only wider. PostgreSQL carries the
		// extra columns as INCLUDE (no key, no ordering work); SQLite has no INCLUDE, so they
		// trail the key there.
		version: 16,
		statements: (d) => {
			const carried = `to_stage, from_stage, from_entered_at, owner, department`;
			return [
				`DROP INDEX transitions_journey_customer`,
				`DROP INDEX transitions_journey_time`,
				...(d.name === 'postgres'
					? [
							`CREATE INDEX transitions_journey_customer ON transitions (journey_id, customer_id, id)
							 INCLUDE (occurred_at, ${carried})`,
							`CREATE INDEX transitions_journey_time ON transitions (journey_id, occurred_at)
							 INCLUDE (customer_id, id, ${carried})`,
						]
					: [
							// The rowid (id) ends every SQLite index entry by itself.
							`CREATE INDEX transitions_journey_customer ON transitions
							 (journey_id, customer_id, id, occurred_at, ${carried})`,
							`CREATE INDEX transitions_journey_time ON transitions
							 (journey_id, occurred_at, customer_id, ${carried})`,
						]),
			];
		},
	},
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Brings the schema up to date. Safe when several processes start at once: the driver's
 * migration lock serialises them and each re-reads the version under the lock.
 */
export async function migrate(driver: SqlDriver): Promise<number> {
	return driver.migrationLock(async (tx) => {
		await tx.run(
			`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		);
		const [row] = await tx.query<{ version: number | null }>(
			`SELECT MAX(version) AS version FROM schema_migrations`,
		);
		const current = Number(row?.version ?? 0);
		if (current > SCHEMA_VERSION) {
			throw new Error(
				`The store's schema is version ${current}, newer than this package understands (${SCHEMA_VERSION}). Update n8n-nodes-customer-stage.`,
			);
		}
		for (const migration of MIGRATIONS) {
			if (migration.version <= current) continue;
			for (const statement of migration.statements(tx.dialect)) await tx.run(statement);
			await tx.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, [
				migration.version,
				Date.now(),
			]);
		}
		return SCHEMA_VERSION;
	});
}

export async function schemaVersion(driver: SqlDriver): Promise<number> {
	const [row] = await driver.query<{ version: number | null }>(
		`SELECT MAX(version) AS version FROM schema_migrations`,
	);
	return Number(row?.version ?? 0);
}
