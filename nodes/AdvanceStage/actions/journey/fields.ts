import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { choice } from '../../../shared/descriptions';

const FIELD_NAMES = [
	'journeyKey',
	'journeyName',
	'stages',
	'defaultStage',
	'allowReentry',
	'eventRules',
];

/** The parameters of a journey built from fields, as journeyFromFields reads them. */
export function readJourneyFields(context: IExecuteFunctions, itemIndex: number): IDataObject {
	return Object.fromEntries(
		FIELD_NAMES.map((name) => [name, context.getNodeParameter(name, itemIndex, '')]),
	) as IDataObject;
}

const text = (
	displayName: string,
	name: string,
	extra: Partial<INodeProperties> = {},
): INodeProperties => ({ displayName, name, type: 'string', default: '', ...extra });

/** Journey → Create or Update from fields: a journey without writing JSON. */
export function journeyFieldsDescription(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties[] {
	const fields: INodeProperties[] = [
		text('Journey Key', 'journeyKey', {
			required: true,
			placeholder: 'e.g. trade_leads',
			description: 'Stays the same when the journey is renamed; letters, digits, _ . -',
		}),
		text('Journey Name', 'journeyName', { required: true, placeholder: 'e.g. Trade Leads' }),
		{
			displayName: 'Stages',
			name: 'stages',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true },
			placeholder: 'Add Stage',
			default: {},
			description: 'In path order; at most 12. Renaming a stage keeps its key and its history.',
			options: [
				{
					displayName: 'Stage',
					name: 'stage',
					values: [
						text('Key', 'key', { required: true, placeholder: 'e.g. quoted' }),
						text('Name', 'name', { required: true, placeholder: 'e.g. Quoted' }),
						text('Description', 'description'),
						choice({ displayName: 'Kind', name: 'kind', default: 'path' }, [
							['Path', 'path', 'A step along the main road'],
							['Exit', 'exit', 'Off the road (lost, unsubscribed, churned)'],
						]),
						text('Status', 'status', {
							placeholder: 'e.g. qualified',
							description: 'Lead status this stage sets (and Set Status moves to)',
						}),
					],
				},
			],
		},
		text('Default Stage', 'defaultStage', {
			placeholder: 'e.g. new',
			description: 'Key of the stage new customers start in; empty: the first stage',
		}),
		{
			displayName: 'Allow Re-Entry',
			name: 'allowReentry',
			type: 'boolean',
			default: false,
			description: 'Whether an event may bring a customer back from an exit stage',
		},
		{
			displayName: 'Event Rules',
			name: 'eventRules',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Rule',
			default: {},
			options: [
				{
					displayName: 'Rule',
					name: 'rule',
					values: [
						text('Event Type', 'eventType', {
							required: true,
							placeholder: 'e.g. quote.sent',
						}),
						text('Stage', 'stage', {
							required: true,
							placeholder: 'e.g. quoted',
							description: 'Key of the stage the event moves the customer to',
						}),
					],
				},
			],
		},
	];
	return fields.map((field) => ({ ...field, displayOptions }));
}
