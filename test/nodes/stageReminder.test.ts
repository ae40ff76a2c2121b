import type { INodeParameters } from 'n8n-workflow';
import { jsonJourney, TestStore } from './workflow';

/**
 * The Stage Reminder node in n8n-core's WorkflowExecute: a store prepared through Advance
 * Stage, then runs at fixed times ("As Of") as a Schedule Trigger would make them.
 */
const STAGE_REMINDER = 'n8n-nodes-customer-stage.stageReminder';
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-01-05T09:00:00Z');
const at = (days: number) => new Date(T0 + days * DAY).toISOString();

/** Record Event in the trade journey, chosen by ID as a user would type it. */
const recordInTrade = (fields: INodeParameters): INodeParameters => ({
	resource: 'event',
	operation: 'record',
	journey: { __rl: true, mode: 'id', value: 'trade' },
	...fields,
});

const JOURNEY = {
	key: 'trade',
	name: 'Trade',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'sample', name: 'Sample Order' },
	],
	eventRules: [
		{ eventType: 'form.submitted', stage: 'lead' },
		{ eventType: 'sample.ordered', stage: 'sample' },
	],
	reminderRules: [
		{
			id: 'sample_stall',
			stage: 'sample',
			kind: 'daysInStage',
			days: 7,
			recipient: 'ownerAndAdmin',
		},
		{ id: 'lead_quiet', stage: 'lead', kind: 'daysWithoutContact', days: 3 },
	],
};

describe('Stage Reminder node', () => {
	let store: TestStore;

	beforeEach(async () => {
		store = new TestStore();
		await store.prepare(jsonJourney(JOURNEY));
		await store.prepare(
			{
				resource: 'customer',
				operation: 'import',
				customerId: '={{ $json.id }}',
				customerFields: { name: '={{ $json.name }}', owner: '={{ $json.owner }}' },
			},
			[
				{ id: 'acme', name: 'Acme Ltd', owner: 'li.wei' },
				{ id: 'cora', name: 'Cora', owner: '' },
			],
		);
		await store.prepare(
			recordInTrade({
				customerId: '={{ $json.id }}',
				eventType: '={{ $json.type }}',
				additionalFields: { occurredAt: '={{ $json.at }}' },
			}),
			[
				{ id: 'acme', type: 'sample.ordered', at: at(0) },
				{ id: 'cora', type: 'form.submitted', at: at(0) },
			],
		);
	});

	afterEach(() => store.dispose());

	const remind = (parameters: Record<string, unknown>) =>
		store.run(
			{ mode: 'send', admins: 'boss@example.com', additionalFields: { now: at(8) }, ...parameters },
			[{}],
			{ type: STAGE_REMINDER, name: 'Stage Reminder' },
		);

	test('one item per reminder and recipient, in reading order, then nothing on the next run', async () => {
		const first = await remind({});
		expect(first.error).toBeUndefined();
		const items = first.json('Stage Reminder');
		expect(items.map((i) => [i.recipient, i.recipientRole, i.customerId])).toEqual([
			['li.wei', 'owner', 'acme'],
			['boss@example.com', 'admin', 'acme'],
			['boss@example.com', 'admin', 'cora'],
		]);
		expect(Object.keys(items[0]).slice(0, 4)).toEqual([
			'recipient',
			'recipientRole',
			'message',
			'customerId',
		]);
		expect(Object.keys(items[0]).at(-1)).toBe('keys');
		expect(items[0].keys).toEqual({ journey: 'trade', stage: 'sample' });
		expect(items[0]).toMatchObject({
			message: 'Acme Ltd has been in Sample Order for 8 days (limit 7). Owner: li.wei',
			journey: 'Trade',
			stage: 'Sample Order',
			reminder: 'Days in stage',
			daysInStage: 8,
			limit: 7,
			occurrence: 1,
			escalated: false,
		});
		expect(items[2]).toMatchObject({
			unassigned: true,
			daysWithoutContact: 8,
			notes: ['The customer is unassigned, so the admins are told instead.'],
		});
		expect(await store.count('reminder_log')).toBe(2);
		const second = await remind({});
		expect(second.json('Stage Reminder')).toEqual([]);
	});

	test('Log Contact restarts the no-contact clock: cora contacted at day 6 is due at day 9', async () => {
		const logged = await store.run(
			{
				resource: 'customer',
				operation: 'logContact',
				customerId: 'cora',
				employee: 'li.wei',
				channel: 'phone',
				additionalFields: { contactedAt: at(6) },
			},
			[{}],
		);
		expect(logged.error).toBeUndefined();
		expect(logged.json('Advance Stage')).toEqual([
			{
				customerId: 'cora',
				contactedAt: at(6),
				employee: 'li.wei',
				channel: 'phone',
				lastContactAt: at(6),
			},
		]);
		const day8 = await remind({ mode: 'preview' });
		expect(day8.json('Stage Reminder').map((i) => i.customerId)).toEqual(['acme', 'acme']);
		const day9 = await remind({ mode: 'preview', additionalFields: { now: at(9) } });
		expect(day9.json('Stage Reminder').map((i) => [i.customerId, i.daysWithoutContact])).toEqual([
			['acme', undefined],
			['acme', undefined],
			['cora', 3],
		]);
		const got = await store.run({ resource: 'customer', operation: 'get', customerId: 'cora' });
		expect(got.json('Advance Stage')[0]).toMatchObject({ lastContactAt: at(6) });
		expect(typeof got.json('Advance Stage')[0].daysSinceContact).toBe('number');
	});

	test('a recorded event of a contact type restarts the clock; a late one or a replay does not', async () => {
		const updated = await store.run(
			jsonJourney({ ...JOURNEY, contactEventTypes: ['call.completed'] }),
		);
		expect(updated.error).toBeUndefined();
		const record = (events: Array<{ type: string; id: string; at: string }>) =>
			store.run(
				recordInTrade({
					customerId: 'cora',
					eventType: '={{ $json.type }}',
					additionalFields: { eventId: '={{ $json.id }}', occurredAt: '={{ $json.at }}' },
				}),
				events,
			);
		const first = await record([
			{ type: 'call.completed', id: 'call-6', at: at(6) },
			{ type: 'page.viewed', id: 'view-7', at: at(7) },
		]);
		expect(first.error).toBeUndefined();
		const cora = async (days: number) =>
			(await remind({ mode: 'preview', additionalFields: { now: at(days) } }))
				.json('Stage Reminder')
				.filter((i) => i.customerId === 'cora')
				.map((i) => i.daysWithoutContact);
		expect(await cora(8)).toEqual([]);
		expect(await cora(9)).toEqual([3]);
		// An earlier call, and the day-6 call sent again: the last contact stays at day 6.
		const late = await record([
			{ type: 'call.completed', id: 'call-2', at: at(2) },
			{ type: 'call.completed', id: 'call-6', at: at(6) },
		]);
		expect(late.json('Advance Stage').map((i) => i.duplicate)).toEqual([false, true]);
		const got = await store.run({ resource: 'customer', operation: 'get', customerId: 'cora' });
		expect(got.json('Advance Stage')[0]).toMatchObject({ lastContactAt: at(6) });
		expect(await cora(9)).toEqual([3]);
	});

	test('Customer → Get lists the reminders sent about the customer, newest first', async () => {
		await remind({});
		const got = await store.run({ resource: 'customer', operation: 'get', customerId: 'acme' });
		expect(got.json('Advance Stage')[0].remindersSent).toEqual([
			{
				journey: 'Trade',
				stage: 'Sample Order',
				ruleId: 'sample_stall',
				occurrence: 1,
				escalated: false,
				firedAt: at(8),
				recipients: [
					{ role: 'owner', id: 'li.wei' },
					{ role: 'admin', id: 'boss@example.com' },
				],
				keys: { journey: 'trade', stage: 'sample' },
			},
		]);
	});

	test('Customer → Get shows the open reminders (due, not yet sent) and the next one due', async () => {
		const get = async (customerId: string) =>
			(await store.run({ resource: 'customer', operation: 'get', customerId })).json(
				'Advance Stage',
			)[0];
		expect((await get('acme')).remindersOpen).toEqual([
			{
				journey: 'Trade',
				stage: 'Sample Order',
				ruleId: 'sample_stall',
				message: expect.stringMatching(
					/^Acme Ltd has been in Sample Order for \d+ days \(limit 7\)/,
				),
				occurrence: 1,
				escalated: false,
				dueAt: at(7),
				keys: { journey: 'trade', stage: 'sample' },
			},
		]);
		expect((await get('cora')).remindersOpen).toEqual([
			expect.objectContaining({ ruleId: 'lead_quiet', dueAt: at(3) }),
		]);
		// Sent: no longer open, and these rules do not repeat, so nothing comes next.
		await remind({});
		expect(await get('acme')).toMatchObject({ remindersOpen: [], nextReminder: null });
		// A lead since yesterday: quiet for 3 days two days from now.
		const yesterday = Date.now() - DAY;
		await store.run(
			recordInTrade({
				customerId: 'dana',
				eventType: 'form.submitted',
				additionalFields: { occurredAt: new Date(yesterday).toISOString() },
			}),
			[{}],
		);
		expect(await get('dana')).toMatchObject({
			remindersOpen: [],
			nextReminder: {
				journey: 'Trade',
				stage: 'Lead',
				ruleId: 'lead_quiet',
				occurrence: 1,
				dueAt: new Date(yesterday + 3 * DAY).toISOString(),
				keys: { journey: 'trade', stage: 'lead' },
			},
		});
	});

	test('Preview lists what is due and marks nothing', async () => {
		const preview = await remind({ mode: 'preview' });
		expect(preview.json('Stage Reminder')).toHaveLength(3);
		expect(await store.count('reminder_log')).toBe(0);
		const send = await remind({});
		expect(send.json('Stage Reminder')).toHaveLength(3);
	});

	test('Digest: one item per recipient with all their reminders', async () => {
		const run = await remind({ output: 'digest' });
		const items = run.json('Stage Reminder');
		expect(items.map((i) => [i.recipient, i.count, i.roles])).toEqual([
			['li.wei', 1, ['owner']],
			['boss@example.com', 2, ['admin']],
		]);
		expect(items[1].message).toBe(
			[
				'• Acme Ltd has been in Sample Order for 8 days (limit 7). Owner: li.wei',
				'• Cora has not been contacted for 8 days in Lead (limit 3). Unassigned: sent to the admins',
			].join('\n'),
		);
	});

	test('scope by owner reads only that owner’s customers; an empty owner list is refused', async () => {
		const mine = await remind({ scope: 'owners', owners: 'li.wei' });
		expect(mine.json('Stage Reminder').map((i) => i.customerId)).toEqual(['acme', 'acme']);
		const empty = await remind({ scope: 'owners', owners: ' , ' });
		// The message every scoped node gives (engine toScope), with what to do for a whole run.
		expect(empty.error?.message).toBe('Owners is required for this scope');
		expect((empty.error as { description?: string }).description).toBe(
			'Give names separated by commas (employee IDs or e-mail addresses for owners), or set Scope to All Customers.',
		);
	});

	test('an unknown journey is refused naming it; switched-off reminders give none', async () => {
		const unknown = await remind({ journeyScope: 'selected', journeys: ['nope'] });
		expect(unknown.error?.message).toContain("Journey 'nope' does not exist");
		await store.run(jsonJourney({ ...JOURNEY, remindersEnabled: false }));
		const off = await remind({ journeyScope: 'selected', journeys: ['trade'] });
		expect(off.error).toBeUndefined();
		expect(off.json('Stage Reminder')).toEqual([]);
	});
});
