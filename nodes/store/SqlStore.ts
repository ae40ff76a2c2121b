import { BatchItemError, InputError } from '../engine/errors';
import { decideEvent, eventRuleId } from '../engine/eventRules';
import {
	parseCustomer,
	parseEvent,
	parseManualMove,
	requireId,
	type CustomerInput,
	type EventInput,
	type ManualMoveInput,
} from '../engine/inputs';
import { findStage, parseJourney, type JourneyDefinition } from '../engine/journey';
import { decideMove, type Direction, type MoveDecision } from '../engine/movement';
import { migrate, schemaVersion } from './migrations';
import {
	chunk,
	inList,
	placeholders,
	ROWS_PER_STATEMENT,
	type Row,
	type SqlDriver,
	type SqlExecutor,
} from './sql';
import type {
	CustomerView,
	EventResult,
	ImportResult,
	ItemOutcome,
	MoveResult,
	ReasonKind,
	SaveJourneyResult,
	StoreInfo,
	StoredJourney,
	Transition,
} from './types';

type Raw = Record<string, unknown>;

interface ApplicableItem<I> {
	input: I;
	journey: LoadedJourney | null;
	customer: LockedCustomer;
}

export interface BatchOptions {
	/** Throw a BatchItemError (and write nothing) if any item is bad, instead of reporting it. */
	allOrNothing?: boolean;
}

interface LoadedJourney {
	id: number;
	version: number;
	definition: JourneyDefinition;
}

interface LockedCustomer {
	id: number;
	owner: string | null;
	department: string | null;
	created: boolean;
}

interface Membership {
	stage: string;
	status: string | null;
	enteredAt: number;
	dirty: boolean;
}

interface TransitionRow {
	journey: LoadedJourney;
	customer: LockedCustomer;
	decision: Extract<MoveDecision, { moved: true }>;
	reasonKind: ReasonKind;
	eventType?: string;
	eventKey?: string;
	ruleId?: string;
	actor?: string;
	note?: string;
	occurredAt: number;
}

/**
 * Everything a batch holds while it runs: the journeys it touches, its customers (locked), their
 * memberships, and the transitions it will append. Decisions are made in memory against this
 * state, then written with a few multi-row statements: one transaction per batch.
 */
class Batch {
	readonly journeys = new Map<string, LoadedJourney>();
	readonly customers = new Map<string, LockedCustomer>();
	private readonly memberships = new Map<string, Membership>();
	readonly transitions: TransitionRow[] = [];

	constructor(readonly now: number) {}

	membership(journey: LoadedJourney, customer: LockedCustomer): Membership | null {
		return this.memberships.get(`${journey.id}:${customer.id}`) ?? null;
	}

	setLoadedMembership(journeyId: number, customerId: number, membership: Membership): void {
		this.memberships.set(`${journeyId}:${customerId}`, membership);
	}

	/** Applies a decided move to the in-memory state and queues its history row. */
	move(row: TransitionRow): Membership {
		const key = `${row.journey.id}:${row.customer.id}`;
		const previous = this.memberships.get(key);
		const targetStage = findStage(row.journey.definition, row.decision.to);
		const membership: Membership = {
			stage: row.decision.to,
			// Stage → status sync: a stage with a status sets it; one without keeps the last.
			status: targetStage?.status ?? previous?.status ?? null,
			enteredAt: row.occurredAt,
			dirty: true,
		};
		this.memberships.set(key, membership);
		this.transitions.push(row);
		return membership;
	}

	dirtyMemberships(): Array<[journeyId: number, customerId: number, Membership]> {
		const rows: Array<[number, number, Membership]> = [];
		for (const [key, membership] of this.memberships) {
			if (!membership.dirty) continue;
			const [journeyId, customerId] = key.split(':').map(Number);
			rows.push([journeyId, customerId, membership]);
		}
		return rows;
	}
}

const CUSTOMER_COLUMNS = [
	'external_id',
	'name',
	'email',
	'phone',
	'owner',
	'department',
	'rating',
	'tags',
	'properties',
	'last_contact_at',
	'last_event_at',
	'created_at',
	'updated_at',
] as const;

function stageName(journey: JourneyDefinition, stageKey: string | null): string | null {
	return stageKey === null ? null : (findStage(journey, stageKey)?.name ?? stageKey);
}

function moveResult(
	journey: LoadedJourney,
	customerId: string,
	previous: string | null,
	membership: Membership | null,
	decision: MoveDecision,
): MoveResult {
	const definition = journey.definition;
	const stage = membership?.stage ?? null;
	return {
		customerId,
		journey: definition.key,
		previousStage: previous,
		previousStageName: stageName(definition, previous),
		stage,
		stageName: stageName(definition, stage),
		status: membership?.status ?? null,
		moved: decision.moved,
		direction: decision.moved ? decision.direction : null,
		reason: decision.explanation,
	};
}

function requireStageIn(journey: JourneyDefinition, stageKey: string): void {
	if (!findStage(journey, stageKey)) {
		throw new InputError(
			`Stage '${stageKey}' is not in journey '${journey.key}' (its stages: ${journey.stages.map((s) => s.key).join(', ')})`,
			'stage',
		);
	}
}

function parseOrError<T>(parse: () => T): T | Error {
	try {
		return parse();
	} catch (error) {
		return error as Error;
	}
}

/**
 * The store, written once over a SqlDriver. Concurrency: every writing batch first upserts the
 * rows of all customers it touches, sorted by external id, in one pass. The upsert takes each
 * customer's row lock (PostgreSQL) or the file's write lock (SQLite, via BEGIN IMMEDIATE), so two
 * batches touching the same customer run one after the other, and sorted order means two
 * batches can never wait on each other in a cycle (no deadlocks). Memberships are read only
 * after that, so no batch decides from a stale stage: no lost updates.
 */
export class SqlStore {
	private readonly parsedDefinitions = new Map<string, JourneyDefinition>();

	private constructor(private readonly driver: SqlDriver) {}

	static async open(driver: SqlDriver): Promise<SqlStore> {
		await migrate(driver);
		return new SqlStore(driver);
	}

	async info(): Promise<StoreInfo> {
		return {
			backend: this.driver.dialect.name === 'sqlite' ? 'embedded' : 'postgres',
			location: this.driver.location,
			schemaVersion: await schemaVersion(this.driver),
			serverVersion: await this.driver.serverVersion(),
		};
	}

	close(): Promise<void> {
		return this.driver.close();
	}

	// ---- journeys ----------------------------------------------------------------------------

	/**
	 * Creates or updates a journey. An update that changes the definition bumps the version;
	 * one that would strand customers in a removed stage is refused, naming the stage.
	 */
	async saveJourney(
		input: unknown,
		mode: 'create' | 'upsert' = 'upsert',
	): Promise<SaveJourneyResult> {
		const definition = parseJourney(input);
		const text = JSON.stringify(definition);
		return this.driver.transaction(async (tx) => {
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
					await this.refuseStrandedCustomers(tx, id, definition);
					version += 1;
					action = 'updated';
					await tx.run(
						`UPDATE journeys SET name = ?, display_order = ?, version = ?, definition = ?, updated_at = ? WHERE id = ?`,
						[definition.name, definition.displayOrder, version, text, now, id],
					);
				}
			}
			if (action !== 'unchanged') {
				await tx.run(
					`INSERT INTO journey_versions (journey_id, version, definition, created_at) VALUES (?, ?, ?, ?)`,
					[id, version, text, now],
				);
			}
			const [saved] = await tx.query(`SELECT * FROM journeys WHERE id = ?`, [id]);
			return { journey: this.toStoredJourney(saved), action };
		});
	}

	private async refuseStrandedCustomers(
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

	async getJourney(key: string): Promise<StoredJourney | null> {
		const [row] = await this.driver.query(`SELECT * FROM journeys WHERE journey_key = ?`, [key]);
		return row ? this.toStoredJourney(row) : null;
	}

	async listJourneys(): Promise<StoredJourney[]> {
		const rows = await this.driver.query(
			`SELECT * FROM journeys ORDER BY display_order, name, journey_key`,
		);
		return rows.map((row) => this.toStoredJourney(row));
	}

	private definitionOf(id: number, version: number, text: string): JourneyDefinition {
		const cacheKey = `${id}@${version}`;
		let definition = this.parsedDefinitions.get(cacheKey);
		if (!definition) {
			definition = parseJourney(JSON.parse(text));
			this.parsedDefinitions.set(cacheKey, definition);
		}
		return definition;
	}

	private toStoredJourney(row: Row): StoredJourney {
		const definition = this.definitionOf(
			Number(row.id),
			Number(row.version),
			String(row.definition),
		);
		return {
			key: String(row.journey_key),
			name: String(row.name),
			version: Number(row.version),
			displayOrder: Number(row.display_order),
			definition,
			createdAt: Number(row.created_at),
			updatedAt: Number(row.updated_at),
		};
	}

	// ---- writing batches ---------------------------------------------------------------------

	/**
	 * Records events (each item names its journey) and moves customers by the journeys' event
	 * rules. One transaction for the whole batch; an invalid item is reported and writes nothing.
	 */
	async recordEvents(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<EventResult>>> {
		const now = Date.now();
		const inputs = items.map((raw) =>
			parseOrError(() => ({ journey: requireId(raw.journey, 'journey'), ...parseEvent(raw, now) })),
		);
		let recorded = new Set<EventInput>();
		return this.writeBatch(now, inputs, options, {
			lastEventAt: (input) => input.occurredAt,
			prepare: async (tx, batch, items) => {
				recorded = await this.insertEvents(tx, batch, items);
			},
			apply: (batch, input, journey, customer) =>
				this.applyEvent(batch, input, journey!, customer, recorded.has(input)),
		});
	}

	/** Manual moves: anywhere in the journey, backwards included; actor and note recorded. */
	async setStages(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<MoveResult>>> {
		const now = Date.now();
		const inputs = items.map((raw) =>
			parseOrError(() => ({
				journey: requireId(raw.journey, 'journey'),
				...parseManualMove(raw, now),
			})),
		);
		return this.writeBatch(now, inputs, options, {
			check: (input, journey) => requireStageIn(journey!.definition, input.stage),
			apply: (batch, input, journey, customer) =>
				this.applyManualMove(batch, journey, customer, input, input.stage, 'manual'),
		});
	}

	/**
	 * Creates or updates customers (only the fields given change) and, with a journey, places
	 * them: at the given stage (a manual move, recorded as an import) or, for customers new to
	 * the journey, at its default stage.
	 */
	async importCustomers(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<ImportResult>>> {
		const now = Date.now();
		const inputs = items.map((raw) =>
			parseOrError(() => {
				const customer = parseCustomer(raw);
				const journey =
					raw.journey === undefined || raw.journey === ''
						? undefined
						: requireId(raw.journey, 'journey');
				if (customer.stage && !journey)
					throw new InputError('stage needs a journey to be set in', 'stage');
				return { ...customer, journey, occurredAt: now };
			}),
		);
		return this.writeBatch(now, inputs, options, {
			check: (input, journey) => {
				if (journey && input.stage) requireStageIn(journey.definition, input.stage);
			},
			attributes: (input) => input,
			apply: (batch, input, journey, customer) => {
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
						reason: customer.created ? 'customer created' : 'customer updated',
						created: customer.created,
					};
				}
				const current = batch.membership(journey, customer);
				const target = input.stage ?? (current ? current.stage : journey.definition.defaultStage);
				const result = this.applyManualMove(batch, journey, customer, input, target, 'import');
				return { ...result, created: customer.created };
			},
		});
	}

	/**
	 * The shared shape of every writing batch: lock the customers, load the journeys and
	 * memberships, apply each valid item in order, then append history and save memberships.
	 */
	private async writeBatch<I extends { customerId: string; journey?: string }, R>(
		now: number,
		inputs: Array<I | Error>,
		options: BatchOptions,
		hooks: {
			attributes?: (input: I) => CustomerInput;
			lastEventAt?: (input: I) => number;
			/** Runs once all customers are locked and memberships loaded, before items are applied. */
			prepare?: (tx: SqlExecutor, batch: Batch, items: Array<ApplicableItem<I>>) => Promise<void>;
			/** Decides one item against the batch state (in memory; writes happen after). */
			apply: (batch: Batch, input: I, journey: LoadedJourney | null, customer: LockedCustomer) => R;
			/** Throws an InputError if this item cannot apply to its journey (before anything is written). */
			check?: (input: I, journey: LoadedJourney | null) => void;
		},
	): Promise<Array<ItemOutcome<R>>> {
		const firstBad = inputs.findIndex((input) => input instanceof Error);
		if (options.allOrNothing && firstBad >= 0)
			throw new BatchItemError(firstBad, inputs[firstBad] as Error);
		if (!inputs.some((input) => !(input instanceof Error))) {
			return inputs.map((input) => ({ ok: false, error: input as Error }));
		}

		return this.driver.transaction(async (tx) => {
			const batch = new Batch(now);
			await this.loadJourneys(
				tx,
				batch,
				inputs.filter((input): input is I => !(input instanceof Error)),
			);
			// Items that cannot apply (unknown journey or stage) are turned away before any write.
			const checked = inputs.map((input) => {
				if (input instanceof Error) return input;
				return parseOrError(() => {
					const journey = input.journey === undefined ? null : batch.journeys.get(input.journey);
					if (journey === undefined) {
						throw new InputError(
							`Journey '${input.journey}' does not exist; create it first or pick one from the list`,
							'journey',
						);
					}
					hooks.check?.(input, journey);
					return { input, journey };
				});
			});
			const bad = checked.findIndex((item) => item instanceof Error);
			if (options.allOrNothing && bad >= 0) throw new BatchItemError(bad, checked[bad] as Error);
			const valid = checked.filter(
				(item): item is { input: I; journey: LoadedJourney | null } => !(item instanceof Error),
			);
			await this.lockCustomers(
				tx,
				batch,
				valid.map((item) => item.input),
				hooks,
			);
			await this.loadMemberships(tx, batch);
			await hooks.prepare?.(
				tx,
				batch,
				valid.map((item) => ({ ...item, customer: batch.customers.get(item.input.customerId)! })),
			);
			const outcomes: Array<ItemOutcome<R>> = [];
			for (const item of checked) {
				if (item instanceof Error) {
					outcomes.push({ ok: false, error: item });
					continue;
				}
				const customer = batch.customers.get(item.input.customerId)!;
				outcomes.push({ ok: true, ...hooks.apply(batch, item.input, item.journey, customer) });
			}
			await this.appendTransitions(tx, batch);
			await this.saveMemberships(tx, batch);
			return outcomes;
		});
	}

	private async loadJourneys(
		tx: SqlExecutor,
		batch: Batch,
		inputs: ReadonlyArray<{ journey?: string }>,
	) {
		const keys = [
			...new Set(inputs.map((i) => i.journey).filter((k): k is string => k !== undefined)),
		];
		for (const keys_ of chunk(keys, ROWS_PER_STATEMENT)) {
			// Shared locks: a journey update (FOR UPDATE) waits for batches using the old version, so
			// it cannot remove a stage a running batch is moving customers into.
			const rows = await tx.query(
				`SELECT id, journey_key, version, definition FROM journeys WHERE journey_key IN (${inList(keys_.length)})${tx.dialect.forShare}`,
				keys_,
			);
			for (const row of rows) {
				const id = Number(row.id);
				const version = Number(row.version);
				batch.journeys.set(String(row.journey_key), {
					id,
					version,
					definition: this.definitionOf(id, version, String(row.definition)),
				});
			}
		}
	}

	/** Upserts every customer of the batch in external-id order: this is the lock (see class doc). */
	private async lockCustomers<I extends { customerId: string }>(
		tx: SqlExecutor,
		batch: Batch,
		inputs: readonly I[],
		hooks: { attributes?: (input: I) => CustomerInput; lastEventAt?: (input: I) => number },
	) {
		// Several items for one customer merge into one row: later fields win, latest event counts.
		const merged = new Map<string, { attributes: Partial<CustomerInput>; lastEventAt?: number }>();
		for (const input of inputs) {
			const entry = merged.get(input.customerId) ?? { attributes: {} };
			if (hooks.attributes) {
				const attributes = hooks.attributes(input);
				for (const [field, value] of Object.entries(attributes)) {
					if (value !== undefined) (entry.attributes as Raw)[field] = value;
				}
			}
			const eventAt = hooks.lastEventAt?.(input);
			if (eventAt !== undefined)
				entry.lastEventAt = Math.max(entry.lastEventAt ?? eventAt, eventAt);
			merged.set(input.customerId, entry);
		}
		const ids = [...merged.keys()].sort();
		const existing = new Set<string>();
		for (const part of chunk(ids, ROWS_PER_STATEMENT)) {
			const rows = await tx.query<{ external_id: string }>(
				`SELECT external_id FROM customers WHERE external_id IN (${inList(part.length)})`,
				part,
			);
			for (const row of rows) existing.add(row.external_id);
		}
		const keep = (column: string) =>
			`${column} = COALESCE(excluded.${column}, customers.${column})`;
		const sql = (rows: number) =>
			`INSERT INTO customers (${CUSTOMER_COLUMNS.join(', ')}) VALUES ${placeholders(rows, CUSTOMER_COLUMNS.length)}
			 ON CONFLICT (external_id) DO UPDATE SET
			   ${['name', 'email', 'phone', 'owner', 'department', 'rating', 'tags', 'properties', 'last_contact_at'].map(keep).join(', ')},
			   last_event_at = CASE WHEN excluded.last_event_at IS NOT NULL
			     AND (customers.last_event_at IS NULL OR excluded.last_event_at > customers.last_event_at)
			     THEN excluded.last_event_at ELSE customers.last_event_at END,
			   updated_at = excluded.updated_at
			 RETURNING id, external_id, owner, department`;
		for (const part of chunk(ids, ROWS_PER_STATEMENT)) {
			const params: unknown[] = [];
			for (const id of part) {
				const { attributes: a, lastEventAt } = merged.get(id)!;
				params.push(
					id,
					a.name,
					a.email,
					a.phone,
					a.owner,
					a.department,
					a.rating,
					a.tags === undefined ? undefined : JSON.stringify(a.tags),
					a.properties === undefined ? undefined : JSON.stringify(a.properties),
					a.lastContactAt,
					lastEventAt,
					batch.now,
					batch.now,
				);
			}
			for (const row of await tx.query(sql(part.length), params)) {
				const externalId = String(row.external_id);
				batch.customers.set(externalId, {
					id: Number(row.id),
					owner: (row.owner as string | null) ?? null,
					department: (row.department as string | null) ?? null,
					created: !existing.has(externalId),
				});
			}
		}
	}

	private async loadMemberships(tx: SqlExecutor, batch: Batch) {
		const journeyIds = [...batch.journeys.values()].map((j) => j.id);
		if (journeyIds.length === 0) return;
		const customerIds = [...batch.customers.values()].map((c) => c.id);
		for (const part of chunk(customerIds, ROWS_PER_STATEMENT)) {
			const rows = await tx.query(
				`SELECT journey_id, customer_id, stage_key, status_key, entered_at FROM memberships
				 WHERE customer_id IN (${inList(part.length)})
				   AND journey_id IN (${inList(journeyIds.length)})`,
				[...part, ...journeyIds],
			);
			for (const row of rows) {
				batch.setLoadedMembership(Number(row.journey_id), Number(row.customer_id), {
					stage: String(row.stage_key),
					status: (row.status_key as string | null) ?? null,
					enteredAt: Number(row.entered_at),
					dirty: false,
				});
			}
		}
	}

	/**
	 * Inserts the batch's events with a few multi-row statements and returns those actually
	 * recorded. The unique (journey, event id) index decides duplicates, also against concurrent
	 * batches: an event id already stored, or seen earlier in this batch, is not recorded again.
	 */
	private async insertEvents(
		tx: SqlExecutor,
		batch: Batch,
		items: Array<ApplicableItem<EventInput>>,
	): Promise<Set<EventInput>> {
		const recorded = new Set<EventInput>();
		const keyed = new Map<string, EventInput>();
		const rows: Array<ApplicableItem<EventInput>> = [];
		for (const item of items) {
			const { eventId } = item.input;
			if (eventId === undefined) {
				recorded.add(item.input);
			} else {
				const key = `${item.journey!.id}:${eventId}`;
				if (keyed.has(key)) continue;
				keyed.set(key, item.input);
			}
			rows.push(item);
		}
		for (const part of chunk(rows, ROWS_PER_STATEMENT)) {
			const params = part.flatMap(({ input, journey, customer }) => [
				journey!.id,
				customer.id,
				input.eventId,
				input.eventType,
				input.channel,
				input.occurredAt,
				batch.now,
				input.propertiesJson,
			]);
			const inserted = await tx.query<{ journey_id: number; event_key: string | null }>(
				`INSERT INTO events (journey_id, customer_id, event_key, event_type, channel, occurred_at, recorded_at, properties)
				 VALUES ${placeholders(part.length, 8)} ON CONFLICT (journey_id, event_key) DO NOTHING RETURNING journey_id, event_key`,
				params,
			);
			for (const row of inserted) {
				if (row.event_key !== null)
					recorded.add(keyed.get(`${Number(row.journey_id)}:${row.event_key}`)!);
			}
		}
		return recorded;
	}

	private applyEvent(
		batch: Batch,
		input: EventInput,
		journey: LoadedJourney,
		customer: LockedCustomer,
		recorded: boolean,
	): EventResult {
		const current = batch.membership(journey, customer);
		const previous = current?.stage ?? null;
		const base = {
			eventType: input.eventType,
			eventId: input.eventId ?? null,
			occurredAt: input.occurredAt,
		};
		if (!recorded) {
			const decision: MoveDecision = {
				moved: false,
				from: previous,
				to: previous,
				explanation: `duplicate: event id '${input.eventId}' was already recorded in this journey; nothing changed`,
			};
			return {
				...moveResult(journey, input.customerId, previous, current, decision),
				...base,
				duplicate: true,
				ruleId: null,
			};
		}
		const { rule, decision } = decideEvent(
			journey.definition,
			previous,
			input.eventType,
			input.properties,
		);
		const membership = decision.moved
			? batch.move({
					journey,
					customer,
					decision,
					reasonKind: 'event',
					eventType: input.eventType,
					eventKey: input.eventId,
					ruleId: rule && eventRuleId(rule),
					occurredAt: input.occurredAt,
				})
			: current;
		return {
			...moveResult(journey, input.customerId, previous, membership, decision),
			...base,
			duplicate: false,
			ruleId: rule ? eventRuleId(rule) : null,
		};
	}

	private applyManualMove(
		batch: Batch,
		journey: LoadedJourney | null,
		customer: LockedCustomer,
		input: Pick<ManualMoveInput, 'customerId' | 'actor' | 'note' | 'occurredAt'>,
		target: string,
		reasonKind: 'manual' | 'import',
	): MoveResult {
		journey = journey!;
		const definition = journey.definition;
		const current = batch.membership(journey, customer);
		const previous = current?.stage ?? null;
		const decision = decideMove(definition, previous, target, 'manual');
		if (decision.moved && reasonKind === 'import')
			decision.explanation = `imported: ${decision.explanation}`;
		if (decision.moved && input.actor) decision.explanation += ` by ${input.actor}`;
		const membership = decision.moved
			? batch.move({
					journey,
					customer,
					decision,
					reasonKind,
					actor: input.actor,
					note: input.note,
					occurredAt: input.occurredAt,
				})
			: current;
		return moveResult(journey, input.customerId, previous, membership, decision);
	}

	private async appendTransitions(tx: SqlExecutor, batch: Batch) {
		const columns = [
			'journey_id',
			'journey_version',
			'customer_id',
			'from_stage',
			'to_stage',
			'direction',
			'reason_kind',
			'reason',
			'event_type',
			'event_key',
			'rule_id',
			'actor',
			'note',
			'owner',
			'department',
			'occurred_at',
			'recorded_at',
		];
		for (const part of chunk(batch.transitions, ROWS_PER_STATEMENT)) {
			const params = part.flatMap((t) => [
				t.journey.id,
				t.journey.version,
				t.customer.id,
				t.decision.from,
				t.decision.to,
				t.decision.direction,
				t.reasonKind,
				t.decision.explanation,
				t.eventType,
				t.eventKey,
				t.ruleId,
				t.actor,
				t.note,
				t.customer.owner,
				t.customer.department,
				t.occurredAt,
				batch.now,
			]);
			await tx.run(
				`INSERT INTO transitions (${columns.join(', ')}) VALUES ${placeholders(part.length, columns.length)}`,
				params,
			);
		}
	}

	private async saveMemberships(tx: SqlExecutor, batch: Batch) {
		for (const part of chunk(batch.dirtyMemberships(), ROWS_PER_STATEMENT)) {
			const params = part.flatMap(([journeyId, customerId, m]) => [
				journeyId,
				customerId,
				m.stage,
				m.status,
				m.enteredAt,
				batch.now,
			]);
			await tx.run(
				`INSERT INTO memberships (journey_id, customer_id, stage_key, status_key, entered_at, updated_at)
				 VALUES ${placeholders(part.length, 6)}
				 ON CONFLICT (journey_id, customer_id) DO UPDATE SET
				   stage_key = excluded.stage_key, status_key = excluded.status_key,
				   entered_at = excluded.entered_at, updated_at = excluded.updated_at`,
				params,
			);
		}
	}

	// ---- reading -----------------------------------------------------------------------------

	/** Customers by external id, in the order asked; null where unknown. */
	async getCustomers(customerIds: readonly string[]): Promise<Array<CustomerView | null>> {
		const found = new Map<string, CustomerView>();
		for (const part of chunk([...new Set(customerIds)], ROWS_PER_STATEMENT)) {
			const list = inList(part.length);
			const customers = await this.driver.query(
				`SELECT * FROM customers WHERE external_id IN (${list})`,
				part,
			);
			const memberships = await this.driver.query(
				`SELECT c.external_id, j.id AS journey_id, j.version, j.definition, j.journey_key, j.name AS journey_name,
				        m.stage_key, m.status_key, m.entered_at
				 FROM memberships m JOIN customers c ON c.id = m.customer_id JOIN journeys j ON j.id = m.journey_id
				 WHERE c.external_id IN (${list}) ORDER BY j.display_order, j.name`,
				part,
			);
			for (const row of customers) {
				found.set(String(row.external_id), {
					customerId: String(row.external_id),
					name: (row.name as string) ?? null,
					email: (row.email as string) ?? null,
					phone: (row.phone as string) ?? null,
					owner: (row.owner as string) ?? null,
					department: (row.department as string) ?? null,
					rating: row.rating === null || row.rating === undefined ? null : Number(row.rating),
					tags: row.tags ? JSON.parse(String(row.tags)) : [],
					properties: row.properties ? JSON.parse(String(row.properties)) : {},
					lastContactAt: row.last_contact_at === null ? null : Number(row.last_contact_at),
					lastEventAt: row.last_event_at === null ? null : Number(row.last_event_at),
					createdAt: Number(row.created_at),
					updatedAt: Number(row.updated_at),
					journeys: [],
				});
			}
			for (const row of memberships) {
				const definition = this.definitionOf(
					Number(row.journey_id),
					Number(row.version),
					String(row.definition),
				);
				found.get(String(row.external_id))?.journeys.push({
					journey: String(row.journey_key),
					journeyName: String(row.journey_name),
					stage: String(row.stage_key),
					stageName: stageName(definition, String(row.stage_key))!,
					status: (row.status_key as string) ?? null,
					enteredAt: Number(row.entered_at),
				});
			}
		}
		return customerIds.map((id) => found.get(id) ?? null);
	}

	/** A customer's timeline, oldest first; optionally one journey's only. */
	async getHistory(
		customerId: string,
		options: { journey?: string; limit?: number } = {},
	): Promise<Transition[]> {
		const params: unknown[] = [customerId];
		let filter = '';
		if (options.journey) {
			filter = ' AND j.journey_key = ?';
			params.push(options.journey);
		}
		params.push(options.limit ?? 1000);
		const rows = await this.driver.query(
			`SELECT t.*, j.journey_key, c.external_id FROM transitions t
			 JOIN customers c ON c.id = t.customer_id JOIN journeys j ON j.id = t.journey_id
			 WHERE c.external_id = ?${filter} ORDER BY t.id LIMIT ?`,
			params,
		);
		return rows.map((row) => ({
			id: Number(row.id),
			customerId: String(row.external_id),
			journey: String(row.journey_key),
			journeyVersion: Number(row.journey_version),
			fromStage: (row.from_stage as string) ?? null,
			toStage: String(row.to_stage),
			direction: row.direction as Direction,
			reasonKind: row.reason_kind as ReasonKind,
			reason: String(row.reason),
			eventType: (row.event_type as string) ?? null,
			eventId: (row.event_key as string) ?? null,
			ruleId: (row.rule_id as string) ?? null,
			actor: (row.actor as string) ?? null,
			note: (row.note as string) ?? null,
			owner: (row.owner as string) ?? null,
			department: (row.department as string) ?? null,
			occurredAt: Number(row.occurred_at),
			recordedAt: Number(row.recorded_at),
		}));
	}
}
