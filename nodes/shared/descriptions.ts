import {
	NodeConnectionTypes,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeTypeDescription,
} from 'n8n-workflow';

/**
 * What every node of the package has in common: one input and one output, version 1. (Each node
 * states `usableAsTool` and its credential itself: the community-node lint reads them there.)
 */
/** A node's icon in its light and dark variants: `<file>.svg` and `<file>.dark.svg`. */
export function themedIcon(file: string): INodeTypeDescription['icon'] {
	return { light: `file:${file}.svg`, dark: `file:${file}.dark.svg` };
}

export const storeNodeBasics = {
	group: ['transform'],
	version: 1,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
} satisfies Partial<INodeTypeDescription>;

/**
 * A journey or stage picker: a resource locator, as n8n's own nodes pick records — From List
 * (loaded from the store, searchable) or By Key (typed or an expression). A key given before
 * the journey exists (a sample workflow opened before its first run) is shown as it is, not as
 * an error.
 */
function keyLocatorField(
	field: Pick<INodeProperties, 'displayName' | 'name' | 'description' | 'typeOptions'>,
	searchListMethod: string,
	exampleKey: string,
	overrides: Partial<INodeProperties>,
): INodeProperties {
	return {
		...field,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{ displayName: 'By Key', name: 'id', type: 'string', placeholder: `e.g. ${exampleKey}` },
		],
		...overrides,
	};
}

export function journeyField(overrides: Partial<INodeProperties> = {}): INodeProperties {
	const field = { displayName: 'Journey', name: 'journey', description: 'The journey to work in' };
	return keyLocatorField(field, 'searchJourneys', 'marketing_hub', overrides);
}

/** Stage picker for the chosen journey. */
export function stageField(overrides: Partial<INodeProperties> = {}): INodeProperties {
	const field = {
		displayName: 'Stage',
		name: 'stage',
		description: 'A stage of the chosen journey',
		typeOptions: { loadOptionsDependsOn: ['journey.value'] },
	};
	return keyLocatorField(field, 'searchStages', 'intentional_leads', overrides);
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

/**
 * Options that mean the same in every operation and node, defined once so they sit under the
 * same name with the same wording wherever they appear.
 */
export const actorOption: INodeProperties = {
	displayName: 'Actor',
	name: 'actor',
	type: 'string',
	default: '',
	placeholder: 'e.g. alice@example.com',
	description: 'Who made the change; shown in the customer’s history',
};

export const noteOption: INodeProperties = {
	displayName: 'Note',
	name: 'note',
	type: 'string',
	typeOptions: { rows: 2 },
	default: '',
	description: 'Why the customer was moved',
};

export const occurredAtOption: INodeProperties = {
	displayName: 'Occurred At',
	name: 'occurredAt',
	type: 'dateTime',
	default: '',
	description: 'When it happened; empty means now. History and time in stage use this time.',
};

export const stageEnteredAtOption: INodeProperties = {
	displayName: 'Stage Entered At',
	name: 'stageEnteredAt',
	type: 'dateTime',
	default: '',
	description:
		'When the customer entered the stage, for customers brought over from another system with their dates; empty means now. Used when the import places or moves the customer; history, time in stage, reminders and automation rules go by it.',
};

export const timeZoneOption: INodeProperties = {
	displayName: 'Time Zone',
	name: 'timeZone',
	type: 'string',
	default: '',
	placeholder: 'e.g. Europe/Berlin',
	description:
		"How to read times sent without a zone (e.g. 2026-11-22 10:00). Empty: the workflow's time zone. Times with a zone or epoch milliseconds are read as they are.",
};

/** n8n's usual Limit field (1 or more; its description is the one n8n's lint asks for). */
export function limitField(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		...overrides,
	};
}

/** The options of a move made by hand (Set Stage, Set Status), in the same order. */
export const manualMoveOptions: INodeProperties[] = [
	actorOption,
	noteOption,
	occurredAtOption,
	timeZoneOption,
];

/** The "Additional Fields" collection of an operation, holding the given options. */
export function additionalFields(
	show: Record<string, string[]>,
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options,
	};
}

/** The Operation picker of one resource. */
export function operationField(
	resource: string,
	options: INodePropertyOptions[],
	defaultOperation: string,
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}

/**
 * A canvas subtitle that reads like "Record event" rather than `record: event`: the text for
 * the chosen resource and operation, looked up in n8n's expression language.
 */
export function operationSubtitle(texts: Record<string, string>): string {
	return `={{ ${JSON.stringify(texts)}[$parameter["resource"] + ":" + $parameter["operation"]] }}`;
}

/** Shown first in every node: the credential is optional, and what happens without it. */
export const builtInStoreNotice: INodeProperties = {
	displayName:
		'No credential needed to start: without one, the built-in store in the n8n folder is used. Add a Customer Stage Store credential for PostgreSQL (queue mode) or another file.',
	name: 'storeNotice',
	type: 'notice',
	default: '',
};

/** An options field, its choices as [name, value, description?] in the order shown. */
export function choice(
	field: Pick<INodeProperties, 'displayName' | 'name' | 'default'> & { description?: string },
	choices: Array<[string, string, string?]>,
): INodeProperties {
	return {
		...field,
		type: 'options',
		options: choices.map(([name, value, description]) =>
			description ? { name, value, description } : { name, value },
		),
	};
}

/**
 * Whose customers a node looks at: all, those of some departments, or of some owners (as
 * recorded on the customers), with the same three fields in every node that is scoped.
 */
export function scopeFields(description: string): INodeProperties[] {
	const list = (displayName: string, placeholder: string, what: string): INodeProperties => ({
		displayName,
		name: displayName.toLowerCase(),
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description: `${what}, separated by commas`,
		displayOptions: { show: { scope: [displayName.toLowerCase()] } },
	});
	return [
		choice({ displayName: 'Scope', name: 'scope', default: 'all', description }, [
			['All Customers', 'all'],
			['Departments', 'departments'],
			['Owners', 'owners'],
		]),
		list('Departments', 'e.g. North, Export', 'Department names as recorded on the customers'),
		list('Owners', 'e.g. li.wei, wang.fang', 'Owner IDs as recorded on the customers'),
	];
}

/**
 * A customer's own fields as the options of a collection (Import's Customer Fields, Update's
 * Update Fields), in one place so both forms say the same. How tags and properties combine with
 * the stored ones differs per operation, so their descriptions are given.
 */
export function customerDetailOptions(how: {
	properties: string;
	tags: string;
	lastContactAt?: boolean;
}): INodeProperties[] {
	const text = (displayName: string, name: string, extra: Partial<INodeProperties> = {}) =>
		({ displayName, name, type: 'string', default: '', ...extra }) as INodeProperties;
	return [
		text('Department', 'department'),
		text('Email', 'email', { placeholder: 'name@email.com' }),
		...(how.lastContactAt
			? [
					{
						displayName: 'Last Contact At',
						name: 'lastContactAt',
						type: 'dateTime',
						default: '',
						description: 'When an employee last talked to the customer (reminders use it)',
					} as INodeProperties,
				]
			: []),
		text('Name', 'name'),
		text('Owner', 'owner', {
			description:
				'The employee responsible (ID or e-mail); empty keeps the customer in the unassigned pool',
		}),
		text('Phone', 'phone'),
		{
			displayName: 'Properties (JSON)',
			name: 'properties',
			type: 'json',
			default: '{}',
			description: how.properties,
		},
		ratingOption,
		text('Tags', 'tags', { placeholder: 'e.g. vip, trade-show-2026', description: how.tags }),
	];
}

/** 0 to 3 stars, as the WeCom assistant rates intent. */
export const ratingOption: INodeProperties = {
	displayName: 'Rating',
	name: 'rating',
	type: 'options',
	options: [
		{ name: 'No Stars', value: 0 },
		{ name: '1 Star (Low Intent)', value: 1 },
		{ name: '2 Stars (Medium Intent)', value: 2 },
		{ name: '3 Stars (High Intent)', value: 3 },
	],
	default: 0,
};

/**
 * Which customers an operation works on (Get Many, Assign): a journey, then filters that each
 * narrow the set. The names match the store's filter fields.
 */
export function customerFilterFields(show: Record<string, string[]>): INodeProperties[] {
	const days = (displayName: string, name: string, description: string): INodeProperties => ({
		displayName,
		name,
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description,
	});
	return [
		journeyField({
			required: false,
			description: 'Only customers in this journey (needed for the stage filters)',
			displayOptions: { show },
		}),
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Created After',
					name: 'createdAfter',
					type: 'dateTime',
					default: '',
				},
				{
					displayName: 'Created Before',
					name: 'createdBefore',
					type: 'dateTime',
					default: '',
				},
				days(
					'Days in Stage At Least',
					'minDaysInStage',
					'In their current stage at least this long',
				),
				days('Days in Stage At Most', 'maxDaysInStage', 'In their current stage at most this long'),
				{
					displayName: 'Department',
					name: 'department',
					type: 'string',
					default: '',
				},
				{
					displayName: 'Has All of Tags',
					name: 'tagsAll',
					type: 'string',
					default: '',
					placeholder: 'e.g. vip, trade-show-2026',
					description: 'Comma-separated; customers with every one of these tags',
				},
				{
					displayName: 'Has Any of Tags',
					name: 'tagsAny',
					type: 'string',
					default: '',
					placeholder: 'e.g. vip, trade-show-2026',
					description: 'Comma-separated; customers with at least one of these tags',
				},
				days(
					'No Contact for Days',
					'noContactForDays',
					'Last contact this many days ago or more (or never)',
				),
				{
					displayName: 'Owners',
					name: 'owners',
					type: 'string',
					default: '',
					placeholder: 'e.g. li.wei, wang.fang',
					description: 'Owner IDs, separated by commas',
				},
				{ ...ratingOption, displayName: 'Rating At Least', name: 'minRating' },
				{
					displayName: 'Stages',
					name: 'stages',
					type: 'string',
					default: '',
					placeholder: 'e.g. intentional_leads, confirmed_leads',
					description: 'Stage keys of the journey, separated by commas',
				},
				{
					displayName: 'Unassigned Only',
					name: 'unassigned',
					type: 'boolean',
					default: false,
					description: 'Whether to keep only customers without an owner (the shared pool)',
				},
			],
		},
	];
}

/**
 * An event's fields as Record Event takes them (Journey → Simulate takes the same): the
 * customer, the event type (listed from the chosen journey) and the optional details.
 */
export function eventFields(show: Record<string, string[]>): INodeProperties[] {
	return [
		customerIdField({ displayOptions: { show } }),
		{
			displayName: 'Event Type Name or ID',
			name: 'eventType',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getEventTypes', loadOptionsDependsOn: ['journey.value'] },
			default: '',
			required: true,
			description:
				'What the customer did. The list shows the event types the journey reacts to; any other type is recorded but moves nothing. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: { show },
		},
		additionalFields(show, [
			{
				displayName: 'Channel',
				name: 'channel',
				type: 'string',
				default: '',
				placeholder: 'e.g. wechat, email, sms, web',
				description: 'Where the event came from; kept with the event for reports',
			},
			{
				displayName: 'Event ID',
				name: 'eventId',
				type: 'string',
				default: '',
				placeholder: 'e.g. evt_8f2c41',
				description:
					"The source's own ID for this event. A repeated ID (a webhook retry) is reported as a duplicate and changes nothing.",
			},
			occurredAtOption,
			timeZoneOption,
			{
				displayName: 'Properties (JSON)',
				name: 'properties',
				type: 'json',
				default: '{}',
				description:
					'Details of the event (amount, product, campaign, …). Event rules may test them.',
			},
		]),
	];
}
