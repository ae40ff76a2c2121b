import type { INode } from 'n8n-workflow';
import { AdvanceStage } from '../../nodes/AdvanceStage/AdvanceStage.node';
import { loadOptions } from '../harness/runWorkflow';
import { ADVANCE_STAGE, TestStore } from './workflow';

/** The dropdowns a marketer opens in the editor, loaded through n8n-core's LoadOptionsContext. */
let store: TestStore;
beforeEach(async () => {
	store = new TestStore();
	await store.run({
		resource: 'journey',
		operation: 'createOrUpdate',
		source: 'preset',
		preset: 'wecomJourneys',
	});
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

const load = (parameters: INode['parameters'], method: string) =>
	loadOptions(new AdvanceStage(), node(parameters), method, [
		{
			id: 'store-1',
			name: 'Test store',
			type: 'customerStageStoreApi',
			data: { backend: 'embedded', filePath: store.filePath },
		},
	]);

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
