import { parseTime } from '../engine/time';
import type { Operation } from '../shared/execution';
import { commaList, scopeOf } from '../shared/scope';
import { digestItems, reminderItems } from './output';

/**
 * One run per execution (a Schedule Trigger sends one item): find the due reminders, claim them
 * unless previewing, and return them ready to route.
 */
export const execute: Operation = async ({ context, store }) => {
	const extra = context.getNodeParameter('additionalFields', 0, {}) as {
		now?: string;
		businessDaysTimeZone?: string;
	};
	const timeZone = extra.businessDaysTimeZone?.trim() || context.getTimezone();
	const now = extra.now
		? parseTime(extra.now, 'As Of', { timeZone: context.getTimezone() })
		: Date.now();
	const journeys =
		context.getNodeParameter('journeyScope', 0) === 'selected'
			? (context.getNodeParameter('journeys', 0, []) as string[])
			: [];
	const run = await store.runReminders({
		journeys,
		scope: scopeOf(context.getNode(), (name, fallback) =>
			context.getNodeParameter(name, 0, fallback),
		),
		now,
		timeZone,
		admins: commaList(context.getNodeParameter('admins', 0, '')),
		claim: context.getNodeParameter('mode', 0) === 'send',
	});
	for (const journey of run.switchedOff) {
		context.addExecutionHints({
			message: `Reminders are switched off for the journey '${journey.name}', so none came from it. Turn them on in the journey (remindersEnabled).`,
			location: 'outputPane',
		});
	}
	const json =
		context.getNodeParameter('output', 0) === 'digest'
			? digestItems(run.reminders)
			: reminderItems(run.reminders);
	return json.map((item) => ({ json: item, pairedItem: { item: 0 } }));
};
