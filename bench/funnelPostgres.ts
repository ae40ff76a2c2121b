/**
 * Copies bench/funnel's generated history from its embedded store into a PostgreSQL store
 * (customers, memberships and moves, ids kept), then builds the roll-ups as migration 11 does:
 * the same history on both backends, so their reports can be timed and compared.
 */
import { DatabaseSync } from 'node:sqlite';
import type { SqlDriver } from '../nodes/store/driver/sql';
import { backfillRollupsSql, MARK_BOOKED_SQL } from '../nodes/store/rollups';

const ROWS_PER_COPY = 50_000;

const TABLES: Array<{ table: string; key: string; columns: string }> = [
	{
		table: 'customers',
		key: 'id',
		columns: 'id, external_id, owner, department, created_at, updated_at',
	},
	{
		table: 'memberships',
		key: 'customer_id',
		columns: 'journey_id, customer_id, stage_key, entered_at, updated_at',
	},
	{
		table: 'transitions',
		key: 'id',
		columns: `id, journey_id, journey_version, customer_id, from_stage, to_stage, direction,
			reason_kind, reason, owner, department, occurred_at, recorded_at, event_occurred_at, from_entered_at`,
	},
];

/** The bench journey's history, from `file` into `target` (which already has the journey). */
export async function copyHistory(file: string, target: SqlDriver): Promise<void> {
	const source = new DatabaseSync(file, { readOnly: true });
	try {
		const from = Number(
			source.prepare(`SELECT id FROM journeys WHERE journey_key = 'bench'`).get()!.id,
		);
		const [{ id: to }] = await target.query(`SELECT id FROM journeys WHERE journey_key = 'bench'`);
		for (const { table, key, columns } of TABLES) {
			const hasJourney = columns.includes('journey_id');
			const read = source.prepare(
				`SELECT ${columns} FROM ${table} WHERE ${key} > ? ${hasJourney ? `AND journey_id = ${from}` : ''}
				 ORDER BY ${key} LIMIT ${ROWS_PER_COPY}`,
			);
			for (let last = -1; ; ) {
				const rows = read.all(last) as Array<Record<string, unknown>>;
				if (rows.length === 0) break;
				last = Number(rows[rows.length - 1][key]);
				if (hasJourney) for (const row of rows) row.journey_id = Number(to);
				// Ids kept: OVERRIDING SYSTEM VALUE writes them into the identity columns.
				await target.run(
					`INSERT INTO ${table} (${columns}) OVERRIDING SYSTEM VALUE
					 SELECT ${columns} FROM json_populate_recordset(NULL::${table}, ?::json)`,
					[JSON.stringify(rows)],
				);
			}
		}
		for (const table of ['customers', 'transitions']) {
			await target.run(
				`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`,
			);
		}
		await target.run(backfillRollupsSql());
		await target.run(MARK_BOOKED_SQL);
		// As autovacuum would leave it: the visibility map set, so a report's index-only scans
		// skip the table (right after the copy, all time took 21 s instead of about 8).
		await target.run('VACUUM ANALYZE');
	} finally {
		source.close();
	}
}
