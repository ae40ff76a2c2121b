import type { INode } from 'n8n-workflow';
import { AdvanceStage } from '../../nodes/AdvanceStage/AdvanceStage.node';
import { loadOptions } from '../harness/runWorkflow';
import { ADVANCE_STAGE, presetJourney, TestStore } from './workflow';

/** The dropdowns a marketer opens in the editor, loaded through n8n-core's LoadOptionsContext. */
let store: TestStore;
beforeEach(async () => {
	store = new TestStore();
	await store.prepare(presetJourney('wecomJourneys'));
});
afterEach(() => store.dispose());

function node(parameters: INode['parameters']): INode {
	return {
		id: 'n',
		name: 'Advance Stage',
		type: ADVANCE_STAGE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { customerStageStoreApi: { id: 'store-1', name: 'Test store' } },
	};
}

/** Loads one dropdown's options, as the editor would for a node with these parameters. */
const load = (
	parameters: INode['parameters'],
	method: string,
	filter?: string,
	from: TestStore = store,
) => loadOptions(new AdvanceStage(), node(parameters), method, from.credentials, filter);

test('journeys are listed in display order with a summary', async () => {
	const journeys = await load({ resource: 'event', operation: 'record' }, 'getJourneys');
	expect(journeys.map((j) => [j.name, j.value])).toEqual([
		['Retail Repeat Purchase', 'wecom_retail'],
		['Consultative Sale', 'wecom_consultative'],
	]);
	expect(journeys[0].description).toMatch(/^6 stages, version 1 — /);
});

test('stages of the chosen journey, exits marked', async () => {
	const stages = await load(
		{ resource: 'customer', operation: 'setStage', journey: 'wecom_retail' },
		'getStages',
	);
	expect(stages.map((s) => s.name)).toEqual([
		'New Friend',
		'Engaged',
		'First Purchase',
		'Repeat Buyer',
		'Loyal Fan',
		'Lost (exit)',
	]);
	expect(stages.map((s) => s.value)).toContain('first_purchase');
});

test('event types of the chosen journey say where they move customers', async () => {
	const types = await load(
		{ resource: 'event', operation: 'record', journey: 'wecom_retail' },
		'getEventTypes',
	);
	expect(types.find((t) => t.value === 'purchase.completed')?.description).toBe(
		'Moves to First Purchase',
	);
	expect(types.map((t) => t.value)).toEqual([
		'wecom.friend_added',
		'wecom.message_received',
		'coupon.used',
		'purchase.completed',
		'wecom.friend_deleted',
	]);
});

test('no journey chosen yet: empty lists, not an error', async () => {
	expect(await load({ resource: 'customer', operation: 'setStage' }, 'getStages')).toEqual([]);
	expect(
		await load({ resource: 'event', operation: 'record', journey: 'gone' }, 'getEventTypes'),
	).toEqual([]);
});

describe('journey and stage pickers (resource locators, From List mode)', () => {
	const rl = (value: string) => ({ __rl: true, mode: 'list', value });

	test('journeys are searchable by name or key', async () => {
		const all = await load({ resource: 'event', operation: 'record' }, 'searchJourneys');
		expect(all.map((j) => j.value)).toEqual(['wecom_retail', 'wecom_consultative']);
		const found = await load(
			{ resource: 'event', operation: 'record' },
			'searchJourneys',
			'consult',
		);
		expect(found.map((j) => j.name)).toEqual(['Consultative Sale']);
	});

	test('stages follow the chosen journey, whether picked from the list or typed as a key', async () => {
		for (const journey of [rl('wecom_retail'), { __rl: true, mode: 'id', value: 'wecom_retail' }]) {
			const stages = await load(
				{ resource: 'customer', operation: 'setStage', journey },
				'searchStages',
			);
			expect(stages[0]).toEqual({ name: 'New Friend', value: 'new_friend' });
		}
	});

	test('empty lists say what to do', async () => {
		expect(
			await load({ resource: 'customer', operation: 'setStage', journey: rl('') }, 'searchStages'),
		).toEqual([{ name: 'Choose a journey first', value: '' }]);
		const fresh = new TestStore();
		try {
			const journeys = await load(
				{ resource: 'event', operation: 'record' },
				'searchJourneys',
				undefined,
				fresh,
			);
			expect(journeys).toEqual([
				{
					name: 'No journeys yet — run Advance Stage → Journey → Create or Update first',
					value: '',
				},
			]);
		} finally {
			await fresh.dispose();
		}
	});

	test('a node run with journey and stage as resource-locator values moves the customer', async () => {
		const run = await store.run({
			resource: 'customer',
			operation: 'setStage',
			journey: { __rl: true, mode: 'id', value: 'wecom_retail' },
			customerId: 'c-rl',
			stage: { __rl: true, mode: 'list', value: 'engaged' },
		});
		expect(run.error).toBeUndefined();
		expect(run.json('Advance Stage')[0]).toMatchObject({
			moved: true,
			keys: { journey: 'wecom_retail', stage: 'engaged' },
		});
	});
});
