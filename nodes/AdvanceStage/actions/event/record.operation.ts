import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { eventJson } from '../../../shared/output';
import { readEvent } from '../../../shared/parameters';

const show = { resource: ['event'], operation: ['record'] };

export const description: INodeProperties[] = [
	fields.journeyField({ displayOptions: { show } }),
	...fields.eventFields(show),
];

export const execute = batchOperation({
	read: (read, i) => readEvent(read, i, { journey: read.value('journey', i) as string }),
	write: (store, inputs, options) => store.recordEvents(inputs, options),
	toJson: (result, names) => eventJson(result, names),
});
