import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/descriptions';
import * as createOrUpdate from './createOrUpdate.operation';
import * as get from './get.operation';
import * as list from './list.operation';
import * as simulate from './simulate.operation';

export { createOrUpdate, get, list, simulate };

export const description: INodeProperties[] = [
	operationField(
		'journey',
		[
			{
				name: 'Create or Update',
				value: 'createOrUpdate',
				description:
					'Create a journey from a preset or a JSON definition, or update it (new version)',
				action: 'Create or update a journey',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a journey’s stages and rules',
				action: 'Get a journey',
			},
			{
				name: 'Get Many',
				value: 'list',
				description: 'List every journey in the store',
				action: 'Get many journeys',
			},
			{
				name: 'Simulate',
				value: 'simulate',
				description:
					'Run the input items as events through a stored or draft journey and see what would happen, without writing',
				action: 'Simulate a journey',
			},
		],
		'createOrUpdate',
	),
	...createOrUpdate.description,
	...get.description,
	...list.description,
	...simulate.description,
];
