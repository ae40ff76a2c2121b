import type { IExecuteFunctions, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { storeNodeBasics, themedIcon } from '../shared/descriptions';
import { credentialTest } from '../shared/methods/credentialTest';
import { listSearch } from '../shared/methods/listSearch';
import { loadOptions } from '../shared/methods/loadOptions';
import { runOperation } from '../shared/router';
import { properties } from './description';
import { execute } from './execute';

export class EvaluateActivity implements INodeType {
	description: INodeTypeDescription = {
		...storeNodeBasics,
		displayName: 'Evaluate 30-Day Activity',
		name: 'evaluateActivity',
		icon: themedIcon('customerStage'),
		subtitle:
			'={{ $parameter["mode"] === "input" ? "Customers in the input items" : "All customers of the journey" }}',
		description:
			'Score each customer’s recent activity, set their activity level, and apply the journey’s rules that depend on time passing (e.g. no activity for 90 days → Churned)',
		defaults: { name: 'Evaluate 30-Day Activity' },
		usableAsTool: true,
		credentials: [
			{ name: 'customerStageStoreApi', required: false, testedBy: 'customerStageStoreTest' },
		],
		properties,
	};

	methods = { loadOptions, listSearch, credentialTest };

	async execute(this: IExecuteFunctions) {
		return runOperation(this, execute);
	}
}
