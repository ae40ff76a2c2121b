import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { moveJson } from '../../../shared/output';
import { readManualMove } from '../../../shared/parameters';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['setStatus'] };

export const description: INodeProperties[] = [
	fields.journeyField({ displayOptions: { show } }),
	fields.customerIdField({ displayOptions: { show } }),
	{
		displayName: 'Status',
		name: 'status',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. qualified',
		description:
			'A lead status key of the journey; the customer moves to the stage that maps to it',
		displayOptions: { show },
	},
	fields.additionalFields(show, fields.manualMoveOptions),
];

/** Lead status → stage: a manual move to the stage the status maps to (reason says so). */
export const execute = batchOperation({
	read: (read, i) => ({ ...readManualMove(read, i, 'status'), scope: itemScope(read, i) }),
	write: (store, inputs, options) => store.setStatuses(inputs, options),
	toJson: (result, names) => moveJson(result, names),
});
