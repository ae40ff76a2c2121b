import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	ITriggerResponse,
} from 'n8n-workflow';
import { openStore } from '../../nodes/store/openStore';
import { storeConfigFrom } from '../../nodes/shared/storeConfig';
import { dropSchemas, PG_URL, pgAvailable, uniqueSchema } from '../store/pgTarget';
import type { Store } from '../../nodes/store/Store';
import { loadOptions, startTrigger } from '../harness/runWorkflow';
import { packageNodeTypes } from '../harness/packageNodes';
import { TestStore } from './workflow';

/**
 * Stage Trigger activated as n8n activates it (n8n-core's TriggerContext, a real store file
 * reached through the credential): what it delivers, in which order, from where, in which
 * batches, and again after a crash. `emit` stands in for n8n starting executions: each emission
 * is recorded and its done promise settled as the test says (success, failure, or never: a
 * crash before the execution finished).
 */
const TYPE = 'n8n-nodes-customer-stage.stageTrigger';

type IDeferredPromise<T> = {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: Error) => void;
};

const JOURNEY = {
	key: 'sales',
	name: 'Sales',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'confirmed', name: 'Confirmed Lead' },
		{ key: 'customer', name: 'Customer' },
		{ key: 'churned', name: 'Churned', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'visit', stage: 'lead' },
		{ eventType: 'call', stage: 'confirmed' },
		{ eventType: 'buy', stage: 'customer' },
		{ eventType: 'quit', stage: 'churned' },
	],
};

type Settle = 'success' | 'error' | 'never';

interface Emission {
	items: IDataObject[];
	done?: IDeferredPromise<IRun>;
}

class Activation {
	readonly emissions: Emission[] = [];
	response: ITriggerResponse = {};

	constructor(
		private readonly settle: (emission: Emission, index: number) => Settle = () => 'success',
	) {}

	emit = (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => {
		const emission = { items: data[0].map((item) => item.json), done };
		this.emissions.push(emission);
		const how = this.settle(emission, this.emissions.length - 1);
		if (!done || how === 'never') return;
		setTimeout(() => done.resolve({ status: how } as unknown as IRun), 5);
	};

	get items(): IDataObject[] {
		return this.emissions.flatMap((emission) => emission.items);
	}

	async close() {
		await this.response.closeFunction?.();
	}
}

async function waitFor(condition: () => boolean, ms = 5000) {
	const until = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > until) throw new Error('timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Stage Trigger node', () => {
	let testStore: TestStore;
	let store: Store;
	let eventCount = 0;
	let credential: IDataObject;
	const open: Activation[] = [];

	const node = (parameters: INodeParameters, id = 'trigger-1'): INode => ({
		id,
		name: 'Stage Trigger',
		type: TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { options: { pollSeconds: 0.2 }, ...parameters },
		credentials: { customerStageStoreApi: { id: 'store-1', name: 'Test store' } },
	});

	async function activate(
		parameters: INodeParameters,
		settle?: (emission: Emission, index: number) => Settle,
		options: { id?: string; mode?: 'trigger' | 'manual' } = {},
	): Promise<Activation> {
		const activation = new Activation(settle);
		open.push(activation);
		activation.response = await startTrigger(node(parameters, options.id), {
			nodeTypes: packageNodeTypes(),
			mode: options.mode ?? 'trigger',
			credentials: [
				{
					id: 'store-1',
					name: 'Test store',
					type: 'customerStageStoreApi',
					data: credential,
				},
			],
			emit: activation.emit as never,
		});
		return activation;
	}

	/** Records events (customer, type) and returns how many moved. */
	async function move(...events: Array<[string, string]>): Promise<number> {
		const outcomes = await store.recordEvents(
			events.map(([customerId, eventType]) => ({
				journey: 'sales',
				customerId,
				eventType,
				eventId: `e${++eventCount}`,
			})),
		);
		return outcomes.filter((o) => o.ok && o.moved).length;
	}

	beforeEach(async () => {
		testStore = new TestStore();
		credential = { backend: 'embedded', filePath: testStore.filePath };
		store = await openStore({ backend: 'embedded', filePath: testStore.filePath });
		await store.saveJourney(JOURNEY);
		await store.importCustomers([
			{
				customerId: 'ann',
				name: 'Ann',
				email: 'ann@example.com',
				owner: 'li.wei',
				tags: ['vip'],
				rating: 2,
			},
		]);
	});

	afterEach(async () => {
		for (const activation of open.splice(0)) await activation.close();
		await testStore.dispose();
	});

	it('starts from now: one execution per later move, in order, each with its transition id', async () => {
		expect(await move(['old', 'visit'])).toBe(1);
		const trigger = await activate({});
		await pause(300);
		expect(trigger.emissions).toHaveLength(0);

		expect(await move(['ann', 'visit'], ['ann', 'call'], ['bob', 'visit'])).toBe(3);
		await waitFor(() => trigger.emissions.length === 3);
		expect(trigger.emissions.map((e) => e.items.length)).toEqual([1, 1, 1]);
		expect(trigger.items.map((i) => [i.customerId, i.fromStage, i.toStage, i.direction])).toEqual([
			['ann', null, 'Lead', 'initial'],
			['ann', 'Lead', 'Confirmed Lead', 'advance'],
			['bob', null, 'Lead', 'initial'],
		]);
		const ids = trigger.items.map((i) => i.transitionId as number);
		expect([...ids].sort((a, b) => a - b)).toEqual(ids);
		expect(new Set(ids).size).toBe(3);

		const item = trigger.items[1];
		expect(Object.keys(item)[0]).toBe('customerId');
		expect(Object.keys(item).at(-1)).toBe('keys');
		expect(item).toMatchObject({
			name: 'Ann',
			journey: 'Sales',
			reasonKind: 'event',
			eventType: 'call',
			customer: {
				id: 'ann',
				name: 'Ann',
				email: 'ann@example.com',
				owner: 'li.wei',
				tags: ['vip'],
				rating: 2,
			},
			keys: { journey: 'sales', toStage: 'confirmed', fromStage: 'lead' },
		});
		expect(typeof item.occurredAt).toBe('string');
		expect(typeof item.recordedAt).toBe('string');
	});

	it('delivers only the moves its filters match, and passes the others over for good', async () => {
		const trigger = await activate({
			toStages: ['confirmed', 'churned'],
			directions: ['advance', 'exit'],
		});
		await move(
			['ann', 'visit'],
			['ann', 'call'],
			['bob', 'visit'],
			['bob', 'quit'],
			['cy', 'call'],
		);
		await waitFor(() => trigger.emissions.length === 2);
		await pause(300);
		// cy entered Confirmed Lead directly (initial, not advance): filtered out.
		expect(trigger.items.map((i) => `${i.customerId}:${i.toStage}`)).toEqual([
			'ann:Confirmed Lead',
			'bob:Churned',
		]);
		await trigger.close();
		// Started again, it goes on after the last move, not from the skipped ones.
		const again = await activate({
			toStages: ['confirmed', 'churned'],
			directions: ['advance', 'exit'],
		});
		await pause(400);
		expect(again.emissions).toHaveLength(0);
	});

	it('takes its lists from expressions too: an array, or comma-separated text', async () => {
		const trigger = await activate({
			journeys: "={{ ['sales'] }}",
			toStages: '={{ "confirmed, churned" }}',
		});
		await move(['ann', 'visit'], ['ann', 'call'], ['bob', 'visit'], ['bob', 'quit']);
		await waitFor(() => trigger.emissions.length === 2);
		await pause(300);
		expect(trigger.items.map((i) => `${i.customerId}:${i.toStage}`)).toEqual([
			'ann:Confirmed Lead',
			'bob:Churned',
		]);
	});

	it('filters by scope and reason', async () => {
		await store.importCustomers([{ customerId: 'bob', owner: 'wang.fang' }]);
		const trigger = await activate({
			startFrom: 'beginning',
			scope: 'owners',
			owners: 'li.wei',
			reasonKinds: ['manual'],
		});
		await move(['ann', 'visit'], ['bob', 'visit']);
		await store.setStages([
			{ journey: 'sales', customerId: 'ann', stage: 'customer' },
			{ journey: 'sales', customerId: 'bob', stage: 'customer' },
		]);
		await waitFor(() => trigger.emissions.length === 1);
		await pause(300);
		expect(trigger.items.map((i) => `${i.customerId}:${i.toStage}:${i.reasonKind}`)).toEqual([
			'ann:Customer:manual',
		]);
	});

	it('starts from the beginning or a date, and delivers in batches of up to N', async () => {
		await move(['a1', 'visit'], ['a2', 'visit'], ['a3', 'visit']);
		await pause(5);
		const cut = new Date().toISOString();
		await pause(5);
		await move(['b1', 'visit'], ['b2', 'visit'], ['b3', 'visit'], ['b4', 'visit']);

		const all = await activate(
			{ startFrom: 'beginning', delivery: 'batch', batchSize: 3 },
			undefined,
			{ id: 'all' },
		);
		await waitFor(() => all.items.length === 7);
		expect(all.emissions.map((e) => e.items.length)).toEqual([3, 3, 1]);
		expect(all.items.map((i) => i.customerId)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'b4']);

		const since = await activate(
			{ startFrom: 'date', startDate: cut, delivery: 'batch', batchSize: 10 },
			undefined,
			{
				id: 'since',
			},
		);
		await waitFor(() => since.items.length === 4);
		expect(since.emissions.map((e) => e.items.map((i) => i.customerId))).toEqual([
			['b1', 'b2', 'b3', 'b4'],
		]);
	});

	it('delivers again after a crash what had not finished, and nothing that had', async () => {
		// The second execution never finishes: n8n went down while it ran.
		const first = await activate({ startFrom: 'beginning' }, (_e, index) =>
			index === 1 ? 'never' : 'success',
		);
		await move(['ann', 'visit'], ['ann', 'call'], ['ann', 'buy']);
		await waitFor(() => first.emissions.length === 2);
		await pause(300);
		expect(first.emissions).toHaveLength(2); // waits for the second to finish
		await first.close();

		const second = await activate({ startFrom: 'beginning' });
		await waitFor(() => second.emissions.length === 2);
		expect(second.items.map((i) => i.toStage)).toEqual(['Confirmed Lead', 'Customer']);
		expect(second.items[0].transitionId).toBe(first.items[1].transitionId);
		await second.close();

		const third = await activate({ startFrom: 'beginning' });
		await pause(400);
		expect(third.emissions).toHaveLength(0);
	});

	it('with "execution succeeds", delivers a failed move again, a bounded number of times', async () => {
		const failTwice = await activate(
			{ options: { advanceWhen: 'succeeded', retries: 3, pollSeconds: 0.2 } },
			(_e, index) => (index < 2 ? 'error' : 'success'),
		);
		await move(['ann', 'visit'], ['ann', 'call']);
		await waitFor(() => failTwice.emissions.length === 4, 10_000);
		expect(failTwice.items.map((i) => i.toStage)).toEqual([
			'Lead',
			'Lead',
			'Lead',
			'Confirmed Lead',
		]);
		await failTwice.close();

		const alwaysFails = await activate(
			{ options: { advanceWhen: 'succeeded', retries: 1, pollSeconds: 0.2 } },
			() => 'error',
			{ id: 'fails' },
		);
		await move(['ann', 'buy']);
		await waitFor(() => alwaysFails.emissions.length === 2, 10_000);
		await pause(1500);
		// Given up after 1 retry (logged), and not delivered again once it has moved on.
		expect(alwaysFails.emissions).toHaveLength(2);

		// With the default ("execution finishes"), a failed execution is not delivered again.
		const finishes = await activate({}, () => 'error', { id: 'finishes' });
		await move(['ann', 'quit']);
		await waitFor(() => finishes.emissions.length === 1);
		await pause(400);
		expect(finishes.emissions).toHaveLength(1);
	}, 20_000);

	it('with "at once", moves on without waiting for the execution', async () => {
		const trigger = await activate(
			{ options: { advanceWhen: 'started', pollSeconds: 0.2 } },
			() => 'never',
		);
		await move(['ann', 'visit'], ['ann', 'call']);
		await waitFor(() => trigger.emissions.length === 2);
		expect(trigger.emissions.every((e) => e.done === undefined)).toBe(true);
	});

	it('test step: the newest matching move, or else the next one to come', async () => {
		await move(['ann', 'visit'], ['ann', 'call'], ['bob', 'visit']);
		const latest = await activate({ toStages: ['confirmed'] }, undefined, { mode: 'manual' });
		await latest.response.manualTriggerFunction!();
		expect(latest.items.map((i) => `${i.customerId}:${i.toStage}`)).toEqual(['ann:Confirmed Lead']);

		const waiting = await activate({ toStages: ['customer'] }, undefined, { mode: 'manual' });
		const done = waiting.response.manualTriggerFunction!();
		await pause(700);
		expect(waiting.emissions).toHaveLength(0);
		await move(['bob', 'buy']);
		await done;
		expect(waiting.items.map((i) => `${i.customerId}:${i.toStage}`)).toEqual(['bob:Customer']);
	});

	(pgAvailable ? it : it.skip)(
		'on PostgreSQL, is woken by the commit: each move starts its execution within 2 s',
		async () => {
			const schema = uniqueSchema('cs_trigger_node');
			credential = { backend: 'postgres', connectionString: PG_URL, schema };
			store = await openStore(storeConfigFrom(credential));
			await store.saveJourney(JOURNEY);
			try {
				// Polling every 60 s: only the NOTIFY makes it this fast.
				const trigger = await activate({ options: { pollSeconds: 60 } });
				const latencies: number[] = [];
				for (let i = 0; i < 10; i++) {
					const committed = Date.now();
					expect(await move([`pg-${i}`, 'visit'])).toBe(1);
					await waitFor(() => trigger.emissions.length === i + 1, 3000);
					latencies.push(Date.now() - committed);
				}
				latencies.sort((a, b) => a - b);
				expect(latencies[latencies.length - 1]).toBeLessThan(2000);
				expect(trigger.items.map((item) => item.customerId)).toEqual(
					Array.from({ length: 10 }, (_, i) => `pg-${i}`),
				);
			} finally {
				for (const activation of open.splice(0)) await activation.close();
				await dropSchemas(schema);
			}
		},
		30_000,
	);

	it('lists journeys and their stages to pick, and keeps keys the store does not have yet', async () => {
		const picked = node({ journeys: ['sales', 'later'], toStages: ['confirmed', 'ghost'] });
		const credentials = [
			{ id: 'store-1', type: 'customerStageStoreApi', data: credential as Record<string, unknown> },
		];
		const nodeType = packageNodeTypes()[TYPE];
		const journeys = await loadOptions(nodeType, picked, 'getFeedJourneys', credentials);
		expect(journeys.map((o) => [o.name, o.value])).toEqual([
			['Sales', 'sales'],
			['later', 'later'],
		]);
		const stages = await loadOptions(nodeType, picked, 'getFeedStages', credentials);
		expect(stages.map((o) => o.value)).toEqual([
			'lead',
			'confirmed',
			'customer',
			'churned',
			'ghost',
		]);
		expect(stages[1]).toMatchObject({ name: 'Confirmed Lead', description: 'Sales' });
	});

	it('refuses an empty owner list with the field named', async () => {
		await expect(activate({ scope: 'owners', owners: ' , ' })).rejects.toThrow(
			'Owners is required for this scope',
		);
		// Owners are read as every scoped node reads them: employee IDs or e-mail addresses.
		await expect(activate({ scope: 'owners', owners: 'Li Wei' })).rejects.toThrow(
			"Owners › [0] 'Li Wei' is not an employee ID or e-mail address",
		);
	});
});
