import type { IDataObject } from 'n8n-workflow';
import { TestStore } from './workflow';

/**
 * Automation rules and the Evaluate 30-Day Activity node in n8n-core's WorkflowExecute: presets
 * created through Advance Stage, events recorded through it, evaluations at fixed times.
 */
const EVALUATE = 'n8n-nodes-customer-stage.evaluateActivity';
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.now();
const at = (days: number) => new Date(NOW + days * DAY).toISOString();

let store: TestStore;

beforeEach(async () => {
	store = new TestStore();
	for (const preset of ['lifecycleCrm', 'revopsLifecycle']) {
		const setup = await store.run({
			resource: 'journey',
			operation: 'createOrUpdate',
			source: 'preset',
			preset,
		});
		expect(setup.error).toBeUndefined();
	}
});
afterEach(() => store.dispose());

const record = (journey: string, items: IDataObject[]) =>
	store.run(
		{
			resource: 'event',
			operation: 'record',
			journey: { __rl: true, mode: 'id', value: journey },
			customerId: '={{ $json.id }}',
			eventType: '={{ $json.type }}',
			additionalFields: { eventId: '={{ $json.eventId }}', occurredAt: '={{ $json.at }}' },
		},
		items,
	);

const evaluate = (parameters: Record<string, unknown>, items: IDataObject[] = [{}]) =>
	store.run(
		{
			journey: { __rl: true, mode: 'id', value: 'revops_lifecycle' },
			mode: 'all',
			output: 'changed',
			...parameters,
		},
		items,
		{ type: EVALUATE, name: 'Evaluate 30-Day Activity' },
	);

test('lifecycle preset: two purchases in one execution end in Loyal Customer, the rule and its values in the reason', async () => {
	const run = await record('lifecycle_crm', [
		{ id: 'ann', type: 'purchase.completed', eventId: 'o-1', at: at(0) },
		{ id: 'ann', type: 'purchase.completed', eventId: 'o-2', at: at(0) },
	]);
	expect(run.error).toBeUndefined();
	const [first, second] = run.json('Advance Stage');
	expect(first).toMatchObject({ customerId: 'ann', stage: 'Customer', moved: true });
	expect(second).toMatchObject({ customerId: 'ann', stage: 'Loyal Customer', moved: true });
	expect(second.reason).toContain(
		"then advanced from Customer to Loyal Customer (rule 'repeat_purchase': purchase.completed: 2 in lifetime > 1)",
	);
	expect(await store.count('activity_days')).toBe(1);
});

test('a scheduled evaluation moves an inactive customer to Churned and reports score and level changes only', async () => {
	const recorded = await record('revops_lifecycle', [
		{ id: 'quiet', type: 'deal.won', eventId: 'w-1', at: at(-60) },
		{ id: 'busy', type: 'deal.won', eventId: 'w-2', at: at(-60) },
		{ id: 'busy', type: 'demo.requested', eventId: 'd-1', at: at(-1) },
		{ id: 'busy', type: 'form.submitted', eventId: 'f-1', at: at(-1) },
	]);
	expect(recorded.error).toBeUndefined();
	const first = await evaluate({ additionalFields: { asOf: at(0) } });
	expect(first.error).toBeUndefined();
	const initial = first.json('Evaluate 30-Day Activity');
	expect(initial.map((i) => [i.customerId, i.score, i.level, i.previousLevel])).toEqual([
		['busy', 2, 'Low', null],
		['quiet', 0, 'Inactive', null],
	]);
	expect(Object.keys(initial[0]).slice(0, 5)).toEqual([
		'customerId',
		'owner',
		'level',
		'previousLevel',
		'levelChanged',
	]);
	expect(Object.keys(initial[0]).at(-1)).toBe('keys');
	expect(initial[0].countsByType).toEqual({ 'demo.requested': 1, 'form.submitted': 1 });

	// 31 days later "quiet" has had no event for 91 days; busy's events have left the window.
	const later = await evaluate({ additionalFields: { asOf: at(31) } });
	const items = later.json('Evaluate 30-Day Activity');
	expect(items.map((i) => [i.customerId, i.stage, i.moved, i.levelDropped])).toEqual([
		['busy', 'Customer', false, true],
		['quiet', 'Churned', true, false],
	]);
	expect(items[0]).toMatchObject({
		score: 0,
		previousScore: 2,
		level: 'Inactive',
		previousLevel: 'Low',
	});
	expect(items[1].moves).toEqual([
		{
			from: 'Customer',
			to: 'Churned',
			direction: 'exit',
			reason: "left the path for Churned (rule 'inactive_90_days': days since last event: 91 ≥ 90)",
			ruleId: 'inactive_90_days',
			at: at(31),
		},
	]);
	// Nothing changed since: nothing to report.
	const again = await evaluate({ additionalFields: { asOf: at(31) } });
	expect(again.json('Evaluate 30-Day Activity')).toEqual([]);
	// Asked for everyone named, unchanged ones included.
	const named = await evaluate(
		{
			mode: 'input',
			customerId: '={{ $json.id }}',
			output: 'all',
			additionalFields: { asOf: at(31) },
		},
		[{ id: 'quiet' }, { id: 'busy' }],
	);
	expect(named.json('Evaluate 30-Day Activity').map((i) => [i.customerId, i.stage])).toEqual([
		['busy', 'Customer'],
		['quiet', 'Churned'],
	]);
});

test('customers in the input items: a missing customer ID fails only its item under continue on fail', async () => {
	await record('revops_lifecycle', [{ id: 'ann', type: 'deal.won', eventId: 'w-9', at: at(0) }]);
	const run = await store.run(
		{
			journey: { __rl: true, mode: 'id', value: 'revops_lifecycle' },
			mode: 'input',
			customerId: '={{ $json.id }}',
			output: 'changed',
		},
		[{ id: 'ann' }, {}],
		{ type: EVALUATE, name: 'Evaluate 30-Day Activity', onError: 'continueRegularOutput' },
	);
	expect(run.error).toBeUndefined();
	const items = run.json('Evaluate 30-Day Activity');
	expect(items).toHaveLength(2);
	expect(items[0].error).toMatch(/^Customer ID/);
	expect(items[1]).toMatchObject({ customerId: 'ann', score: 1, level: 'Low' });
});

test("customers in the input items: unknown, not in the journey or out of scope is that item's error, naming the Customer ID", async () => {
	await record('revops_lifecycle', [{ id: 'ann', type: 'deal.won', eventId: 'w-7', at: at(0) }]);
	await record('lifecycle_crm', [
		{ id: 'bob', type: 'purchase.completed', eventId: 'p-7', at: at(0) },
	]);
	const named = [{ id: 'ann' }, { id: 'ghost' }, { id: 'bob' }, { id: 'ann' }];
	const parameters = {
		journey: { __rl: true, mode: 'id', value: 'revops_lifecycle' },
		mode: 'input',
		customerId: '={{ $json.id }}',
		output: 'all',
	};
	const node = { type: EVALUATE, name: 'Evaluate 30-Day Activity' };
	// Without continue on fail the node fails on the first such item and writes nothing.
	const failed = await store.run(parameters, named, node);
	expect(failed.error?.message).toBe(
		"Customer ID 'ghost': no such customer; record an event for them or import them first",
	);
	expect((failed.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	expect((failed.error as { description?: string }).description).toBe(
		"Check the 'Customer ID' value of item 1.",
	);
	expect(await store.count('activity_scores')).toBe(0);
	const run = await store.run(parameters, named, { ...node, onError: 'continueErrorOutput' });
	expect(run.error).toBeUndefined();
	// The neighbours are evaluated: ann once, paired with both items that named her.
	const good = run.output('Evaluate 30-Day Activity', 0);
	expect(good.map((i) => [i.json.customerId, i.json.stage, i.pairedItem])).toEqual([
		['ann', 'Customer', [{ item: 0 }, { item: 3 }]],
	]);
	const bad = run.output('Evaluate 30-Day Activity', 1);
	expect(bad.map((i) => [i.pairedItem, i.json.error])).toEqual([
		[
			{ item: 1 },
			"Customer ID 'ghost': no such customer; record an event for them or import them first",
		],
		[
			{ item: 2 },
			"Customer ID 'bob': not in journey 'RevOps Lifecycle'; record an event for them in it or set their stage first",
		],
	]);
	// Scoped to an owner ann does not have: her items are the errors.
	const scoped = await store.run(
		{ ...parameters, scope: 'owners', owners: 'zoe' },
		[{ id: 'ann' }],
		{ ...node, onError: 'continueErrorOutput' },
	);
	expect(scoped.output('Evaluate 30-Day Activity', 1).map((i) => i.json.error)).toEqual([
		"Customer ID 'ann': outside the scope this node looks at (owners: zoe)",
	]);
});

test('an unknown journey fails the node naming it', async () => {
	const run = await store.run(
		{ journey: { __rl: true, mode: 'id', value: 'nope' }, mode: 'all', output: 'changed' },
		[{}],
		{ type: EVALUATE, name: 'Evaluate 30-Day Activity' },
	);
	expect(run.error?.message).toBe("Journey 'nope' was not found");
});

test('Journey → Get lists what a journey allows but is probably a mistake', async () => {
	const saved = await store.run({
		resource: 'journey',
		operation: 'createOrUpdate',
		source: 'json',
		definition: JSON.stringify({
			key: 'shop',
			name: 'Shop',
			stages: [
				{ key: 'new', name: 'New' },
				{ key: 'buyer', name: 'Buyer' },
			],
			eventRules: [{ eventType: 'order.paid', stage: 'buyer' }],
			automationRules: [
				{
					id: 'refunds',
					stage: 'buyer',
					conditions: [
						{ kind: 'eventCount', eventType: 'refund.issued', operator: 'gte', value: 1 },
					],
				},
			],
		}),
	});
	expect(saved.error).toBeUndefined();
	const get = (key: string) =>
		store.run({
			resource: 'journey',
			operation: 'get',
			journey: { __rl: true, mode: 'id', value: key },
		});
	const [shop] = (await get('shop')).json('Advance Stage');
	expect(shop.warnings).toEqual([
		"Automation rule 'refunds' (automationRules[0].conditions[0]) counts 'refund.issued' events, but no event rule of this journey mentions that event type",
	]);
	const [lifecycle] = (await get('lifecycle_crm')).json('Advance Stage');
	expect(lifecycle.warnings).toEqual([]);
});
