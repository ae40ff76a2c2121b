import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { requireId } from '../engine/inputs';
import { parseTime } from '../engine/time';
import { errorItem, toNodeError, type Operation } from '../shared/execution';
import { scopeOf } from '../shared/scope';
import { evaluationJson } from './output';

/**
 * One evaluation per execution: of every customer of the journey whose result can have changed
 * (a Schedule Trigger sends one item), or of the customers the input items name. Each output
 * item is paired with the input items that named its customer (item 0 for a whole journey).
 */
export const execute: Operation = async ({ context, items, store, read }) => {
	const journey = requireId(read.value('journey', 0), 'journey');
	const extra = read.collection('additionalFields', 0) as { asOf?: string };
	const asOf = extra.asOf
		? parseTime(extra.asOf, 'As Of', { timeZone: context.getTimezone() })
		: undefined;
	const byInput = context.getNodeParameter('mode', 0) === 'input';
	const output: INodeExecutionData[] = [];
	const namedBy = new Map<string, number[]>();
	if (byInput) {
		for (let i = 0; i < items.length; i++) {
			try {
				const customerId = requireId(read.value('customerId', i), 'customerId');
				namedBy.set(customerId, [...(namedBy.get(customerId) ?? []), i]);
			} catch (error) {
				if (!context.continueOnFail()) throw toNodeError(context, error as Error, i);
				output.push(errorItem(context, error as Error, i));
			}
		}
		if (namedBy.size === 0) return output;
	}
	const run = await store.evaluateActivity({
		journey,
		customerIds: byInput ? [...namedBy.keys()] : undefined,
		asOf,
		scope: scopeOf(context.getNode(), (name) => context.getNodeParameter(name, 0)),
		includeUnchanged: context.getNodeParameter('output', 0) === 'all',
	});
	if (!run) {
		throw new NodeOperationError(context.getNode(), `Journey '${journey}' was not found`, {
			description: 'Pick a journey from the list, or create it first (Advance Stage → Journey).',
		});
	}
	for (const result of run.results) {
		const paired = namedBy.get(result.customerId) ?? [0];
		output.push({
			json: evaluationJson(run, result),
			pairedItem: paired.map((item) => ({ item })),
		});
	}
	return output;
};
