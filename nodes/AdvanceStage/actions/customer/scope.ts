import type { INodeProperties } from 'n8n-workflow';
import { scopeFields } from '../../../shared/descriptions';

/** Every customer operation keeps to a scope (issue 13): the same three fields for each. */
export const SCOPED_OPERATIONS = [
	'setStage',
	'get',
	'getHistory',
	'import',
	'logContact',
	'update',
	'getMany',
	'assign',
	'delete',
	'stageAsOf',
	'setStatus',
];

const show = { resource: ['customer'], operation: SCOPED_OPERATIONS };

export const scopeDescription: INodeProperties[] = scopeFields(
	'Whose customers this may read or change; a customer outside it is refused for that item',
).map((field) => ({
	...field,
	displayOptions: { show: { ...show, ...(field.displayOptions?.show ?? {}) } },
}));
