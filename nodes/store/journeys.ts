import { InputError } from '../engine/errors';
import { findStage, parseJourney, type JourneyDefinition } from '../engine/journey';
import { batchesOf, matchAny, type Row, type SqlExecutor } from './driver/sql';
import { resetReminderChecks } from './reminders';
import type { SaveJourneyResult, StoredJourney } from './types';

/** A journey as a writing batch holds it: its row id, the version it writes under, its rules. */
export interface LoadedJourney {
	id: number;
	version: number;
	definition: JourneyDefinition;
}

/**
 * Parsed journey definitions by id and version. A version never changes once written, so a
 * parsed definition can be kept for the life of the store.
 */
export class JourneyCache {
	private readonly parsed = new Map<string, JourneyDefinition>();

	definition(id: number, version: number, text: string): JourneyDefinition {
		const cacheKey = `${id}@${version}`;
		let definition = this.parsed.get(cacheKey);
		if (!definition) {
			definition = parseJourney(JSON.parse(text));
			this.parsed.set(cacheKey, definition);
		}
		return definition;
	}

	stored(row: Row): StoredJourney {
		return {
			key: String(row.journey_key),
			name: String(row.name),
			version: Number(row.version),
			displayOrder: Number(row.display_order),
			definition: this.definition(Number(row.id), Number(row.version), String(row.definition)),
			createdAt: Number(row.created_at),
			updatedAt: Number(row.updated_at),
		};
	}
}

/**
 * Creates or updates a journey in one transaction. An update that changes the definition
 * bumps the version; one that would strand customers in a removed stage is refused, naming it.
 */
export async function saveJourney(
	tx: SqlExecutor,
	cache: JourneyCache,
	input: unknown,
	mode: 'create' | 'upsert',
): Promise<SaveJourneyResult> {
	const definition = parseJourney(input);
	const text = JSON.stringify(definition);
	const now = Date.now();
	const [existing] = await tx.query<{ id: number; version: number; definition: string }>(
		`SELECT id, version, definition FROM journeys WHERE journey_key = ?${tx.dialect.forUpdate}`,
		[definition.key],
	);
	if (existing && mode === 'create') {
		throw new InputError(
			`Journey '${definition.key}' already exists; use Create or Update to change it`,
			'key',
		);
	}
	let action: SaveJourneyResult['action'] = 'created';
	let id: number;
	let version = 1;
	if (!existing) {
		const [row] = await tx.query<{ id: number }>(
			`INSERT INTO journeys (journey_key, name, display_order, version, definition, created_at, updated_at)
			 VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING id`,
			[definition.key, definition.name, definition.displayOrder, text, now, now],
		);
		id = Number(row.id);
	} else {
		id = Number(existing.id);
		version = Number(existing.version);
		action = 'unchanged';
		if (existing.definition !== text) {
			await refuseStrandedCustomers(tx, id, definition);
			version += 1;
			action = 'updated';
			await tx.run(
				`UPDATE journeys SET name = ?, display_order = ?, version = ?, definition = ?, updated_at = ? WHERE id = ?`,
				[definition.name, definition.displayOrder, version, text, now, id],
			);
			// Its reminder rules may have changed: every membership is looked at again.
			await resetReminderChecks(tx, { journeyId: id });
		}
	}
	if (action !== 'unchanged') {
		await tx.run(
			`INSERT INTO journey_versions (journey_id, version, definition, created_at) VALUES (?, ?, ?, ?)`,
			[id, version, text, now],
		);
	}
	const [saved] = await tx.query(`SELECT * FROM journeys WHERE id = ?`, [id]);
	return { journey: cache.stored(saved), action };
}

async function refuseStrandedCustomers(
	tx: SqlExecutor,
	journeyId: number,
	definition: JourneyDefinition,
) {
	const counts = await tx.query<{ stage_key: string; n: number }>(
		`SELECT stage_key, COUNT(*) AS n FROM memberships WHERE journey_id = ? GROUP BY stage_key`,
		[journeyId],
	);
	const stranded = counts.find((c) => !findStage(definition, c.stage_key));
	if (stranded) {
		throw new InputError(
			`Stage '${stranded.stage_key}' still holds ${Number(stranded.n)} customer(s); move them to another stage before removing it`,
			'stages',
		);
	}
}

export async function getJourney(
	db: SqlExecutor,
	cache: JourneyCache,
	key: string,
): Promise<StoredJourney | null> {
	const [row] = await db.query(`SELECT * FROM journeys WHERE journey_key = ?`, [key]);
	return row ? cache.stored(row) : null;
}

export async function listJourneys(db: SqlExecutor, cache: JourneyCache): Promise<StoredJourney[]> {
	const rows = await db.query(`SELECT * FROM journeys ORDER BY display_order, name, journey_key`);
	return rows.map((row) => cache.stored(row));
}

/**
 * The journeys a batch names, under shared locks: a journey update (FOR UPDATE) waits for
 * batches using the old version, so it cannot remove a stage a running batch moves customers into.
 */
export async function loadJourneysForBatch(
	tx: SqlExecutor,
	cache: JourneyCache,
	keys: readonly string[],
): Promise<Map<string, LoadedJourney>> {
	const journeys = new Map<string, LoadedJourney>();
	// One array parameter on PostgreSQL: the statement is prepared once per connection, not
	// parsed and planned again for every batch.
	for (const part of batchesOf(tx.dialect, [...new Set(keys)])) {
		const match = matchAny(tx.dialect, part, 'text');
		const rows = await tx.query(
			`SELECT id, journey_key, version, definition FROM journeys WHERE journey_key${match.sql}${tx.dialect.forShare}`,
			match.params,
		);
		for (const row of rows) {
			const id = Number(row.id);
			const version = Number(row.version);
			journeys.set(String(row.journey_key), {
				id,
				version,
				definition: cache.definition(id, version, String(row.definition)),
			});
		}
	}
	return journeys;
}
