import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeOperationError, type IConnections, type INode } from 'n8n-workflow';
import { DOUBLE, MANUAL_TRIGGER, PROBE, PROBE_CREDENTIAL_TYPE, fixtureNodeTypes } from './fixtures';
import { runWorkflow, workflowFromFile, type WorkflowJson } from './runWorkflow';

let position = 0;
const node = (name: string, type: string, extra: Partial<INode> = {}): INode => ({
	id: `${name}-id`,
	name,
	type,
	typeVersion: 1,
	position: [(position += 200), 0],
	parameters: {},
	...extra,
});

/** connections for a chain a → b → c (main output 0 each). */
const chain = (...names: string[]): IConnections =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((from, i) => [from, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

/** Start (manual trigger) → Double (field `value`, node settings from `settings`) → After (probe). */
const doubleWorkflow = (settings: Partial<INode> = {}): WorkflowJson => ({
	nodes: [
		node('Start', MANUAL_TRIGGER),
		node('Double', DOUBLE, { parameters: { field: 'value' }, ...settings }),
		node('After', PROBE),
	],
	connections: chain('Start', 'Double', 'After'),
});

const options = { nodeTypes: fixtureNodeTypes };

describe('runWorkflow', () => {
	it('runs the manual trigger, which emits one empty item', async () => {
		const result = await runWorkflow(
			{
				nodes: [node('Start', MANUAL_TRIGGER), node('After', PROBE)],
				connections: chain('Start', 'After'),
			},
			options,
		);

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.output('Start')).toEqual([{ json: {}, pairedItem: { item: 0 } }]);
		expect(result.output('After')).toHaveLength(1);
	});

	it('feeds inputItems through a real node and returns its items with pairedItem', async () => {
		const result = await runWorkflow(doubleWorkflow(), {
			...options,
			inputItems: [{ json: { value: 2, id: 'a' } }, { json: { value: 21, id: 'b' } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.json('Double')).toEqual([
			{ value: 4, id: 'a' },
			{ value: 42, id: 'b' },
		]);
		expect(result.output('Double').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
		]);
		// the next node received both items
		expect(result.json('After').map((json) => json.value)).toEqual([4, 42]);
	});

	it("fills in parameter defaults (exports omit them) and leaves the caller's workflow untouched", async () => {
		const workflow = doubleWorkflow();
		workflow.nodes[1].parameters = {}; // `field` defaults to 'value'
		const before = structuredClone(workflow);

		const first = await runWorkflow(workflow, { ...options, inputItems: [{ json: { value: 4 } }] });
		const second = await runWorkflow(workflow, {
			...options,
			inputItems: [{ json: { value: 5 } }],
		});

		expect(first.json('Double')).toEqual([{ value: 8 }]);
		expect(second.json('Double')).toEqual([{ value: 10 }]);
		expect(workflow).toEqual(before);
	});

	it('resolves expressions in node parameters', async () => {
		const workflow = doubleWorkflow();
		workflow.nodes[1].parameters = { field: '={{ $json.which }}' };

		const result = await runWorkflow(workflow, {
			...options,
			inputItems: [{ json: { which: 'n', n: 7 } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.json('Double')).toEqual([{ which: 'n', n: 14 }]);
	});

	it('returns a node error in `error` (not thrown) and stops the workflow', async () => {
		const result = await runWorkflow(doubleWorkflow(), {
			...options,
			inputItems: [{ json: { value: 1 } }, { json: { value: 'x' } }],
		});

		expect(result.run.status).toBe('error');
		// n8n-core stores a plain-object copy of the error: no instanceof, but name/node/context survive
		const error = result.error as NodeOperationError;
		expect(error).not.toBeInstanceOf(NodeOperationError);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('Field "value" of item 1 is not a number');
		expect(error.node?.name).toBe('Double');
		expect(error.context.itemIndex).toBe(1);
		expect(result.run.data.resultData.lastNodeExecuted).toBe('Double');
		expect(() => result.output('After')).toThrow('Node "After" did not run');
	});

	it("onError 'continueRegularOutput': failed items go on with json.error on output 0", async () => {
		const result = await runWorkflow(doubleWorkflow({ onError: 'continueRegularOutput' }), {
			...options,
			inputItems: [{ json: { value: 1 } }, { json: { value: 'x' } }, { json: { value: 3 } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.output('Double')).toEqual([
			{ json: { value: 2 }, pairedItem: { item: 0 } },
			{ json: { error: 'Field "value" of item 1 is not a number' }, pairedItem: { item: 1 } },
			{ json: { value: 6 }, pairedItem: { item: 2 } },
		]);
		expect(result.output('After')).toHaveLength(3);
	});

	it("onError 'continueErrorOutput': failed items go to output 1, merged with their input item", async () => {
		const workflow: WorkflowJson = {
			nodes: [
				node('Start', MANUAL_TRIGGER),
				node('Double', DOUBLE, { parameters: { field: 'value' }, onError: 'continueErrorOutput' }),
				node('Succeeded', PROBE),
				node('Failed', PROBE),
			],
			connections: {
				...chain('Start', 'Double'),
				Double: {
					main: [
						[{ node: 'Succeeded', type: 'main', index: 0 }],
						[{ node: 'Failed', type: 'main', index: 0 }],
					],
				},
			},
		};

		const result = await runWorkflow(workflow, {
			...options,
			inputItems: [
				{ json: { value: 1 } },
				{ json: { value: 'x', id: 'bad' } },
				{ json: { value: 3 } },
			],
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Double', 0)).toEqual([
			{ json: { value: 2 }, pairedItem: { item: 0 } },
			{ json: { value: 6 }, pairedItem: { item: 2 } },
		]);
		// n8n-core moves the error item to the last output and adds the failed input item's fields
		expect(result.output('Double', 1)).toEqual([
			{
				json: { value: 'x', id: 'bad', error: 'Field "value" of item 1 is not a number' },
				pairedItem: { item: 1 },
			},
		]);
		expect(result.json('Succeeded').map((json) => json.value)).toEqual([2, 6]);
		expect(result.json('Failed').map((json) => json.id)).toEqual(['bad']);
	});

	it('gives a node the credential its node references, by type and id', async () => {
		const workflow: WorkflowJson = {
			nodes: [
				node('Start', MANUAL_TRIGGER),
				node('With', PROBE, {
					credentials: { [PROBE_CREDENTIAL_TYPE]: { id: 'c2', name: 'Second' } },
				}),
				node('Without', PROBE),
			],
			connections: chain('Start', 'With', 'Without'),
		};

		const result = await runWorkflow(workflow, {
			...options,
			credentials: [
				{ id: 'c1', name: 'First', type: PROBE_CREDENTIAL_TYPE, data: { token: 'one' } },
				{
					id: 'c2',
					name: 'Second',
					type: PROBE_CREDENTIAL_TYPE,
					data: { token: 'two', nested: { a: 1 } },
				},
			],
		});

		expect(result.error).toBeUndefined();
		expect(result.json('With')[0].credential).toEqual({ token: 'two', nested: { a: 1 } });
		// optional credential not set on the node: the node does not ask for it
		expect(result.json('Without')[0].credential).toBeNull();
	});

	it('fails the run when a referenced credential is not in options.credentials', async () => {
		const workflow: WorkflowJson = {
			nodes: [
				node('Start', MANUAL_TRIGGER),
				node('With', PROBE, {
					credentials: { [PROBE_CREDENTIAL_TYPE]: { id: 'c9', name: 'Gone' } },
				}),
			],
			connections: chain('Start', 'With'),
		};

		const result = await runWorkflow(workflow, options);

		expect(result.error?.message).toContain(`No credential of type "${PROBE_CREDENTIAL_TYPE}"`);
	});

	it('makes this.helpers.getStoragePath() work, under a temp N8N_USER_FOLDER', async () => {
		const result = await runWorkflow(doubleWorkflow(), {
			...options,
			inputItems: [{ json: { value: 1 } }],
		});

		const userFolder = process.env.N8N_USER_FOLDER as string;
		expect(userFolder.startsWith(tmpdir())).toBe(true);
		expect(result.json('After')[0].storagePath).toBe(join(userFolder, '.n8n', 'storage', PROBE));
	});

	it('starts from options.startNode when a workflow has several triggers', async () => {
		const workflow: WorkflowJson = {
			nodes: [
				node('Start A', MANUAL_TRIGGER),
				node('Double A', DOUBLE),
				node('Start B', MANUAL_TRIGGER),
				node('Double B', DOUBLE),
			],
			connections: { ...chain('Start A', 'Double A'), ...chain('Start B', 'Double B') },
		};

		const result = await runWorkflow(workflow, {
			...options,
			startNode: 'Start B',
			inputItems: [{ json: { value: 5 } }],
		});

		expect(result.json('Double B')).toEqual([{ value: 10 }]);
		expect(result.run.data.resultData.runData['Double A']).toBeUndefined();
	});

	it('rejects a workflow using a node type it was not given', async () => {
		await expect(
			runWorkflow(doubleWorkflow(), {
				nodeTypes: { [MANUAL_TRIGGER]: fixtureNodeTypes[MANUAL_TRIGGER] },
			}),
		).rejects.toThrow(`no node class for type(s) ${DOUBLE}, ${PROBE}`);
	});
});

describe('workflowFromFile', () => {
	const dir = mkdtempSync(join(tmpdir(), 'harness-wf-'));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	// The shape n8n's editor downloads: extra fields, a sticky note, pinData.
	const exported = {
		id: 'wf1',
		name: 'Exported',
		active: false,
		nodes: [
			node('Start', MANUAL_TRIGGER),
			node('Double', DOUBLE, { parameters: { field: 'value' } }),
			node('Note', 'n8n-nodes-base.stickyNote', { parameters: { content: 'UI only' } }),
		],
		connections: chain('Start', 'Double'),
		settings: { executionOrder: 'v1' },
		pinData: { Start: [{ json: { value: 50 } }] },
		meta: {},
		tags: [],
	};

	it('reads an exported workflow and runs it, honouring its pinData and skipping sticky notes', async () => {
		const file = join(dir, 'exported.json');
		writeFileSync(file, JSON.stringify(exported));

		const result = await runWorkflow(workflowFromFile(file), options);

		expect(result.error).toBeUndefined();
		expect(result.json('Double')).toEqual([{ value: 100 }]);
	});

	it('accepts the array written by `n8n export:workflow`, and rejects non-workflows', () => {
		const list = join(dir, 'list.json');
		writeFileSync(list, JSON.stringify([exported]));
		expect(workflowFromFile(list).nodes).toHaveLength(3);

		const junk = join(dir, 'junk.json');
		writeFileSync(junk, JSON.stringify({ hello: 'world' }));
		expect(() => workflowFromFile(junk)).toThrow('is not an n8n workflow');
	});
});
