import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { BatchItemError, InputError } from '../engine/errors';
import { fieldLabel } from '../engine/labels';
import { describeStoreFailure } from '../store/driver/failures';
import type { Store } from '../store/Store';
import type { ItemOutcome } from '../store/types';
import type { BatchOptions } from '../store/Store';
import { Names } from './output';
import type { ParameterReader } from './parameters';

type Raw = Record<string, unknown>;

type NodeContext = Pick<IExecuteFunctions, 'getNode'>;

/** What a node's router hands each operation: the store is opened once per execution. */
export interface OperationInput {
	context: IExecuteFunctions;
	items: INodeExecutionData[];
	store: Store;
	/** Reads parameters per item (plain field references without the expression engine). */
	read: ParameterReader;
}

export type Operation = (input: OperationInput) => Promise<INodeExecutionData[]>;

/**
 * Any error as the node error people see: bad input names its field; a failure of the database
 * says what happened and what to check (never a raw driver message or stack).
 */
export function toNodeError(
	context: NodeContext,
	error: Error,
	itemIndex?: number,
): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const failure = describeStoreFailure(error);
	if (failure) {
		return new NodeOperationError(context.getNode(), failure.message, {
			itemIndex,
			description: `${failure.hint} (${error.message})`,
		});
	}
	const field = error instanceof InputError ? error.field : undefined;
	return new NodeOperationError(context.getNode(), error.message, {
		itemIndex,
		description:
			field && itemIndex !== undefined
				? `Check the '${fieldLabel(field)}' value of item ${itemIndex}.`
				: undefined,
	});
}

/**
 * An item whose processing failed, as n8n shows it under "continue on fail". Setting `error`
 * on the item is what makes n8n route it to the error output when that is enabled; n8n then
 * shows it as `{ error: message }` (the message names the field).
 */
export function errorItem(
	context: IExecuteFunctions,
	error: Error,
	itemIndex: number,
): INodeExecutionData {
	return {
		json: { error: error.message },
		error: toNodeError(context, error, itemIndex),
		pairedItem: { item: itemIndex },
	};
}

/**
 * The shape of every batch operation: read each item's parameters (a bad expression fails only
 * that item), hand all valid items to one store call (one transaction), and turn outcomes back
 * into items paired with their inputs.
 *
 * Without "continue on fail" a bad item fails the node before anything is written: `write` is
 * asked for all-or-nothing, so a run that errors never leaves half its items applied.
 */
export async function runBatch<R>(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	read: (itemIndex: number) => Raw,
	write: (inputs: Raw[], allOrNothing: boolean) => Promise<Array<ItemOutcome<R>>>,
	toJson: (result: R, itemIndex: number) => IDataObject,
): Promise<INodeExecutionData[]> {
	const continueOnFail = context.continueOnFail();
	const inputs: Raw[] = [];
	const inputIndexes: number[] = [];
	const readErrors = new Map<number, Error>();
	for (let i = 0; i < items.length; i++) {
		try {
			inputs.push(read(i));
			inputIndexes.push(i);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(context, error as Error, i);
			readErrors.set(i, error as Error);
		}
	}
	let outcomes: Array<ItemOutcome<R>> = [];
	try {
		outcomes = inputs.length ? await write(inputs, !continueOnFail) : [];
	} catch (error) {
		if (error instanceof BatchItemError)
			throw toNodeError(context, error.cause, inputIndexes[error.index]);
		throw toNodeError(context, error as Error);
	}
	const byItem: Array<ItemOutcome<R>> = new Array(items.length);
	for (let k = 0; k < outcomes.length; k++) byItem[inputIndexes[k]] = outcomes[k];
	return items.map((_, i) => {
		const outcome = byItem[i];
		if (outcome === undefined) return errorItem(context, readErrors.get(i)!, i);
		return outcome.ok
			? { json: toJson(outcome, i), pairedItem: { item: i } }
			: errorItem(context, outcome.error, i);
	});
}

/**
 * A batch operation from its three parts: what each item sends, the store call that writes them
 * all, and the item each result becomes. Times without a zone are read in the workflow's zone;
 * journey and stage names come from the journeys as stored now.
 */
export function batchOperation<R>(parts: {
	read: (read: ParameterReader, itemIndex: number) => Raw;
	write: (store: Store, inputs: Raw[], options: BatchOptions) => Promise<Array<ItemOutcome<R>>>;
	toJson: (result: R, names: Names) => IDataObject;
}): Operation {
	return async ({ context, items, store, read }) => {
		const names = await Names.of(store);
		return runBatch(
			context,
			items,
			(i) => parts.read(read, i),
			(inputs, allOrNothing) =>
				parts.write(store, inputs, { allOrNothing, timeZone: context.getTimezone() }),
			(result) => parts.toJson(result, names),
		);
	};
}

/**
 * The shape of every per-item operation (reads, journey saves): each item gives zero or more
 * JSON results paired with it; a failure fails the node, or under "continue on fail" becomes
 * that item's error item.
 */
export async function perItem(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	work: (itemIndex: number) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			for (const json of await work(i)) output.push({ json, pairedItem: { item: i } });
		} catch (error) {
			if (!context.continueOnFail()) throw toNodeError(context, error as Error, i);
			output.push(errorItem(context, error as Error, i));
		}
	}
	return output;
}
