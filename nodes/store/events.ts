import { eventStep } from '../engine/eventRules';
import { parseEvent, readField, requireId, type EventInput } from '../engine/inputs';
import { duplicateStep, moveOutcome } from '../engine/movement';
import {
	chunk,
	placeholders,
	ROWS_PER_STATEMENT,
	type SqlDriver,
	type SqlExecutor,
} from './driver/sql';
import type { JourneyCache } from './journeys';
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

/**
 * Inserts the batch's events with a few multi-row statements and returns those actually
 * recorded. The unique (journey, event id) index decides duplicates, also against concurrent
 * batches: an event id already stored, or seen earlier in this batch, is not recorded again.
 */
async function insertEvents(
	tx: SqlExecutor,
	batch: Batch,
	items: Array<ValidItem<EventItem>>,
): Promise<Set<EventInput>> {
	const recorded = new Set<EventInput>();
	const keyed = new Map<string, EventInput>();
	const rows: Array<ValidItem<EventItem>> = [];
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
		const params = part.flatMap(({ input, journey }) => [
			journey!.id,
			batch.customers.get(input.customerId)!.id,
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
			if (row.event_key !== null) {
				recorded.add(keyed.get(`${Number(row.journey_id)}:${row.event_key}`)!);
			}
		}
	}
	return recorded;
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
		parseOrError(
			(): EventItem => ({
				journey: readField(raw, 'journey', requireId),
				...parseEvent(raw, now, zoneOf(raw, options)),
			}),
		),
	);
	let recorded = new Set<EventInput>();
	return writeBatch(driver, cache, now, inputs, options, {
		lastEventAt: (input) => input.occurredAt,
		prepare: async (tx, batch, valid) => {
			recorded = await insertEvents(tx, batch, valid);
		},
		decide: (batch, input, journey, customer): EventResult => {
			const before = batch.state(journey!, customer);
			const duplicate = !recorded.has(input);
			const step = duplicate
				? { ...duplicateStep(before, input.eventId), ruleId: null }
				: eventStep(journey!.definition, before, input);
			batch.apply(journey!, customer, step);
			return {
				...moveOutcome(journey!.definition, input.customerId, step),
				eventType: input.eventType,
				eventId: input.eventId ?? null,
				occurredAt: input.occurredAt,
				duplicate,
				ruleId: step.ruleId,
			};
		},
	});
}
