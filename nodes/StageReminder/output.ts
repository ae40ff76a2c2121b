import type { IDataObject } from 'n8n-workflow';
import type { DueReminder, ReminderRecipient } from '../engine/reminders';
import { iso } from '../shared/output';

const KIND_LABELS: Record<DueReminder['kind'], string> = {
	daysInStage: 'Days in stage',
	daysWithoutContact: 'Days without contact',
};

/** Whole days, or tenths below a day's precision, as the sentence shows them. */
function days(elapsed: number): number {
	return Math.floor(elapsed * 10 + 1e-9) / 10;
}

/**
 * One reminder for one recipient, in reading order: who is told and what, then about whom, then
 * the rule's numbers; journey and stage keys last, in `keys` as in every node's items. A reminder nobody can be told (an unassigned
 * customer and no admins) still comes out once, with no recipient and a note saying so.
 */
export function reminderJson(
	reminder: DueReminder,
	recipient: ReminderRecipient | null,
): IDataObject {
	return {
		recipient: recipient?.id ?? null,
		recipientRole: recipient?.role ?? null,
		message: reminder.message,
		customerId: reminder.customerId,
		customerName: reminder.customerName,
		owner: reminder.owner,
		journey: reminder.journeyName,
		stage: reminder.stageName,
		reminder: KIND_LABELS[reminder.kind],
		[reminder.kind]: days(reminder.elapsedDays),
		limit: reminder.threshold,
		businessDays: reminder.businessDays,
		occurrence: reminder.occurrence,
		escalated: reminder.escalated,
		unassigned: reminder.unassigned,
		notes: reminder.notes,
		dueAt: iso(reminder.dueAt),
		nextDueAt: iso(reminder.nextDueAt),
		ruleId: reminder.ruleId,
		keys: { journey: reminder.journeyKey, stage: reminder.stage },
	};
}

/** One item per reminder and recipient. */
export function reminderItems(reminders: DueReminder[]): IDataObject[] {
	return reminders.flatMap((reminder) =>
		reminder.recipients.length === 0
			? [reminderJson(reminder, null)]
			: reminder.recipients.map((recipient) => reminderJson(reminder, recipient)),
	);
}

/** One item per recipient: their reminders, and one message listing them all. */
export function digestItems(reminders: DueReminder[]): IDataObject[] {
	const byRecipient = new Map<string, IDataObject[]>();
	for (const item of reminderItems(reminders)) {
		const key = item.recipient === null ? '' : String(item.recipient);
		const items = byRecipient.get(key);
		if (items) items.push(item);
		else byRecipient.set(key, [item]);
	}
	return [...byRecipient].map(([recipient, items]) => ({
		recipient: recipient || null,
		roles: [...new Set(items.map((i) => i.recipientRole).filter((r) => r !== null))],
		count: items.length,
		message: items.map((i) => `• ${i.message}`).join('\n'),
		reminders: items,
	}));
}
