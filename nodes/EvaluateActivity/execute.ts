import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { InputError } from '../engine/errors';
import { requireId } from '../engine/inputs';
import { parseTime } from '../engine/time';
import { errorItem, toNodeError, type Operation } from '../shared/execution';
import { scopeOf } from '../shared/scope';
import { NotEvaluated, type NotEvaluatedCustomer } from '../store/activity';
import { evaluationJson, notEvaluatedMessage } from './output';

/**
 * One evaluation per execution: of every customer of the journey whose result can have changed
 * (a Schedule Trigger sends one item), or of the customers the input items name. Each output
 * item is paired with the input items that named its customer (item 0 for a whole journey).
 *
 * A named customer that cannot be evaluated (unknown, not in the journey, outside the scope) is
 * an error of every item naming it: under "continue on fail" those items come out as errors and
 * the others are evaluated; otherwise the node fails on the first such item and nothing is
 * written.
 */
export const execute: Operation = async ({ context, items, store, read }) => {
	const journey = requireId(read.value('journey', 0), 'journey');
	const extra = read.collection('additionalFields', 0) as { asOf?: string };
	const asOf = extra.asOf
		? parseTime(extra.asOf, 'As Of', { timeZone: context.getTimezone() })
		: undefined;
	const byInput = context.getNodeParameter('mode', 0) === 'input';
	const continueOnFail = context.continueOnFail();
	const output: INodeExecutionData[] = [];
	const namedBy = new Map<string, number[]>();
	if (byInput) {
		for (let i = 0; i < items.length; i++) {
			try {
				const customerId = requireId(read.value('customerId', i), 'customerId');
				namedBy.set(customerId, [...(namedBy.get(customerId) ?? []), i]);
			} catch (error) {
				if (!continueOnFail) throw toNodeError(context, error as Error, i);
				output.push(errorItem(context, error as Error, i));
			}
		}
		if (namedBy.size === 0) return output;
	}
	const scope = scopeOf(context.getNode(), (name, fallback) =>
		context.getNodeParameter(name, 0, fallback),
	);
	const itemError = (journeyName: string, missing: NotEvaluatedCustomer) =>
		new InputError(notEvaluatedMessage(journeyName, missing, scope), 'customerId');
	let run;
	try {
		run = await store.evaluateActivity({
			journey,
			customerIds: byInput ? [...namedBy.keys()] : undefined,
			asOf,
			scope,
			includeUnchanged: context.getNodeParameter('output', 0) === 'all',
			allOrNothing: !continueOnFail,
		});
	} catch (error) {
		if (error instanceof NotEvaluated) {
			const first = error.customers[0];
			const item = namedBy.get(first.customerId)![0];
			throw toNodeError(context, itemError(error.journeyName, first), item);
		}
		throw toNodeError(context, error as Error);
	}
	if (!run) {
		throw new NodeOperationError(context.getNode(), `Journey '${journey}' was not found`, {
			description: 'Pick a journey from the list, or create it first (Advance Stage → Journey).',
		});
	}
	for (const missing of run.notEvaluated) {
		for (const item of namedBy.get(missing.customerId) ?? []) {
			output.push(errorItem(context, itemError(run.journeyName, missing), item));
		}
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
