import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { credentialTest } from '../shared/methods/credentialTest';
import { loadOptions } from '../shared/methods/loadOptions';
import { properties } from './description';
import { execute } from './execute';

export class StageReminder implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stage Reminder',
		name: 'stageReminder',
		icon: { light: 'file:customerStage.svg', dark: 'file:customerStage.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["mode"] === "preview" ? "Preview due reminders" : "Send due reminders" }}',
		description:
			'Find customers who have stayed too long in a stage or gone without contact, and tell their owner once',
		defaults: { name: 'Stage Reminder' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'customerStageStoreApi', required: false, testedBy: 'customerStageStoreTest' },
		],
		properties,
	};

	methods = { loadOptions, credentialTest };

	async execute(this: IExecuteFunctions) {
		return execute(this);
	}
}
