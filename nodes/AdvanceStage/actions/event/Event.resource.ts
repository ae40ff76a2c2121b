import type { INodeProperties } from 'n8n-workflow';
import * as record from './record.operation';

export { record };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['event'] } },
		options: [
			{
				name: 'Record',
				value: 'record',
				description: 'Record channel events and move customers by the journey’s event rules',
				action: 'Record an event',
			},
		],
		default: 'record',
	},
	...record.description,
];
