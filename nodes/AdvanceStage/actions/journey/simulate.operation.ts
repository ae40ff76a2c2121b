import type { INodeProperties } from 'n8n-workflow';
import { parseEvent, toProperties } from '../../../engine/inputs';
import { parseJourney, type JourneyDefinition } from '../../../engine/journey';
import { rulesThatNeverFire, simulateEvents } from '../../../engine/simulate';
import * as fields from '../../../shared/descriptions';
import { perItem, toNodeError, type Operation } from '../../../shared/execution';
import { eventJson, Names } from '../../../shared/output';
import { readEvent } from '../../../shared/parameters';
import type { Store } from '../../../store/Store';
import type { StoredJourney } from '../../../store/types';

const show = { resource: ['journey'], operation: ['simulate'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Runs the input items as events through the journey and reports what would happen. Nothing is written.',
		name: 'simulateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	fields.choice({ displayName: 'Journey Source', name: 'journeySource', default: 'stored' }, [
		['Stored Journey', 'stored', 'A journey saved in the store'],
		['JSON Draft', 'json', 'A journey definition not saved yet'],
	]),
	fields.journeyField({ displayOptions: { show: { ...show, journeySource: ['stored'] } } }),
	{
		displayName: 'Draft Definition (JSON)',
		name: 'draft',
		type: 'json',
		default: '',
		required: true,
		description: 'A journey definition as Create or Update takes it',
		displayOptions: { show: { ...show, journeySource: ['json'] } },
	},
	...fields.eventFields(show),
].map((field) =>
	field.displayOptions ? field : { ...field, displayOptions: { show } },
) as INodeProperties[];

async function journeyOf(store: Store, source: string, value: unknown): Promise<JourneyDefinition> {
	if (source === 'json') return parseJourney(toProperties(value, 'draft'));
	const stored = await store.getJourney(String(value));
	if (!stored) throw new Error(`Journey '${String(value)}' does not exist`);
	return stored.definition;
}

/**
 * Journey → Simulate: all input items, in order, are one run of events from an empty journey,
 * decided by the same engine as Record Event. Each item says what its event would do and why,
 * and where its customer ends after the whole run, and every item lists what in the journey can
 * never fire on its own (`neverFires`). Writes nothing.
 */
export const execute: Operation = async ({ context, items, store, read }) => {
	let journey: JourneyDefinition;
	try {
		// Only the field the source shows exists in the node's parameters.
		const source = String(read.value('journeySource', 0, 'stored'));
		journey = await journeyOf(
			store,
			source,
			read.value(source === 'json' ? 'draft' : 'journey', 0),
		);
	} catch (error) {
		throw toNodeError(context, error as Error);
	}
	const now = Date.now();
	const timeZone = context.getTimezone();
	const events = items.map((_, i) => {
		try {
			return parseEvent(readEvent(read, i), now, { timeZone });
		} catch (error) {
			return error as Error;
		}
	});
	const { outcomes, finals } = simulateEvents(journey, events);
	const neverFires = rulesThatNeverFire(journey);
	const names = new Names([
		{ key: journey.key, name: journey.name, definition: journey } as StoredJourney,
	]);
	return perItem(context, items, async (i) => {
		const outcome = outcomes[i];
		if (outcome instanceof Error) throw outcome;
		const event = events[i] as Exclude<(typeof events)[number], Error>;
		const final = finals.get(outcome.customerId)?.stage ?? null;
		const { keys, ...json } = eventJson(
			{
				...outcome,
				eventType: event.eventType,
				eventId: event.eventId ?? null,
				occurredAt: event.occurredAt,
			},
			names,
		);
		return [
			{
				...json,
				finalStage: names.stage(journey.key, final),
				neverFires,
				keys: { ...(keys as object), finalStage: final },
			},
		];
	});
};
