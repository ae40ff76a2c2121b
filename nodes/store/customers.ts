import { InputError } from '../engine/errors';
import {
	optionalId,
	parseCustomer,
	parseManualMove,
	readField,
	requireId,
	toScope,
	type CustomerInput,
} from '../engine/inputs';
import { findStage, type JourneyDefinition } from '../engine/journey';
import {
	customerSavedReason,
	manualStep,
	moveOutcome,
	stageLabel,
	statusLabel,
} from '../engine/movement';
import {
	batchesOf,
	chunk,
	inList,
	insertRows,
	matchAny,
	ROWS_PER_STATEMENT,
	type ArrayType,
	type SqlDriver,
	type SqlExecutor,
} from './driver/sql';
import { settleAutomation } from './activity';
import type { JourneyCache, LoadedJourney } from './journeys';
import { resetReminderChecks } from './reminders';
import type { CustomerView, ImportResult, ItemOutcome, MoveResult } from './types';
import {
	parseOrError,
	writeBatch,
	zoneOf,
	type Batch,
	type BatchHooks,
	type BatchOptions,
	type ValidItem,
} from './writeBatch';

type Raw = Record<string, unknown>;

/** A customer row locked by the batch, with what history rows record about them. */
export interface LockedCustomer {
	id: number;
	owner: string | null;
	department: string | null;
	created: boolean;
}

const CUSTOMER_COLUMNS: ReadonlyArray<readonly [string, ArrayType]> = [
	['external_id', 'text'],
	['name', 'text'],
	['email', 'text'],
	['phone', 'text'],
	['owner', 'text'],
	['department', 'text'],
	['rating', 'integer'],
	['tags', 'text'],
	['properties', 'text'],
	['last_contact_at', 'bigint'],
	['last_event_at', 'bigint'],
	['created_at', 'bigint'],
	['updated_at', 'bigint'],
];

/** Fields an upsert only changes when the item gives them (the rest are the batch's own). */
const KEPT_UNLESS_GIVEN = CUSTOMER_COLUMNS.map(([column]) => column).filter(
	(column) => !['external_id', 'last_event_at', 'created_at', 'updated_at'].includes(column),
);

const MEMBERSHIP_COLUMNS: ReadonlyArray<readonly [string, ArrayType]> = [
	['journey_id', 'bigint'],
	['customer_id', 'bigint'],
	['stage_key', 'text'],
	['status_key', 'text'],
	['entered_at', 'bigint'],
	['updated_at', 'bigint'],
];

/**
 * Upserts every customer of the batch in external-id order: this is the batch's lock. The upsert
 * takes each customer's row lock (PostgreSQL) or the file's write lock (SQLite, via BEGIN
 * IMMEDIATE), so two batches touching the same customer run one after the other, and sorted
 * order means they can never wait on each other in a cycle. States are read only after this,
 * so no batch decides from a stale stage: no lost updates.
 */
export async function lockCustomers<I extends { customerId: string }>(
	tx: SqlExecutor,
	batch: Batch,
	items: ReadonlyArray<ValidItem<I>>,
	hooks: Pick<BatchHooks<I, unknown>, 'attributes' | 'lastEventAt' | 'contactAt'>,
) {
	// Several items for one customer merge into one row: later fields win, latest event counts,
	// latest contact counts.
	const merged = new Map<
		string,
		{ attributes: Partial<CustomerInput>; lastEventAt?: number; contactAt?: number }
	>();
	for (const { input, journey } of items) {
		const entry = merged.get(input.customerId) ?? { attributes: {} };
		if (hooks.attributes) {
			for (const [field, value] of Object.entries(hooks.attributes(input))) {
				if (value !== undefined) (entry.attributes as Raw)[field] = value;
			}
		}
		const eventAt = hooks.lastEventAt?.(input);
		if (eventAt !== undefined) entry.lastEventAt = Math.max(entry.lastEventAt ?? eventAt, eventAt);
		const contactAt = hooks.contactAt?.(input, journey);
		if (contactAt !== undefined)
			entry.contactAt = Math.max(entry.contactAt ?? contactAt, contactAt);
		merged.set(input.customerId, entry);
	}
	const ids = [...merged.keys()].sort();
	// Which customers the upsert creates: PostgreSQL tells per row (a row it inserted has no
	// xmax), exact even if a concurrent batch creates one first; SQLite's write lock, taken at
	// BEGIN IMMEDIATE, makes a read beforehand exact.
	const postgres = tx.dialect.name === 'postgres';
	const existing = new Set<string>();
	if (!postgres) {
		for (const part of batchesOf(tx.dialect, ids)) {
			const match = matchAny(tx.dialect, part, 'text');
			const rows = await tx.query<{ external_id: string }>(
				`SELECT external_id FROM customers WHERE external_id${match.sql}`,
				match.params,
			);
			for (const row of rows) existing.add(row.external_id);
		}
	}
	// Each column's value after the upsert; `updated_at` moves only when one of them really
	// changes, and `last_event_at` only forward (so does `last_contact_at` when it comes from
	// contact events; an import sets it as given): an upsert that changes nothing leaves the row as
	// it was (it still takes the row lock, which is its other purpose).
	const forwardOnly = hooks.contactAt ? ['last_event_at', 'last_contact_at'] : ['last_event_at'];
	const after = (column: string) =>
		forwardOnly.includes(column)
			? `CASE WHEN excluded.${column} IS NOT NULL
			     AND (customers.${column} IS NULL OR excluded.${column} > customers.${column})
			     THEN excluded.${column} ELSE customers.${column} END`
			: `COALESCE(excluded.${column}, customers.${column})`;
	const changing = [...KEPT_UNLESS_GIVEN, 'last_event_at'];
	const rows = await insertRows(
		tx,
		'customers',
		CUSTOMER_COLUMNS,
		ids.map((id) => {
			const { attributes: a, lastEventAt, contactAt } = merged.get(id)!;
			return [
				id,
				a.name,
				a.email,
				a.phone,
				a.owner,
				a.department,
				a.rating,
				a.tags === undefined ? undefined : JSON.stringify(a.tags),
				a.properties === undefined ? undefined : JSON.stringify(a.properties),
				a.lastContactAt ?? contactAt,
				lastEventAt,
				batch.now,
				batch.now,
			];
		}),
		`ON CONFLICT (external_id) DO UPDATE SET
		   ${changing.map((column) => `${column} = ${after(column)}`).join(',\n		   ')},
		   updated_at = CASE WHEN ${changing
					.map((column) => `(${after(column)}) IS DISTINCT FROM customers.${column}`)
					.join(' OR ')}
		     THEN excluded.updated_at ELSE customers.updated_at END
		 RETURNING id, external_id, owner, department${hooks.contactAt ? ', last_contact_at' : ''}${postgres ? ', xmax = 0 AS inserted' : ''}`,
	);
	// Customers whose last contact this batch moved: their no-contact reminders start anew. A
	// late contact leaves it (and them) as they were; one equal to the stored time resets the
	// check time only (the next reminder run decides the same again).
	const contacted: number[] = [];
	for (const row of rows) {
		const externalId = String(row.external_id);
		const contactAt = merged.get(externalId)!.contactAt;
		if (contactAt !== undefined && Number(row.last_contact_at) === contactAt)
			contacted.push(Number(row.id));
		batch.customers.set(externalId, {
			id: Number(row.id),
			owner: (row.owner as string | null) ?? null,
			department: (row.department as string | null) ?? null,
			created: postgres ? row.inserted === true : !existing.has(externalId),
		});
	}
	if (contacted.length > 0) await resetReminderChecks(tx, { customerIds: contacted });
}

/**
 * Customers the batch only reports on (its duplicates): read, not locked, never written. An id
 * the store does not know stays out of the batch (the report then has no stage).
 */
export async function readCustomers(tx: SqlExecutor, batch: Batch, externalIds: string[]) {
	const ids = [...new Set(externalIds)].filter((id) => !batch.customers.has(id));
	for (const part of batchesOf(tx.dialect, ids)) {
		const match = matchAny(tx.dialect, part, 'text');
		const rows = await tx.query(
			`SELECT id, external_id, owner, department FROM customers WHERE external_id${match.sql}`,
			match.params,
		);
		for (const row of rows) {
			batch.customers.set(String(row.external_id), {
				id: Number(row.id),
				owner: (row.owner as string | null) ?? null,
				department: (row.department as string | null) ?? null,
				created: false,
			});
		}
	}
}

/** The batch customers' current stages in the batch's journeys. */
export async function loadMemberships(tx: SqlExecutor, batch: Batch) {
	const journeyIds = [...batch.journeys.values()].map((j) => j.id);
	if (journeyIds.length === 0) return;
	const customerIds = [...batch.customers.values()].map((c) => c.id);
	const journeyMatch = matchAny(tx.dialect, journeyIds, 'bigint');
	for (const part of batchesOf(tx.dialect, customerIds)) {
		const customerMatch = matchAny(tx.dialect, part, 'bigint');
		const rows = await tx.values<[number, number, string, string | null, number]>(
			`SELECT journey_id, customer_id, stage_key, status_key, entered_at FROM memberships
			 WHERE customer_id${customerMatch.sql} AND journey_id${journeyMatch.sql}`,
			[...customerMatch.params, ...journeyMatch.params],
		);
		for (const [journeyId, customerId, stage, status, enteredAt] of rows) {
			batch.loaded(Number(journeyId), Number(customerId), {
				stage: String(stage),
				status: status ?? null,
				enteredAt: Number(enteredAt),
			});
		}
	}
}

export async function saveMemberships(tx: SqlExecutor, batch: Batch) {
	await insertRows(
		tx,
		'memberships',
		MEMBERSHIP_COLUMNS,
		batch
			.changedStates()
			.map(([journeyId, customerId, state]) => [
				journeyId,
				customerId,
				state.stage,
				state.status,
				state.enteredAt,
				batch.now,
			]),
		`ON CONFLICT (journey_id, customer_id) DO UPDATE SET
		   stage_key = excluded.stage_key, status_key = excluded.status_key,
		   entered_at = excluded.entered_at, updated_at = excluded.updated_at,
		   reminder_check_at = NULL`,
	);
}

function requireStageIn(journey: JourneyDefinition, stageKey: string): void {
	if (!findStage(journey, stageKey)) {
		throw new InputError(
			`Stage '${stageKey}' is not in journey '${journey.key}' (its stages: ${journey.stages.map((s) => s.key).join(', ')})`,
			'stage',
		);
	}
}

/** Decides a manual move or an import placement and takes it into the batch. */
function decideManualMove(
	batch: Batch,
	journey: LoadedJourney,
	customer: LockedCustomer,
	input: { customerId: string; actor?: string; note?: string; occurredAt: number },
	target: string,
	reasonKind: 'manual' | 'import',
): MoveResult {
	const step = manualStep(journey.definition, batch.state(journey, customer), target, {
		reasonKind,
		actor: input.actor,
		note: input.note,
		occurredAt: input.occurredAt,
	});
	batch.apply(journey, customer, step);
	return moveOutcome(journey.definition, input.customerId, step);
}

/**
 * Manual moves: anywhere in the journey, backwards included; actor and note recorded. With a
 * scope, only customers inside it move (checked on the locked row); none is created.
 */
export function setStages(
	driver: SqlDriver,
	cache: JourneyCache,
	items: readonly Raw[],
	options: BatchOptions,
): Promise<Array<ItemOutcome<MoveResult>>> {
	const now = Date.now();
	const inputs = items.map((raw) =>
		parseOrError(() => ({
			journey: readField(raw, 'journey', requireId),
			...parseManualMove(raw, now, zoneOf(raw, options)),
			scope: readField(raw, 'scope', toScope),
		})),
	);
	return writeBatch(driver, cache, now, inputs, options, {
		scope: (input) => input.scope,
		check: (input, journey) => requireStageIn(journey!.definition, input.stage),
		decide: (batch, input, journey, customer) =>
			decideManualMove(batch, journey!, customer, input, input.stage, 'manual'),
	});
}

/**
 * Creates or updates customers (only the fields given change) and, with a journey, places
 * them: at the given stage (a manual move, recorded as an import) or, for customers new to the
 * journey, at its default stage. With a scope, an existing customer must be inside it (checked
 * on the locked row, as the batch's earlier items for it leave it), and a new one must be given
 * an owner or department that puts it inside: a node never creates a customer it could not see.
 * Several items for one customer read as if run one after another: only the first says it
 * created the customer.
 */
export function importCustomers(
	driver: SqlDriver,
	cache: JourneyCache,
	items: readonly Raw[],
	options: BatchOptions,
): Promise<Array<ItemOutcome<ImportResult>>> {
	const now = Date.now();
	const inputs = items.map((raw) =>
		parseOrError(() => {
			const customer = parseCustomer(raw, zoneOf(raw, options));
			const journey = readField(raw, 'journey', optionalId);
			if (customer.stage && !journey) {
				throw new InputError('Stage needs a Journey to be set in', 'stage');
			}
			if (customer.stageEnteredAt !== undefined && !journey) {
				throw new InputError(
					'Stage Entered At needs a Journey to place the customer in',
					'stageEnteredAt',
				);
			}
			// A customer brought over with their dates is placed (or moved) when they entered the
			// stage, never before their current stage's entry (decideManualMove, DESIGN rule 7).
			const occurredAt = customer.stageEnteredAt ?? now;
			return { ...customer, journey, occurredAt, scope: readField(raw, 'scope', toScope) };
		}),
	);
	// Customers whose creation an item has reported (the batch's own locked rows: a rerun of the
	// transaction locks new ones).
	const reportedNew = new WeakSet<LockedCustomer>();
	const createdBy = (customer: LockedCustomer) => {
		const created = customer.created && !reportedNew.has(customer);
		reportedNew.add(customer);
		return created;
	};
	return writeBatch(driver, cache, now, inputs, options, {
		scope: (input) => input.scope,
		newCustomer: (input) => ({ owner: input.owner ?? null, department: input.department ?? null }),
		check: (input, journey) => {
			if (journey && input.stage) requireStageIn(journey.definition, input.stage);
		},
		attributes: (input) => input,
		settle: settleAutomation,
		// A new last contact starts a new series of no-contact reminders.
		prepare: (tx, batch, items) =>
			resetReminderChecks(tx, {
				customerIds: items
					.filter((item) => item.input.lastContactAt !== undefined)
					.map((item) => batch.customers.get(item.input.customerId)!.id),
			}),
		decide: (batch, input, journey, customer): ImportResult => {
			const created = createdBy(customer);
			if (!journey) {
				return {
					customerId: input.customerId,
					journey: '',
					previousStage: null,
					previousStageName: null,
					stage: null,
					stageName: null,
					status: null,
					moved: false,
					direction: null,
					reason: customerSavedReason(created),
					created,
				};
			}
			const current = batch.state(journey, customer);
			const target = input.stage ?? current?.stage ?? journey.definition.defaultStage;
			const result = decideManualMove(batch, journey, customer, input, target, 'import');
			return { ...result, created };
		},
	});
}

function nullable<T>(value: unknown, convert: (v: unknown) => T): T | null {
	return value === null || value === undefined ? null : convert(value);
}

/** Customers by external id, in the order asked; null where unknown. */
export async function getCustomers(
	db: SqlExecutor,
	cache: JourneyCache,
	customerIds: readonly string[],
): Promise<Array<CustomerView | null>> {
	const found = new Map<string, CustomerView>();
	for (const part of chunk([...new Set(customerIds)], ROWS_PER_STATEMENT)) {
		const list = inList(part.length);
		const customers = await db.query(
			`SELECT * FROM customers WHERE external_id IN (${list})`,
			part,
		);
		const memberships = await db.query(
			`SELECT c.external_id, j.id AS journey_id, j.version, j.definition, j.journey_key, j.name AS journey_name,
			        m.stage_key, m.status_key, m.entered_at
			 FROM memberships m JOIN customers c ON c.id = m.customer_id JOIN journeys j ON j.id = m.journey_id
			 WHERE c.external_id IN (${list}) ORDER BY j.display_order, j.name`,
			part,
		);
		for (const row of customers) {
			found.set(String(row.external_id), {
				customerId: String(row.external_id),
				name: nullable(row.name, String),
				email: nullable(row.email, String),
				phone: nullable(row.phone, String),
				owner: nullable(row.owner, String),
				department: nullable(row.department, String),
				rating: nullable(row.rating, Number),
				tags: row.tags ? JSON.parse(String(row.tags)) : [],
				properties: row.properties ? JSON.parse(String(row.properties)) : {},
				lastContactAt: nullable(row.last_contact_at, Number),
				lastEventAt: nullable(row.last_event_at, Number),
				createdAt: Number(row.created_at),
				updatedAt: Number(row.updated_at),
				journeys: [],
			});
		}
		for (const row of memberships) {
			const definition = cache.definition(
				Number(row.journey_id),
				Number(row.version),
				String(row.definition),
			);
			found.get(String(row.external_id))?.journeys.push({
				journey: String(row.journey_key),
				journeyName: String(row.journey_name),
				stage: String(row.stage_key),
				stageName: stageLabel(definition, String(row.stage_key))!,
				status: nullable(row.status_key, String),
				statusName: statusLabel(definition, nullable(row.status_key, String)),
				enteredAt: Number(row.entered_at),
			});
		}
	}
	return customerIds.map((id) => found.get(id) ?? null);
}
