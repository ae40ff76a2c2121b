import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { builtInStoreNotice } from '../shared/descriptions';
import { toNodeError } from '../shared/execution';
import { credentialTest } from '../shared/methods/credentialTest';
import { listSearch } from '../shared/methods/listSearch';
import { loadOptions } from '../shared/methods/loadOptions';
import { parameterReader } from '../shared/parameters';
import { getStore } from '../shared/store';
import { properties } from './description';
import { PERIOD_LABELS } from './output';
import { execute } from './report.operation';

export class FunnelReport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Funnel Report',
		name: 'funnelReport',
		icon: 'file:funnelReport.svg',
		group: ['transform'],
		version: 1,
		// "Last week", not `lastWeek`.
		subtitle: `={{ ${JSON.stringify(PERIOD_LABELS)}[$parameter["period"]] }}`,
		description:
			'Stage metrics, conversion, time in stage and a funnel chart for a journey, per period and employee',
		defaults: { name: 'Funnel Report' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'customerStageStoreApi', required: false, testedBy: 'customerStageStoreTest' },
		],
		properties: [builtInStoreNotice, ...properties],
	};

	methods = {
		loadOptions,
		listSearch,
		credentialTest,
	};

	async execute(this: IExecuteFunctions) {
		const store = await getStore(this);
		try {
			return [
				await execute({
					context: this,
					items: this.getInputData(),
					store,
					read: parameterReader(this),
				}),
			];
		} catch (error) {
			throw toNodeError(this, error as Error);
		}
	}
}
