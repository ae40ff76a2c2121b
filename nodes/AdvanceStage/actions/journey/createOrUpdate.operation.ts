import type { INodeProperties } from 'n8n-workflow';
import { toProperties } from '../../../engine/inputs';
import { journeyFromFields } from '../../../engine/journeyFields';
import { PRESET_OPTIONS, presetJourneys } from '../../../engine/presets';
import { journeyFieldsDescription, readJourneyFields } from './fields';
import { perItem, type Operation } from '../../../shared/execution';
import { journeyJson } from '../../../shared/output';

const show = { resource: ['journey'], operation: ['createOrUpdate'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Preset',
				value: 'preset',
				description: 'A ready-made journey (or set of journeys) to start from',
			},
			{
				name: 'JSON Definition',
				value: 'json',
				description: 'Your own journey: stages, event rules, reminders',
			},
			{
				name: 'Fields',
				value: 'fields',
				description: 'Your own journey built here: stages, default stage, event rules',
			},
		],
		default: 'preset',
		displayOptions: { show },
	},
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		options: PRESET_OPTIONS,
		default: 'marketingHub',
		displayOptions: { show: { ...show, source: ['preset'] } },
	},
	{
		displayName: 'Journey Definition (JSON)',
		name: 'definition',
		type: 'json',
		default:
			'{\n  "key": "my_journey",\n  "name": "My Journey",\n  "stages": [\n    { "key": "new", "name": "New" },\n    { "key": "engaged", "name": "Engaged" },\n    { "key": "customer", "name": "Customer" },\n    { "key": "unsubscribed", "name": "Unsubscribed", "kind": "exit" }\n  ],\n  "eventRules": [\n    { "eventType": "email.opened", "stage": "engaged" },\n    { "eventType": "purchase.completed", "stage": "customer" },\n    { "eventType": "email.unsubscribed", "stage": "unsubscribed" }\n  ]\n}',
		description:
			'Stages (at most 12, kind "path" or "exit"), event rules, automation and reminder rules. See the README for every field.',
		displayOptions: { show: { ...show, source: ['json'] } },
	},
	...journeyFieldsDescription({ show: { ...show, source: ['fields'] } }),
	{
		displayName: 'If It Exists',
		name: 'ifExists',
		type: 'options',
		options: [
			{
				name: 'Update It',
				value: 'update',
				description: 'Save the new definition as a new version',
			},
			{
				name: 'Fail',
				value: 'fail',
				description: 'Stop with an error; the stored journey stays as it is',
			},
		],
		default: 'update',
		displayOptions: { show },
	},
];

/** Saves the preset's or the JSON's journeys; one output item per journey saved. */
export const execute: Operation = async ({ context, items, store, read }) => {
	return perItem(context, items, async (i) => {
		const source = context.getNodeParameter('source', i) as string;
		const definitions =
			source === 'preset'
				? presetJourneys(context.getNodeParameter('preset', i) as string)
				: source === 'fields'
					? [journeyFromFields(readJourneyFields(context, i))]
					: [toProperties(context.getNodeParameter('definition', i), 'definition')];
		const mode = context.getNodeParameter('ifExists', i, 'update') === 'fail' ? 'create' : 'upsert';
		const saved = [];
		for (const definition of definitions) {
			const { journey, action } = await store.saveJourney(definition, mode);
			saved.push(journeyJson(journey, { action }));
		}
		return saved;
	});
};
