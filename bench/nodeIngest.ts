import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { AdvanceStage } from '../nodes/AdvanceStage/AdvanceStage.node';
import type { JourneyDefinition } from '../nodes/engine/journey';
import { closeAllStores, openStore, type StoreConfig } from '../nodes/store/openStore';
import { ManualTrigger } from '../test/harness/fixtures/ManualTrigger.node';
import { runWorkflow } from '../test/harness/runWorkflow';
import { processCpuMs, threadCpuMs } from './cpu';

/**
 * The start node's items, made before the clock starts and handed over (not copied again by
 * the harness): a trigger's output is its own, so n8n passes it on as it is.
 */
function triggerItems(events: Array<Record<string, unknown>>): INodeExecutionData[] {
	return events.map((json) => ({ json: structuredClone(json) as IDataObject }));
}

/** Passes its items through, paired: what n8n-core costs for 10,000 items with no work at all. */
class PassThrough implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pass Through',
		name: 'passThrough',
		group: ['transform'],
		version: 1,
		description: 'Returns its input',
		defaults: { name: 'Pass Through' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
	}
}

/** The same workflow shape with a node that does nothing: n8n-core's and the harness's share. */
export async function runPassThrough(events: Array<Record<string, unknown>>): Promise<number> {
	const nodes: INode[] = [
		{
			id: '1',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '2',
			name: 'Pass',
			type: 'bench.passThrough',
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
		},
	];
	const items = triggerItems(events);
	const start = process.hrtime.bigint();
	const result = await runWorkflow(
		{ nodes, connections: { Start: { main: [[{ node: 'Pass', type: 'main', index: 0 }]] } } },
		{
			nodeTypes: {
				'n8n-nodes-base.manualTrigger': new ManualTrigger(),
				'bench.passThrough': new PassThrough(),
			},
			inputItems: items,
			handOverItems: true,
		},
	);
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.output('Pass').length !== events.length) throw new Error('pass-through lost items');
	return ms;
}

/** One timed run: wall clock, main-thread CPU and process CPU (bench/cpu.ts), in ms. */
export interface NodeRun {
	ms: number;
	threadMs: number;
	processMs: number;
}

/**
 * The whole path a user's workflow takes: n8n-core's WorkflowExecute runs Manual Trigger (the
 * events as its items) → Advance Stage (Record Event, fields read by expressions per item).
 * Returns the run's wall-clock and CPU milliseconds.
 */
export async function runNodeIngest(
	config: StoreConfig,
	events: Array<Record<string, unknown>>,
	journey: JourneyDefinition,
): Promise<NodeRun> {
	const store = await openStore(config);
	await store.saveJourney(journey);
	const nodes: INode[] = [
		{
			id: '1',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '2',
			name: 'Record',
			type: 'n8n-nodes-customer-stage.advanceStage',
			typeVersion: 1,
			position: [200, 0],
			parameters: {
				resource: 'event',
				operation: 'record',
				journey: journey.key,
				customerId: '={{ $json.customerId }}',
				eventType: '={{ $json.eventType }}',
				additionalFields: {
					eventId: '={{ $json.eventId }}',
					occurredAt: '={{ $json.occurredAt }}',
					channel: '={{ $json.channel }}',
					properties: '={{ $json.properties }}',
				},
			},
			credentials: { customerStageStoreApi: { id: 'bench', name: 'bench' } },
		},
	];
	const items = triggerItems(events);
	const start = process.hrtime.bigint();
	const threadStart = threadCpuMs();
	const processStart = processCpuMs();
	const result = await runWorkflow(
		{ nodes, connections: { Start: { main: [[{ node: 'Record', type: 'main', index: 0 }]] } } },
		{
			nodeTypes: {
				'n8n-nodes-base.manualTrigger': new ManualTrigger(),
				'n8n-nodes-customer-stage.advanceStage': new AdvanceStage(),
			},
			credentials: [
				{
					id: 'bench',
					name: 'bench',
					type: 'customerStageStoreApi',
					data: { ...config },
				},
			],
			inputItems: items,
			handOverItems: true,
		},
	);
	const run: NodeRun = {
		ms: Number(process.hrtime.bigint() - start) / 1e6,
		threadMs: threadCpuMs() - threadStart,
		processMs: processCpuMs() - processStart,
	};
	if (result.error) throw result.error;
	const out = result.output('Record');
	if (out.length !== events.length)
		throw new Error(`expected ${events.length} items, got ${out.length}`);
	await closeAllStores();
	return run;
}
