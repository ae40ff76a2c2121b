import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { moveJson } from '../../../shared/output';
import { readManualMove } from '../../../shared/parameters';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['setStage'] };

export const description: INodeProperties[] = [
	fields.journeyField({ displayOptions: { show } }),
	fields.customerIdField({ displayOptions: { show } }),
	fields.stageField({ displayOptions: { show } }),
	fields.additionalFields(show, fields.manualMoveOptions),
];

/**
 * Manual moves may go anywhere, backwards included; unknown customers are created, unless the
 * node has a scope (then only customers inside it move).
 */
export const execute = batchOperation({
	read: (read, i) => ({ ...readManualMove(read, i, 'stage'), scope: itemScope(read, i) }),
	write: (store, inputs, options) => store.setStages(inputs, options),
	toJson: (result, names) => moveJson(result, names),
});
