import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';
import { parseScopedCustomer, type Scope } from '../../../engine/inputs';
import { perItem, type Operation } from '../../../shared/execution';
import { customerIdField } from '../../../shared/descriptions';
import type { CustomerReminderOutlook } from '../../../store/reminders';
import type { CustomerView } from '../../../store/types';
import { customerJson, iso, Names } from '../../../shared/output';
import type { StageTime } from '../../../engine/metrics';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['get'] };

export const description: INodeProperties[] = [customerIdField({ displayOptions: { show } })];

/**
 * One lookup for all items; an unknown customer, or one outside the item's scope, is an error
 * for that item only (and nothing more is read about them).
 */
export const execute: Operation = async ({ context, items, store, read }) => {
	const asked = items.map((_, i) => {
		try {
			return parseScopedCustomer({
				customerId: read.value('customerId', i),
				scope: itemScope(read, i),
			});
		} catch (error) {
			return error as Error;
		}
	});
	const requests = asked.filter(
		(a): a is { customerId: string; scope: Scope } => !(a instanceof Error),
	);
	const found = await store.customersInScope(requests);
	const answers = new Map(requests.map((request, k) => [request, found[k]]));
	const byId = new Map(
		found
			.filter((c): c is CustomerView => c !== null && !(c instanceof Error))
			.map((c) => [c.customerId, c]),
	);
	const now = Date.now();
	const names = await Names.of(store);
	const times = await store.customerStageTimes([...byId.keys()], now);
	const sent = await store.sentReminders([...byId.keys()], 10);
	const outlooks = await store.reminderOutlook([...byId.keys()], now, context.getTimezone());
	return perItem(context, items, async (i) => {
		const request = asked[i];
		if (request instanceof Error) throw request;
		const id = request.customerId;
		const customer = answers.get(request);
		if (customer instanceof Error) throw customer;
		if (!customer) {
			throw new NodeOperationError(context.getNode(), `Customer '${id}' was not found`, {
				itemIndex: i,
				description: 'Customers exist once an event, a stage or an import has named them.',
			});
		}
		const json = customerJson(customer, now);
		const journeys = times.get(id);
		json.journeys = (json.journeys as IDataObject[]).map((membership) => {
			const journeyKey = String((membership.keys as IDataObject).journey);
			const stays = journeys?.get(journeyKey) ?? [];
			return {
				...membership,
				timeInStages: stays.map((time) => stageTimeJson(time, journeyKey, names)),
			};
		});
		json.remindersSent = (sent.get(id) ?? []).map((r) => ({
			journey: names.journey(r.journey),
			stage: names.stage(r.journey, r.stage),
			ruleId: r.ruleId,
			occurrence: r.occurrence,
			escalated: r.escalated,
			firedAt: iso(r.firedAt),
			recipients: r.recipients,
			keys: { journey: r.journey, stage: r.stage },
		}));
		Object.assign(json, reminderOutlookJson(outlooks.get(id), names));
		return [json];
	});
};

/** Reminders due now and not yet sent (what a Stage Reminder run would send), and the next one. */
function reminderOutlookJson(outlook: CustomerReminderOutlook | undefined, names: Names) {
	const next = outlook?.upcoming[0];
	return {
		remindersOpen: (outlook?.open ?? []).map((r) => ({
			journey: r.journeyName,
			stage: r.stageName,
			ruleId: r.ruleId,
			message: r.message,
			occurrence: r.occurrence,
			escalated: r.escalated,
			dueAt: iso(r.dueAt),
			keys: { journey: r.journeyKey, stage: r.stage },
		})),
		nextReminder: next
			? {
					journey: next.journeyName,
					stage: names.stage(next.journeyKey, next.stage),
					ruleId: next.ruleId,
					occurrence: next.occurrence,
					dueAt: iso(next.dueAt),
					keys: { journey: next.journeyKey, stage: next.stage },
				}
			: null,
	};
}

const DAY = 24 * 60 * 60 * 1000;
const days = (ms: number) => Math.round((ms / DAY) * 100) / 100;

/** Latest and cumulative time in one stage (HubSpot's "time in stage"), names first. */
function stageTimeJson(time: StageTime, journeyKey: string, names: Names): IDataObject {
	return {
		stage: names.stage(journeyKey, time.stage),
		latestDaysInStage: days(time.latestMs),
		cumulativeDaysInStage: days(time.cumulativeMs),
		lastEnteredAt: iso(time.lastEnteredAt),
		lastExitedAt: iso(time.lastExitedAt),
		firstEnteredAt: iso(time.firstEnteredAt),
		entries: time.entries,
		keys: { stage: time.stage },
	};
}
