import type { IExecuteFunctions, INodeType, INodeTypeDescription } from 'n8n-workflow';
import {
	builtInStoreNotice,
	operationSubtitle,
	storeNodeBasics,
	themedIcon,
} from '../shared/descriptions';
import { credentialTest } from '../shared/methods/credentialTest';
import { listSearch } from '../shared/methods/listSearch';
import { loadOptions } from '../shared/methods/loadOptions';
import * as customer from './actions/customer/Customer.resource';
import * as event from './actions/event/Event.resource';
import * as journey from './actions/journey/Journey.resource';
import { router } from './actions/router';

export class AdvanceStage implements INodeType {
	description: INodeTypeDescription = {
		...storeNodeBasics,
		displayName: 'Advance Stage',
		name: 'advanceStage',
		icon: themedIcon('customerStage'),
		subtitle: operationSubtitle({
			'event:record': 'Record event',
			'customer:setStage': 'Set stage',
			'customer:get': 'Get customer',
			'customer:getHistory': 'Get history',
			'customer:import': 'Import customers',
			'customer:logContact': 'Log contact',
			'customer:update': 'Update customers',
			'customer:getMany': 'Get many customers',
			'customer:assign': 'Assign customers',
			'customer:delete': 'Delete customer',
			'customer:stageAsOf': 'Stage as of date',
			'customer:setStatus': 'Set status',
			'journey:createOrUpdate': 'Create or update journey',
			'journey:get': 'Get journey',
			'journey:list': 'Get many journeys',
			'journey:simulate': 'Simulate journey',
		}),
		description: 'Record channel events and move customers through the stages of your journeys',
		defaults: { name: 'Advance Stage' },
		usableAsTool: true,
		credentials: [
			{ name: 'customerStageStoreApi', required: false, testedBy: 'customerStageStoreTest' },
		],
		properties: [
			builtInStoreNotice,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Customer', value: 'customer' },
					{ name: 'Event', value: 'event' },
					{ name: 'Journey', value: 'journey' },
				],
				default: 'event',
			},
			...event.description,
			...customer.description,
			...journey.description,
		],
	};

	methods = {
		loadOptions,
		listSearch,
		credentialTest,
	};

	async execute(this: IExecuteFunctions) {
		return router.call(this);
	}
}
