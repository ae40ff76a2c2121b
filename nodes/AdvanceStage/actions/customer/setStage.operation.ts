import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { moveJson } from '../../../shared/output';

const show = { resource: ['customer'], operation: ['setStage'] };

export const description: INodeProperties[] = [
	fields.journeyField({ displayOptions: { show } }),
	fields.customerIdField({ displayOptions: { show } }),
	fields.stageField({ displayOptions: { show } }),
	fields.additionalFields(show, [
		fields.actorOption,
		fields.noteOption,
		fields.occurredAtOption,
		fields.timeZoneOption,
	]),
];

/** Manual moves may go anywhere, backwards included; unknown customers are created. */
export const execute = batchOperation({
	read: (read, i) => ({
		journey: read.value('journey', i),
		customerId: read.value('customerId', i),
		stage: read.value('stage', i),
		...read.collection('additionalFields', i),
	}),
	write: (store, inputs, options) => store.setStages(inputs, options),
	toJson: (result, names) => moveJson(result, names),
});
