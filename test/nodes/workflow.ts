import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { closeAllStores } from '../../nodes/store/openStore';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { countRows } from '../store/contract';
import { runWorkflow, type HarnessCredential, type RunResult } from '../harness/runWorkflow';
import { ManualTrigger } from '../harness/fixtures/ManualTrigger.node';
import { packageNodeTypes } from '../harness/packageNodes';

export const ADVANCE_STAGE = 'n8n-nodes-customer-stage.advanceStage';
export const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';

/** A store file of its own per test, reached through the credential like a user would. */
export class TestStore {
	readonly dir = mkdtempSync(join(tmpdir(), 'cs-node-'));
	readonly filePath = join(this.dir, 'store.sqlite');

	/** The credential the nodes name as 'store-1', pointing at this store's file. */
	get credentials(): HarnessCredential[] {
		return [
			{
				id: 'store-1',
				name: 'Test store',
				type: 'customerStageStoreApi',
				data: { backend: 'embedded', filePath: this.filePath },
			},
		];
	}

	/** Rows in a table, read through a connection of its own (as another process would see them). */
	async count(table: string): Promise<number> {
		const driver = new SqliteDriver(this.filePath);
		try {
			return await countRows(driver, table);
		} finally {
			await driver.close();
		}
	}

	/** Runs a test's set-up through the node; set-up that reports an error fails the test there. */
	async prepare(parameters: INodeParameters, items?: IDataObject[]): Promise<void> {
		const run = await this.run(parameters, items);
		expect(run.error).toBeUndefined();
	}

	async dispose() {
		await closeAllStores();
		rmSync(this.dir, { recursive: true, force: true });
	}

	/**
	 * Runs Manual Trigger (emitting `items`) → one of the package's nodes (Advance Stage unless
	 * `settings.type` names another) with `parameters` and node settings such as
	 * onError) in n8n-core's WorkflowExecute and returns the run.
	 */
	async run(
		parameters: INodeParameters,
		items: IDataObject[] = [{}],
		settings: Partial<INode> = {},
	): Promise<RunResult> {
		const name = settings.name ?? 'Advance Stage';
		const nodes: INode[] = [
			{
				id: '1',
				name: 'Start',
				type: MANUAL_TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: '2',
				name,
				type: ADVANCE_STAGE,
				typeVersion: 1,
				position: [200, 0],
				parameters,
				credentials: { customerStageStoreApi: { id: 'store-1', name: 'Test store' } },
				...settings,
			},
		];
		return runWorkflow(
			{
				nodes,
				connections: { Start: { main: [[{ node: name, type: 'main', index: 0 }]] } },
			},
			{
				nodeTypes: { ...packageNodeTypes(), [MANUAL_TRIGGER]: new ManualTrigger() },
				credentials: this.credentials,
				inputItems: items.map((json): INodeExecutionData => ({ json })),
			},
		);
	}
}

/** Journey → Create or Update from one of the built-in presets. */
export const presetJourney = (preset: string): INodeParameters => ({
	resource: 'journey',
	operation: 'createOrUpdate',
	source: 'preset',
	preset,
});

/** Journey → Create or Update from a JSON definition. */
export const jsonJourney = (definition: object): INodeParameters => ({
	resource: 'journey',
	operation: 'createOrUpdate',
	source: 'json',
	definition: JSON.stringify(definition),
});

export const recordEvent = (extra: IDataObject = {}): INodeParameters => ({
	resource: 'event',
	operation: 'record',
	journey: 'marketing_hub',
	customerId: '={{ $json.customerId }}',
	eventType: '={{ $json.eventType }}',
	additionalFields: { eventId: '={{ $json.eventId }}', ...extra } as INodeParameters,
});
