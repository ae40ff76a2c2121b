import type { IExecuteFunctions, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { builtInStoreNotice, storeNodeBasics, themedIcon } from '../shared/descriptions';
import { credentialTest } from '../shared/methods/credentialTest';
import { listSearch } from '../shared/methods/listSearch';
import { loadOptions } from '../shared/methods/loadOptions';
import { runOperation } from '../shared/router';
import { properties } from './description';
import { PERIOD_LABELS } from './output';
import { execute } from './report.operation';

export class FunnelReport implements INodeType {
	description: INodeTypeDescription = {
		...storeNodeBasics,
		displayName: 'Funnel Report',
		name: 'funnelReport',
		icon: themedIcon('funnelReport'),
		// "Last week", not `lastWeek`.
		subtitle: `={{ ${JSON.stringify(PERIOD_LABELS)}[$parameter["period"]] }}`,
		description:
			'Stage metrics, conversion, time in stage and a funnel chart for a journey, per period and employee',
		defaults: { name: 'Funnel Report' },
		usableAsTool: true,
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
		return runOperation(this, execute);
	}
}
