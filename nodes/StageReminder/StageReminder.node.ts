import type { IExecuteFunctions, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { storeNodeBasics, themedIcon } from '../shared/descriptions';
import { credentialTest } from '../shared/methods/credentialTest';
import { loadOptions } from '../shared/methods/loadOptions';
import { runOperation } from '../shared/router';
import { properties } from './description';
import { execute } from './execute';

export class StageReminder implements INodeType {
	description: INodeTypeDescription = {
		...storeNodeBasics,
		displayName: 'Stage Reminder',
		name: 'stageReminder',
		icon: themedIcon('customerStage'),
		subtitle:
			'={{ $parameter["mode"] === "preview" ? "Preview due reminders" : "Send due reminders" }}',
		description:
			'Find customers who have stayed too long in a stage or gone without contact, and tell their owner once',
		defaults: { name: 'Stage Reminder' },
		usableAsTool: true,
		credentials: [
			{ name: 'customerStageStoreApi', required: false, testedBy: 'customerStageStoreTest' },
		],
		properties,
	};

	methods = { loadOptions, credentialTest };

	async execute(this: IExecuteFunctions) {
		return runOperation(this, execute);
	}
}
