import type { INodeProperties } from 'n8n-workflow';

/** Journey picker loaded from the store; an expression may name a journey key instead. */
export function journeyField(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Journey Name or ID',
		name: 'journey',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getJourneys' },
		default: '',
		required: true,
		description:
			'The journey to work in. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		...overrides,
	};
}

/** Stage picker for the chosen journey. */
export function stageField(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Stage Name or ID',
		name: 'stage',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getStages', loadOptionsDependsOn: ['journey'] },
		default: '',
		required: true,
		description:
			'Stage of the chosen journey. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		...overrides,
	};
}

export function customerIdField(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.contactId }}',
		description:
			'Your own ID for the customer (CRM contact ID, e-mail, WeChat OpenID, …). Stored exactly as given.',
		...overrides,
	};
}
