import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/descriptions';
import * as record from './record.operation';

export { record };

export const description: INodeProperties[] = [
	operationField(
		'event',
		[
			{
				name: 'Record',
				value: 'record',
				description: 'Record channel events and move customers by the journey’s event rules',
				action: 'Record an event',
			},
		],
		'record',
	),
	...record.description,
];
