import { BatchItemError, InputError } from '../engine/errors';
import type { CustomerInput, Scope } from '../engine/inputs';
import type { HistoryRecord, StageState, Step } from '../engine/movement';
import { loadMemberships, readCustomers, saveMemberships, type LockedCustomer } from './customers';
import { allSettled, type SqlDriver, type SqlExecutor } from './driver/sql';
import { appendHistory } from './history';
import { loadJourneysForBatch, type JourneyCache, type LoadedJourney } from './journeys';
import { lockInScope, type Placement } from './scope';
import type { ItemOutcome } from './types';

export interface BatchOptions {
	/** Throw a BatchItemError (and write nothing) if any item is bad, instead of reporting it. */
	allOrNothing?: boolean;
	/** How to read times sent without a zone (the workflow's time zone); without it they are refused. */
	timeZone?: string;
}

/** A history record with what the store needs to file it: whose, in which journey version. */
export interface PendingHistory {
	journey: LoadedJourney;
	customer: LockedCustomer;
	record: HistoryRecord;
}

interface HeldState {
	journeyId: number;
	customerId: number;
	state: StageState;
	dirty: boolean;
}

/**
 * Everything a batch holds while it runs: the journeys it uses, its customers (locked), their
 * states per journey, and the history it will append. The engine decides each item against this
 * state in memory; then a few multi-row statements write it all: one transaction per batch.
 */
export class Batch {
	journeys = new Map<string, LoadedJourney>();
	readonly customers = new Map<string, LockedCustomer>();
	/** By journey id, then customer id: no key string built per lookup (a batch makes ~3 each). */
	private readonly states = new Map<number, Map<number, HeldState>>();
	readonly history: PendingHistory[] = [];

	constructor(readonly now: number) {}

	private held(journeyId: number): Map<number, HeldState> {
		let journey = this.states.get(journeyId);
		if (!journey) this.states.set(journeyId, (journey = new Map()));
		return journey;
	}

	state(journey: LoadedJourney, customer: LockedCustomer): StageState | null {
		return this.states.get(journey.id)?.get(customer.id)?.state ?? null;
	}

	/** A state as loaded from the store (not to be written back unless it changes). */
	loaded(journeyId: number, customerId: number, state: StageState): void {
		this.held(journeyId).set(customerId, { journeyId, customerId, state, dirty: false });
	}

	/** Takes an engine step: its new state and its history record, if it moved. */
	apply(journey: LoadedJourney, customer: LockedCustomer, step: Step): void {
		if (!step.record || !step.after) return;
		this.held(journey.id).set(customer.id, {
			journeyId: journey.id,
			customerId: customer.id,
			state: step.after,
			dirty: true,
		});
		this.history.push({ journey, customer, record: step.record });
	}

	changedStates(): Array<[journeyId: number, customerId: number, StageState]> {
		const rows: Array<[number, number, StageState]> = [];
		for (const journey of this.states.values()) {
			for (const held of journey.values()) {
				if (held.dirty) rows.push([held.journeyId, held.customerId, held.state]);
			}
		}
		return rows;
	}
}

/** An item that passed every check, with its journey (null: the item names none). */
export interface ValidItem<I> {
	input: I;
	journey: LoadedJourney | null;
}

export interface BatchHooks<I, R> {
	/** Customer fields the item sets (imports); others only touch the customer row. */
	attributes?: (input: I) => CustomerInput;
	/** The event time the item brings, for the customer's last-event time. */
	lastEventAt?: (input: I) => number;
	/**
	 * Whose customers the item may change (issue 13's scope): checked per item on the customer's
	 * row as the batch holds it locked (scope.ts); an item outside it is that item's error.
	 */
	scope?: (input: I) => Scope;
	/** Owner and department a customer new to the store gets from the item (Import's scope check). */
	newCustomer?: (input: I) => Placement;
	/**
	 * When the item counts as contact with the customer (an event of one of its journey's contact
	 * event types), that time: the customer's last contact moves forward to it, never back.
	 */
	contactAt?: (input: I, journey: LoadedJourney | null) => number | undefined;
	/** Throws an InputError if this item cannot apply to its journey (before anything is written). */
	check?: (input: I, journey: LoadedJourney | null) => void;
	/**
	 * Items that change nothing at all (duplicates), decided before any customer is touched: they
	 * lock, create and update no customer and are only reported (decideExcluded).
	 */
	exclude?: (tx: SqlExecutor, items: Array<ValidItem<I>>) => Promise<Set<I>>;
	/**
	 * Writes that go with the remaining items (events, roll-ups), once their customers are locked
	 * and their states loaded. Not awaited until every item is decided (writeBatch), so it must
	 * not write anything `decide` reads.
	 */
	prepare?: (tx: SqlExecutor, batch: Batch, items: Array<ValidItem<I>>) => Promise<void>;
	/** Decides one item against the batch state (in memory; writes happen after). */
	decide: (batch: Batch, input: I, journey: LoadedJourney | null, customer: LockedCustomer) => R;
	/**
	 * Runs once every item is decided, before history and states are written: automation rules
	 * over the state the batch leaves. Gets the decided (not excluded) items with their outcome's
	 * index, and may amend those outcomes.
	 */
	settle?: (
		tx: SqlExecutor,
		batch: Batch,
		decided: Array<{ index: number; item: ValidItem<I> }>,
		outcomes: Array<ItemOutcome<R>>,
	) => Promise<void>;
	/** Reports an excluded item (its customer read, not locked; null if there is none). */
	decideExcluded?: (
		batch: Batch,
		input: I,
		journey: LoadedJourney | null,
		customer: LockedCustomer | null,
	) => R;
}

/**
 * How an item's zone-less times are read: its own Time Zone option if it has one, else the
 * batch's (the workflow's time zone).
 */
export function zoneOf(raw: unknown, options: BatchOptions): { timeZone?: string } {
	const own =
		typeof raw === 'object' && raw !== null ? (raw as { timeZone?: unknown }).timeZone : undefined;
	return { timeZone: typeof own === 'string' && own.trim() ? own.trim() : options.timeZone };
}

export function parseOrError<T>(parse: () => T): T | Error {
	try {
		return parse();
	} catch (error) {
		return error as Error;
	}
}

/**
 * The one write path of every writing batch, in this order:
 * exclude → lock → load → decide → flush. Duplicates are set aside first (they change nothing);
 * then customers are locked (see lockCustomers: sorted upserts; items outside their scope are
 * refused right there, on the locked rows — scope.ts),
 * so concurrent batches never deadlock and never decide from a stale stage), then their states
 * are loaded, each valid item is decided in order, and history and states are written.
 * Bad items are turned away before any write.
 */
export async function writeBatch<I extends { customerId: string; journey?: string }, R>(
	driver: SqlDriver,
	cache: JourneyCache,
	now: number,
	inputs: Array<I | Error>,
	options: BatchOptions,
	hooks: BatchHooks<I, R>,
): Promise<Array<ItemOutcome<R>>> {
	const firstBad = inputs.findIndex((input) => input instanceof Error);
	if (options.allOrNothing && firstBad >= 0) {
		throw new BatchItemError(firstBad, inputs[firstBad] as Error);
	}
	if (!inputs.some((input) => !(input instanceof Error))) {
		return inputs.map((input) => ({ ok: false, error: input as Error }));
	}

	return driver.transaction(async (tx) => {
		const batch = new Batch(now);
		const parsed = inputs.filter((input): input is I => !(input instanceof Error));
		batch.journeys = await loadJourneysForBatch(
			tx,
			cache,
			parsed.map((i) => i.journey).filter((k): k is string => k !== undefined),
		);
		const checked = inputs.map((input) => {
			if (input instanceof Error) return input;
			return parseOrError((): ValidItem<I> => {
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
		const valid = checked.filter((item): item is ValidItem<I> => !(item instanceof Error));

		// Duplicates are decided first, so that they touch no customer. Should a concurrent batch
		// record one of ours in the meantime, the unique index refuses our insert once that batch
		// has committed, and the whole transaction runs again (the driver retries a unique
		// violation): this time the event is found and set aside. SQLite's BEGIN IMMEDIATE makes
		// that race impossible there.
		const excluded = (await hooks.exclude?.(tx, valid)) ?? new Set<I>();
		const active = valid.filter((item) => !excluded.has(item.input));
		// Items whose customer is outside their scope, found under the lock: errors, never written.
		const refused = await lockInScope(tx, batch, active, hooks);
		const outside = checked.findIndex(
			(item) => !(item instanceof Error) && refused.has(item.input),
		);
		if (options.allOrNothing && outside >= 0) {
			throw new BatchItemError(outside, refused.get((checked[outside] as ValidItem<I>).input)!);
		}
		// Customers only excluded items name: read for the report, never locked or written.
		await readCustomers(
			tx,
			batch,
			valid.filter((item) => excluded.has(item.input)).map((item) => item.input.customerId),
		);
		await loadMemberships(tx, batch);
		// `prepare` (the events and their roll-ups) is sent, not awaited: PostgreSQL inserts them
		// while this process decides the items, which reads nothing it writes. Awaited before
		// settle, whose rules read the roll-ups (statements on one connection run in order), and
		// before anything is thrown: the transaction never ends under one of its statements.
		const preparing = hooks.prepare?.(
			tx,
			batch,
			active.filter((item) => !refused.has(item.input)),
		);
		let outcomes: Array<ItemOutcome<R>>;
		try {
			outcomes = checked.map((item) => {
				if (item instanceof Error) return { ok: false, error: item };
				const outsideScope = refused.get(item.input);
				if (outsideScope) return { ok: false, error: outsideScope };
				const customer = batch.customers.get(item.input.customerId);
				// Every decide makes a fresh result per item: it is marked ok in place, not copied
				// (one object fewer per item for the garbage collector).
				const result = (
					excluded.has(item.input)
						? hooks.decideExcluded!(batch, item.input, item.journey, customer ?? null)
						: hooks.decide(batch, item.input, item.journey, customer!)
				) as ItemOutcome<R>;
				result.ok = true;
				return result;
			});
		} finally {
			await allSettled([preparing]);
		}
		if (hooks.settle) {
			const decided = checked.flatMap((item, index) =>
				item instanceof Error || excluded.has(item.input) || refused.has(item.input)
					? []
					: [{ index, item }],
			);
			await hooks.settle(tx, batch, decided, outcomes);
		}
		// Sent together, run in this order: the history's rows are built while PostgreSQL writes
		// the memberships. Last: from the history insert to the commit the batch holds the feed's
		// lock (feed.ts).
		await allSettled([saveMemberships(tx, batch), appendHistory(tx, batch)]);
		return outcomes;
	});
}
