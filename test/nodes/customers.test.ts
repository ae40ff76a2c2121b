import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { presetJourney, TestStore } from './workflow';

/**
 * Issue 13's customer operations run in n8n-core's WorkflowExecute: Update, Get Many, Assign,
 * Delete, Stage As Of and Set Status, the scope each keeps to, and bad items reported on their
 * own (naming the field as the form labels it) with nothing of them written.
 */
let store: TestStore;
const node = 'Advance Stage';
const customer = (operation: string, extra: IDataObject = {}): INodeParameters =>
	({ resource: 'customer', operation, ...extra }) as INodeParameters;

beforeEach(async () => {
	store = new TestStore();
	await store.prepare(presetJourney('marketingHub'));
	await store.prepare(presetJourney('revopsLifecycle'));
	await store.prepare(
		customer('import', {
			customerId: '={{ $json.id }}',
			journey: 'marketing_hub',
			stage: '={{ $json.stage }}',
			customerFields: { owner: '={{ $json.owner }}', tags: '={{ $json.tags }}' },
		}),
		[
			{ id: 'acme', stage: 'intentional_leads', owner: 'li.wei', tags: 'vip' },
			{ id: 'bolt', stage: 'intentional_leads', owner: 'wang.fang', tags: '' },
			{ id: 'cora', stage: 'primary_leads', owner: '', tags: 'vip, trade-show' },
			{ id: 'dino', stage: 'initial_contact', owner: '', tags: '' },
		],
	);
});
afterEach(() => store.dispose());

const getMany = async (extra: IDataObject = {}) => {
	const run = await store.run(customer('getMany', { returnAll: true, ...extra }));
	expect(run.error).toBeUndefined();
	return run.json(node).map((c) => c.customerId);
};

test('Update: tags added by item, rating and owner set; the item shows what changed', async () => {
	const run = await store.run(
		customer('update', {
			customerId: '={{ $json.id }}',
			updateFields: { tags: '={{ $json.tags }}', rating: 2, owner: 'sun.li' },
		}),
		[
			{ id: 'acme', tags: 'hot' },
			{ id: 'cora', tags: 'hot' },
		],
	);
	expect(run.error).toBeUndefined();
	const [acme, cora] = run.json(node);
	expect(Object.keys(acme).slice(0, 4)).toEqual(['customerId', 'changed', 'name', 'journeys']);
	expect(acme).toMatchObject({ changed: ['owner', 'rating', 'tags'], tags: ['vip', 'hot'] });
	expect(cora).toMatchObject({ owner: 'sun.li', rating: 2, tags: ['vip', 'trade-show', 'hot'] });
	expect(await store.count('owner_changes')).toBe(2);
});

test('Update: bad items are error items naming the field; their neighbours are updated', async () => {
	const run = await store.run(
		customer('update', {
			customerId: '={{ $json.id }}',
			updateFields: { owner: '={{ $json.owner }}', tags: '={{ $json.tags }}' },
		}),
		[
			{ id: 'acme', owner: 'Li Wei, Wang Fang' },
			{ id: 'bolt', tags: Array.from({ length: 1000 }, (_, i) => `t${i}`) },
			{ id: 'nobody', owner: 'x' },
			{ id: 'cora', owner: 'li.wei' },
		],
		{ onError: 'continueErrorOutput' },
	);
	const errors = run.json(node, 1);
	expect(errors.map((e) => e.error)).toEqual([
		"Owner 'Li Wei, Wang Fang' is not an employee ID or e-mail address (letters, digits and . _ - + @, no spaces or commas)",
		'Tags has 1000 tags; the limit is 100',
		"Customer 'nobody' does not exist; import them or record an event for them first",
	]);
	expect(run.json(node, 0).map((c) => [c.customerId, c.owner])).toEqual([['cora', 'li.wei']]);
});

test('Get Many: filters, sort, limit and the usual Return All / Limit', async () => {
	expect(
		await getMany({
			journey: 'marketing_hub',
			filters: { stages: 'intentional_leads', owners: 'li.wei' },
		}),
	).toEqual(['acme']);
	expect(await getMany({ filters: { unassigned: true, tagsAny: 'vip' } })).toEqual(['cora']);
	const limited = await store.run(
		customer('getMany', { returnAll: false, limit: 2, options: { sortDirection: 'descending' } }),
	);
	expect(limited.json(node).map((c) => c.customerId)).toEqual(['dino', 'cora']);
	const [first] = limited.json(node);
	expect(Object.keys(first).slice(0, 3)).toEqual(['customerId', 'name', 'journeys']);
	const bad = await store.run(customer('getMany', { returnAll: true, filters: { stages: 'x' } }));
	expect(bad.error?.message).toBe('Stages needs a Journey to look in');
});

test('Assign: the unassigned pool dealt out round robin; a second run finds none left', async () => {
	const run = await store.run(
		customer('assign', { employees: 'zhao.lei, sun.li', method: 'roundRobin' }),
	);
	expect(run.error).toBeUndefined();
	expect(run.json(node)).toEqual([
		{
			customerId: 'cora',
			owner: 'zhao.lei',
			previousOwner: null,
			ownerLoad: 1,
			method: 'roundRobin',
		},
		{
			customerId: 'dino',
			owner: 'sun.li',
			previousOwner: null,
			ownerLoad: 1,
			method: 'roundRobin',
		},
	]);
	const again = await store.run(customer('assign', { employees: 'zhao.lei' }));
	expect(again.json(node)).toEqual([]);
	const bad = await store.run(customer('assign', { employees: 'zhao lei' }));
	expect(bad.error?.message).toMatch(/^Employees › \[0\] 'zhao lei' is not an employee ID/);
});

test('Delete: the customer and every row about them go; the item says what was removed', async () => {
	const run = await store.run(customer('delete', { customerId: 'acme' }));
	expect(run.json(node)).toEqual([
		{
			customerId: 'acme',
			deleted: true,
			removed: {
				memberships: 1,
				events: 0,
				transitions: 1,
				contacts: 0,
				reminder_log: 0,
				owner_changes: 0,
				activity_days: 0,
				activity_scores: 0,
				customers: 1,
			},
		},
	]);
	expect(await getMany()).toEqual(['bolt', 'cora', 'dino']);
	const report = await store.run({
		resource: 'customer',
		operation: 'getHistory',
		customerId: 'acme',
	});
	expect(report.json(node)).toEqual([]);
});

test('Stage As Of: the stage at a past date, by name, keys last', async () => {
	const run = await store.run(
		customer('stageAsOf', { customerId: 'acme', asOf: new Date(Date.now() + 1000).toISOString() }),
	);
	const [row] = run.json(node);
	expect(row).toMatchObject({ customerId: 'acme', stage: 'Intentional Leads' });
	expect(Object.keys(row).at(-1)).toBe('keys');
	expect(row.keys).toEqual({ journey: 'marketing_hub', stage: 'intentional_leads' });
	const before = await store.run(
		customer('stageAsOf', { customerId: 'acme', asOf: '2000-01-01T00:00:00Z' }),
	);
	expect(before.json(node)[0]).toMatchObject({ stage: null, enteredAt: null });
});

test('Set Status: the stage follows the status; an unmapped status names the field, writes nothing', async () => {
	const run = await store.run(
		customer('setStatus', {
			journey: 'revops_lifecycle',
			customerId: '={{ $json.id }}',
			status: '={{ $json.status }}',
		}),
		[
			{ id: 'acme', status: 'qualified' },
			{ id: 'bolt', status: 'opportunity_lost' },
		],
		{ onError: 'continueErrorOutput' },
	);
	expect(run.json(node, 0)[0]).toMatchObject({
		customerId: 'acme',
		stage: 'Opportunity',
		moved: true,
		reason: expect.stringMatching(/^lead status set to Qualified: /),
		status: 'Qualified',
		keys: expect.objectContaining({ status: 'qualified' }),
	});
	expect(run.json(node, 1)[0].error).toMatch(/^Status 'opportunity_lost' is not mapped to a stage/);
	const bolt = await store.run(customer('get', { customerId: 'bolt' }));
	expect((bolt.json(node)[0].journeys as IDataObject[]).map((j) => j.journey)).toEqual([
		'Marketing Hub Default',
	]);
});

test('Scope: an operation never reads or changes a customer outside it, and says so per item', async () => {
	const scope = { scope: 'owners', owners: 'li.wei' };
	expect(await getMany(scope)).toEqual(['acme']);
	const update = await store.run(
		customer('update', { customerId: '={{ $json.id }}', updateFields: { rating: 3 }, ...scope }),
		[{ id: 'bolt' }, { id: 'acme' }],
		{ onError: 'continueErrorOutput' },
	);
	expect(update.json(node, 1)[0].error).toBe(
		"Customer 'bolt' is outside this node's scope (owners li.wei); nothing was read or changed",
	);
	expect(update.json(node, 0).map((c) => [c.customerId, c.rating])).toEqual([['acme', 3]]);
	for (const operation of ['delete', 'stageAsOf']) {
		const run = await store.run(
			customer(operation, { customerId: 'bolt', asOf: '2030-01-01T00:00:00Z', ...scope }),
			[{}],
			{ onError: 'continueErrorOutput' },
		);
		expect(run.json(node, 1)[0].error).toMatch(/'bolt' is outside this node's scope/);
	}
	expect(await getMany()).toContain('bolt');
	const assign = await store.run(
		customer('assign', {
			employees: 'li.wei',
			customers: 'filtered',
			...scope,
			scope: 'departments',
			departments: 'Nowhere',
		}),
	);
	expect(assign.json(node)).toEqual([]);
});

test('Scope on Get, Get History, Set Stage, Log Contact and Import: refused per item, the neighbours go on', async () => {
	const scope = { scope: 'owners', owners: 'li.wei' };
	const outside = (id: string) =>
		`Customer '${id}' is outside this node's scope (owners li.wei); nothing was read or changed`;
	const each = (operation: string, extra: IDataObject, items: IDataObject[]) =>
		store.run(customer(operation, { customerId: '={{ $json.id }}', ...extra, ...scope }), items, {
			onError: 'continueErrorOutput',
		});
	const both = [{ id: 'bolt' }, { id: 'acme' }];

	const get = await each('get', {}, both);
	expect(get.json(node, 1).map((e) => e.error)).toEqual([outside('bolt')]);
	expect(get.json(node, 0).map((c) => [c.customerId, c.owner])).toEqual([['acme', 'li.wei']]);

	const history = await each('getHistory', {}, both);
	expect(history.json(node, 1).map((e) => e.error)).toEqual([outside('bolt')]);
	expect(history.json(node, 0).map((t) => [t.customerId, t.toStage])).toEqual([
		['acme', 'Intentional Leads'],
	]);

	const moved = await each('setStage', { journey: 'marketing_hub', stage: 'primary_leads' }, both);
	expect(moved.json(node, 1).map((e) => e.error)).toEqual([outside('bolt')]);
	expect(moved.json(node, 0).map((m) => [m.customerId, m.stage])).toEqual([
		['acme', 'Primary Leads'],
	]);
	const stages = await store.run(customer('get', { customerId: '={{ $json.id }}' }), both);
	expect(stages.json(node).map((c) => (c.journeys as IDataObject[]).map((j) => j.stage))).toEqual([
		['Intentional Leads'],
		['Primary Leads'],
	]);

	const contacts = await each('logContact', { employee: 'li.wei' }, both);
	expect(contacts.json(node, 1).map((e) => e.error)).toEqual([outside('bolt')]);
	expect(await store.count('contacts')).toBe(1);

	const imported = await each('import', { customerFields: { owner: '={{ $json.owner }}' } }, [
		{ id: 'nova', owner: 'wang.fang' },
		{ id: 'eve', owner: 'li.wei' },
	]);
	expect(imported.json(node, 1).map((e) => e.error)).toEqual([
		"Customer 'nova' is new and would be outside this node's scope (owners li.wei): Owner 'wang.fang' is not in it; nothing was written",
	]);
	expect(imported.json(node, 0).map((c) => [c.customerId, c.created])).toEqual([['eve', true]]);
	expect(await store.count(`customers WHERE external_id = 'nova'`)).toBe(0);
});

test('Import with a scope: items for one customer are judged one after another', async () => {
	const run = await store.run(
		customer('import', {
			customerId: '={{ $json.id }}',
			customerFields: { owner: '={{ $json.owner }}', rating: '={{ $json.rating }}' },
			scope: 'owners',
			owners: 'li.wei',
		}),
		[
			{ id: 'acme', owner: 'sun.li' },
			{ id: 'acme', rating: 3 },
			{ id: 'nova', owner: 'li.wei', rating: 1 },
			{ id: 'nova', owner: 'wang.fang' },
		],
		{ onError: 'continueErrorOutput' },
	);
	// acme left li.wei's scope with item 0; nova was inside it when item 3 handed it on.
	expect(run.json(node, 1).map((e) => e.error)).toEqual([
		"Customer 'acme' is outside this node's scope (owners li.wei); nothing was read or changed",
	]);
	expect(run.json(node, 0).map((c) => c.customerId)).toEqual(['acme', 'nova', 'nova']);
	const get = await store.run(customer('get', { customerId: '={{ $json.id }}' }), [
		{ id: 'acme' },
		{ id: 'nova' },
	]);
	expect(get.json(node).map((c) => [c.customerId, c.owner, c.rating])).toEqual([
		['acme', 'sun.li', null],
		['nova', 'wang.fang', 1],
	]);
});

test('Scope in a bad format fails the item naming the field, as the form labels it', async () => {
	const run = await store.run(
		customer('setStage', {
			journey: 'marketing_hub',
			customerId: 'acme',
			stage: 'primary_leads',
			scope: 'owners',
			owners: 'Li Wei',
		}),
	);
	expect(run.error?.message).toBe(
		"Owners › [0] 'Li Wei' is not an employee ID or e-mail address (letters, digits and . _ - + @, no spaces or commas)",
	);
	expect((run.error as { description?: string }).description).toBe(
		"Check the 'Owners' value of item 0.",
	);
	const get = await store.run(
		customer('get', { customerId: 'acme', scope: 'departments', departments: ' , ' }),
	);
	expect(get.error?.message).toBe('Departments is required for this scope');
	expect(await store.count('transitions')).toBe(4);
});
