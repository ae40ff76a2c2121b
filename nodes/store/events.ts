import { eventStep } from '../engine/eventRules';
import { parseEvent, readField, requireId, type EventInput } from '../engine/inputs';
import { duplicateStep, moveOutcome, type Step } from '../engine/movement';
import { countsAsContact } from '../engine/reminders';
import {
	allSettled,
	batchesOf,
	insertRows,
	matchAny,
	type ArrayType,
	type SqlDriver,
	type SqlExecutor,
} from './driver/sql';
import { addActivityDays, settleAutomation } from './activity';
import type { JourneyCache, LoadedJourney } from './journeys';
import type { EventResult, ItemOutcome } from './types';
import {
	parseOrError,
	writeBatch,
	type Batch,
	type BatchOptions,
	type ValidItem,
	zoneOf,
} from './writeBatch';

type Raw = Record<string, unknown>;
type EventItem = EventInput & { journey: string };

const EVENT_COLUMNS: ReadonlyArray<readonly [string, ArrayType]> = [
	['journey_id', 'bigint'],
	['customer_id', 'bigint'],
	['event_key', 'text'],
	['event_type', 'text'],
	['channel', 'text'],
	['occurred_at', 'bigint'],
	['recorded_at', 'bigint'],
	['properties', 'text'],
];

/**
 * The batch's duplicates, decided before any customer is touched: an event id already stored in
 * its journey, or seen earlier in this batch. They are reported and change nothing at all.
 */
async function knownEvents(
	tx: SqlExecutor,
	items: Array<ValidItem<EventItem>>,
): Promise<Set<EventItem>> {
	const duplicates = new Set<EventItem>();
	// Event ids per journey id (first occurrences), then those already stored.
	const sent = new Map<number, Set<string>>();
	for (const { input, journey } of items) {
		if (input.eventId === undefined) continue;
		let ids = sent.get(journey!.id);
		if (!ids) sent.set(journey!.id, (ids = new Set()));
		if (ids.has(input.eventId)) duplicates.add(input);
		else ids.add(input.eventId);
	}
	const stored = new Map<number, Set<string>>();
	for (const [journeyId, ids] of sent) {
		const found = new Set<string>();
		stored.set(journeyId, found);
		for (const part of batchesOf(tx.dialect, [...ids])) {
			const match = matchAny(tx.dialect, part, 'text');
			const rows = await tx.query<{ event_key: string }>(
				`SELECT event_key FROM events WHERE journey_id = ? AND event_key${match.sql}`,
				[journeyId, ...match.params],
			);
			for (const row of rows) found.add(row.event_key);
		}
	}
	for (const { input, journey } of items) {
		if (input.eventId !== undefined && stored.get(journey!.id)!.has(input.eventId))
			duplicates.add(input);
	}
	return duplicates;
}

/** Journey id, then event id; events without an id last. */
function byEventKey(a: ValidItem<EventItem>, b: ValidItem<EventItem>): number {
	const aId = a.input.eventId;
	const bId = b.input.eventId;
	if (aId === undefined || bId === undefined)
		return Number(aId === undefined) - Number(bId === undefined);
	if (a.journey!.id !== b.journey!.id) return a.journey!.id - b.journey!.id;
	return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/**
 * Inserts the batch's new events (one statement on PostgreSQL), keyed ones in key order (two
 * batches inserting the same keys wait on each other in one order, never in a cycle; on SQLite
 * the index is filled in order, which costs less). The unique (journey, event id) index stays
 * the arbiter: when it refuses one, a concurrent batch recorded it first, and the unique
 * violation makes the driver run the whole batch again, which then finds it known.
 */
async function insertEvents(
	tx: SqlExecutor,
	batch: Batch,
	items: Array<ValidItem<EventItem>>,
): Promise<void> {
	const values = [...items]
		.sort(byEventKey)
		.map(({ input, journey }) => [
			journey!.id,
			batch.customers.get(input.customerId)!.id,
			input.eventId,
			input.eventType,
			input.channel,
			input.occurredAt,
			batch.now,
			input.propertiesJson,
		]);
	// A plain insert costs about half of one with ON CONFLICT … RETURNING on PostgreSQL (no
	// speculative insertion, no rows back) and a third less CPU on SQLite. The batch's duplicates
	// are already set aside, so only a concurrent batch that recorded one of these first (and
	// committed: the insert waits for it) can make it fail. On SQLite the transaction holds the
	// file's write lock from its start, so no other batch can.
	await insertRows(tx, 'events', EVENT_COLUMNS, values);
}

/**
 * Records events (each item names its journey) and moves customers by the journeys' event
 * rules. One transaction for the whole batch; an invalid item is reported and writes nothing.
 */
export function recordEvents(
	driver: SqlDriver,
	cache: JourneyCache,
	items: readonly Raw[],
	options: BatchOptions,
): Promise<Array<ItemOutcome<EventResult>>> {
	const now = Date.now();
	const inputs = items.map((raw) =>
		parseOrError((): EventItem => {
			const journey = readField(raw, 'journey', requireId);
			// Journey added to the parsed event, not spread into a copy of it (10,000 copies a batch).
			const input = parseEvent(raw, now, zoneOf(raw, options)) as EventItem;
			input.journey = journey;
			return input;
		}),
	);
	const report = (
		journey: LoadedJourney,
		input: EventItem,
		step: Step & { ruleId: string | null },
		duplicate: boolean,
	): EventResult => {
		// The event's fields set on the move's outcome, not spread into a copy (once per item).
		const result = moveOutcome(journey.definition, input.customerId, step) as EventResult;
		result.eventType = input.eventType;
		result.eventId = input.eventId ?? null;
		result.occurredAt = input.occurredAt;
		result.duplicate = duplicate;
		result.ruleId = step.ruleId;
		return result;
	};
	return writeBatch(driver, cache, now, inputs, options, {
		lastEventAt: (input) => input.occurredAt,
		// Contact counts only in the event's own journey: the journey it is recorded in decides
		// what it means, as its event rules do.
		contactAt: (input, journey) =>
			countsAsContact(journey!.definition, input.eventType) ? input.occurredAt : undefined,
		exclude: knownEvents,
		// Both statements are sent at once (a connection runs them in order): the server works
		// through them while the items are decided (writeBatch).
		prepare: async (tx, batch, items) => {
			await allSettled([
				insertEvents(tx, batch, items),
				addActivityDays(
					tx,
					items.map(({ input, journey }) => ({
						journeyId: journey!.id,
						customerId: batch.customers.get(input.customerId)!.id,
						occurredAt: input.occurredAt,
						eventType: input.eventType,
					})),
				),
			]);
		},
		settle: settleAutomation,
		decide: (batch, input, journey, customer) => {
			const step = eventStep(journey!.definition, batch.state(journey!, customer), input);
			batch.apply(journey!, customer, step);
			return report(journey!, input, step, false);
		},
		decideExcluded: (batch, input, journey, customer) => {
			const before = customer ? batch.state(journey!, customer) : null;
			return report(
				journey!,
				input,
				{ ...duplicateStep(before, input.eventId), ruleId: null },
				true,
			);
		},
	});
}
