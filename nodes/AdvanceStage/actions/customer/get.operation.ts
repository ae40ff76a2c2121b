import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';
import { requireId } from '../../../engine/inputs';
import { perItem, type Operation } from '../../../shared/execution';
import { customerIdField } from '../../../shared/descriptions';
import type { CustomerView } from '../../../store/types';
import { customerJson, iso } from '../../../shared/output';
import type { StageTime } from '../../../engine/metrics';
import type { Store } from '../../../store/Store';

const show = { resource: ['customer'], operation: ['get'] };

export const description: INodeProperties[] = [customerIdField({ displayOptions: { show } })];

/** One lookup for all items; an unknown customer is an error for that item only. */
export const execute: Operation = async ({ context, items, store, read }) => {
	const ids = items.map((_, i) => {
		try {
			return requireId(read.value('customerId', i), 'customerId');
		} catch (error) {
			return error as Error;
		}
	});
	const found = await store.getCustomers(ids.filter((id): id is string => typeof id === 'string'));
	const byId = new Map(
		found.filter((c): c is CustomerView => c !== null).map((c) => [c.customerId, c]),
	);
	const now = Date.now();
	const times = await store.customerStageTimes([...byId.keys()], now);
	const stageNames = await stageNamesOf(store, times);
	return perItem(context, items, async (i) => {
		const id = ids[i];
		if (id instanceof Error) throw id;
		const customer = byId.get(id);
		if (!customer) {
			throw new NodeOperationError(context.getNode(), `Customer '${id}' was not found`, {
				itemIndex: i,
				description: 'Customers exist once an event, a stage or an import has named them.',
			});
		}
		const json = customerJson(customer, now);
		const journeys = times.get(id);
		json.journeys = (json.journeys as IDataObject[]).map((membership) => ({
			...membership,
			timeInStages: (journeys?.get(String(membership.journey)) ?? []).map((time) =>
				stageTimeJson(time, stageNames.get(String(membership.journey))),
			),
		}));
		return [json];
	});
};

const DAY = 24 * 60 * 60 * 1000;
const days = (ms: number) => Math.round((ms / DAY) * 100) / 100;

/** Stage names of the journeys the customers have history in, one lookup per journey. */
async function stageNamesOf(
	store: Store,
	times: Map<string, Map<string, StageTime[]>>,
): Promise<Map<string, Map<string, string>>> {
	const keys = new Set([...times.values()].flatMap((journeys) => [...journeys.keys()]));
	const names = new Map<string, Map<string, string>>();
	for (const key of keys) {
		const journey = await store.getJourney(key);
		names.set(key, new Map(journey?.definition.stages.map((s) => [s.key, s.name]) ?? []));
	}
	return names;
}

/** Latest and cumulative time in one stage (HubSpot's "time in stage"), names first. */
function stageTimeJson(time: StageTime, names: Map<string, string> | undefined): IDataObject {
	return {
		stage: names?.get(time.stage) ?? time.stage,
		latestDaysInStage: days(time.latestMs),
		cumulativeDaysInStage: days(time.cumulativeMs),
		lastEnteredAt: iso(time.lastEnteredAt),
		lastExitedAt: iso(time.lastExitedAt),
		firstEnteredAt: iso(time.firstEnteredAt),
		entries: time.entries,
		stageKey: time.stage,
	};
}
