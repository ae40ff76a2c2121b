import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { recordEvent, TestStore } from './workflow';

/** Journey → Create or Update from fields (fixed collections), run in WorkflowExecute. */
let store: TestStore;
const node = 'Advance Stage';
beforeEach(() => {
	store = new TestStore();
});
afterEach(() => store.dispose());

const stage = (key: string, name: string, extra: IDataObject = {}) => ({ key, name, ...extra });
const fromFields = (stages: IDataObject[], extra: IDataObject = {}): INodeParameters =>
	({
		resource: 'journey',
		operation: 'createOrUpdate',
		source: 'fields',
		journeyKey: 'trade',
		journeyName: 'Trade Leads',
		stages: { stage: stages },
		defaultStage: 'new',
		eventRules: { rule: [{ eventType: 'quote.sent', stage: 'quoted' }] },
		...extra,
	}) as INodeParameters;

const STAGES = [
	stage('new', 'New', { status: 'open' }),
	stage('quoted', 'Quoted', { status: 'qualified' }),
	stage('lost', 'Lost', { kind: 'exit' }),
];

test('a journey built from fields is saved as its JSON twin would be; renaming keeps key and history', async () => {
	const run = await store.run(fromFields(STAGES));
	expect(run.error).toBeUndefined();
	expect(run.json(node)[0]).toMatchObject({
		name: 'Trade Leads',
		action: 'created',
		key: 'trade',
		stages: [
			{ key: 'new', name: 'New', kind: 'path' },
			{ key: 'quoted', name: 'Quoted', kind: 'path' },
			{ key: 'lost', name: 'Lost', kind: 'exit' },
		],
	});
	expect((run.json(node)[0].definition as IDataObject).statuses).toEqual([
		{ key: 'open', name: 'open' },
		{ key: 'qualified', name: 'qualified' },
	]);
	const moved = await store.run({ ...recordEvent(), journey: 'trade', additionalFields: {} }, [
		{ customerId: 'acme', eventType: 'quote.sent' },
	]);
	expect(moved.json(node)[0]).toMatchObject({ stage: 'Quoted', status: 'qualified' });
	const renamed = await store.run(
		fromFields([STAGES[0], stage('quoted', 'Quote Sent', { status: 'qualified' }), STAGES[2]]),
	);
	expect(renamed.json(node)[0]).toMatchObject({ action: 'updated', version: 2 });
	const history = await store.run({
		resource: 'customer',
		operation: 'getHistory',
		customerId: 'acme',
	});
	expect(history.json(node).map((row) => [row.toStage, (row.keys as IDataObject).toStage])).toEqual(
		[['Quote Sent', 'quoted']],
	);
});

test('a duplicate stage key is refused naming the field; nothing is saved', async () => {
	const run = await store.run(fromFields([...STAGES, stage('new', 'Again')]));
	expect(run.error?.message).toBe("Stage key 'new' is used twice (stages[3])");
	expect((run.error as { description?: string })?.description).toBe(
		"Check the 'Stages › [3].key' value of item 0.",
	);
	const list = await store.run({ resource: 'journey', operation: 'list' });
	expect(list.json(node)).toEqual([]);
});
