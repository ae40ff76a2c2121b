import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { presetJourney, recordEvent, TestStore } from './workflow';

/**
 * Journey → Simulate in WorkflowExecute: the same engine as Record Event, nothing written. The
 * proof: on a fresh store, Record Event with the same items gives the same outcomes, item by
 * item, and the simulated final stages are the customers' stages afterwards.
 */
let store: TestStore;
const node = 'Advance Stage';

beforeEach(async () => {
	store = new TestStore();
	await store.prepare(presetJourney('marketingHub'));
});
afterEach(() => store.dispose());

const EVENTS: IDataObject[] = [
	{ customerId: 'c-1', eventType: 'wechat.follow', eventId: 'e1' },
	{ customerId: 'c-1', eventType: 'wechat.message_sent', eventId: 'e2' },
	{ customerId: 'c-1', eventType: 'email.opened', eventId: 'e3' },
	{ customerId: 'c-2', eventType: 'form.submitted', eventId: 'e4' },
	{ customerId: 'c-2', eventType: 'email.opened', eventId: 'e5' },
	{ customerId: 'c-2', eventType: 'email.opened', eventId: 'e5' },
	{ customerId: 'c-3', eventType: 'wechat.message_sent' },
];

const simulate = (extra: IDataObject = {}): INodeParameters =>
	({
		resource: 'journey',
		operation: 'simulate',
		journeySource: 'stored',
		journey: 'marketing_hub',
		customerId: '={{ $json.customerId }}',
		eventType: '={{ $json.eventType }}',
		additionalFields: { eventId: '={{ $json.eventId }}' },
		...extra,
	}) as INodeParameters;

const SAME = [
	'customerId',
	'stage',
	'moved',
	'reason',
	'previousStage',
	'direction',
	'status',
	'journey',
	'duplicate',
	'eventType',
	'eventId',
	'ruleId',
];
const pick = (item: IDataObject) => Object.fromEntries(SAME.map((k) => [k, item[k]]));

test('Simulate equals what Record Event then does on a fresh store, and writes nothing', async () => {
	const before = await Promise.all(
		['events', 'transitions', 'memberships', 'customers'].map((t) => store.count(t)),
	);
	const simulated = await store.run(simulate(), EVENTS);
	expect(simulated.error).toBeUndefined();
	const predicted = simulated.json(node);
	expect(
		await Promise.all(
			['events', 'transitions', 'memberships', 'customers'].map((t) => store.count(t)),
		),
	).toEqual(before);
	expect(predicted.map((i) => [i.customerId, i.stage, i.moved, i.duplicate])).toEqual([
		['c-1', 'Initial Contact', true, false],
		['c-1', 'Primary Leads', true, false],
		['c-1', 'Primary Leads', false, false],
		['c-2', 'Intentional Leads', true, false],
		['c-2', 'Intentional Leads', false, false],
		['c-2', 'Intentional Leads', false, true],
		['c-3', 'Primary Leads', true, false],
	]);
	expect(predicted.map((i) => i.finalStage)).toEqual([
		'Primary Leads',
		'Primary Leads',
		'Primary Leads',
		'Intentional Leads',
		'Intentional Leads',
		'Intentional Leads',
		'Primary Leads',
	]);
	expect(Object.keys(predicted[0]).at(-1)).toBe('keys');

	const recorded = await store.run(recordEvent(), EVENTS);
	expect(recorded.error).toBeUndefined();
	expect(predicted.map(pick)).toEqual(recorded.json(node).map(pick));
	for (const item of predicted) {
		const got = await store.run({
			resource: 'customer',
			operation: 'get',
			customerId: item.customerId as string,
		});
		expect((got.json(node)[0].journeys as IDataObject[])[0].stage).toBe(item.finalStage);
	}
});

test('a JSON draft is simulated without being saved; a bad draft or item names its field', async () => {
	const draft = JSON.stringify({
		key: 'draft',
		name: 'Draft',
		stages: [
			{ key: 'new', name: 'New' },
			{ key: 'won', name: 'Won' },
		],
		eventRules: [{ eventType: 'deal.won', stage: 'won' }],
	});
	const run = await store.run(
		simulate({ journeySource: 'json', draft }),
		[
			{ customerId: 'a', eventType: 'deal.won' },
			{ customerId: '', eventType: 'deal.won' },
		],
		{ onError: 'continueErrorOutput' },
	);
	expect(run.json(node, 0)).toMatchObject([
		{ customerId: 'a', stage: 'Won', finalStage: 'Won', journey: 'Draft' },
	]);
	expect(run.json(node, 1)[0].error).toBe('Customer ID is required');
	const list = await store.run({ resource: 'journey', operation: 'list' });
	expect(list.json(node).map((j) => j.key)).toEqual(['marketing_hub']);
	const bad = await store.run(simulate({ journeySource: 'json', draft: '{"key": "x"}' }), [
		{ customerId: 'a', eventType: 't' },
	]);
	expect(bad.error?.message).toMatch(/name|stages/i);
});

test('Simulate lists what can never fire: a stage no rule reaches, a rule an exit always beats', async () => {
	const draft = JSON.stringify({
		key: 'draft',
		name: 'Draft',
		stages: [
			{ key: 'new', name: 'New' },
			{ key: 'hot', name: 'Hot' },
			{ key: 'vip', name: 'VIP' },
			{ key: 'gone', name: 'Gone', kind: 'exit' },
		],
		eventRules: [
			{ eventType: 'reply', stage: 'hot' },
			{ eventType: 'reply', stage: 'gone' },
		],
	});
	const run = await store.run(simulate({ journeySource: 'json', draft }), [
		{ customerId: 'a', eventType: 'reply' },
	]);
	const [item] = run.json(node);
	expect(item).toMatchObject({ stage: 'Gone', finalStage: 'Gone' });
	expect(item.neverFires).toEqual([
		"Stage 'VIP' is the target of no rule and not the default stage: only a manual move reaches it",
		"Event rule reply→hot never fires: reply→gone matches every 'reply' event and wins (an exit wins over a path stage)",
	]);
	const stored = await store.run(simulate(), [{ customerId: 'a', eventType: 'wechat.follow' }]);
	expect(stored.json(node)[0].neverFires).toEqual([]);
});
