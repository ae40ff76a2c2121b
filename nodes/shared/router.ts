import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { toNodeError, type Operation } from './execution';
import { parameterReader } from './parameters';
import { getStore } from './store';

/** A node's operations by resource and operation value, as its description lists them. */
export type OperationTable = Record<string, Record<string, { execute: Operation }>>;

/**
 * The router every node with operations uses: find the operation, open the store once, hand it
 * all items (batch operations write them in one transaction), and turn any failure into a node
 * error that says what to check.
 */
export async function routeToOperation(
	context: IExecuteFunctions,
	operations: OperationTable,
): Promise<INodeExecutionData[][]> {
	const resource = context.getNodeParameter('resource', 0) as string;
	const operation = context.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(
			context.getNode(),
			`The operation '${operation}' of '${resource}' is not supported`,
		);
	}
	return runOperation(context, handler.execute);
}

/**
 * Runs one operation as every node does: the store opened once for the execution, all items
 * handed over together, any failure turned into a node error that says what to check.
 */
export async function runOperation(
	context: IExecuteFunctions,
	operation: Operation,
): Promise<INodeExecutionData[][]> {
	const store = await getStore(context);
	try {
		const items = context.getInputData();
		return [await operation({ context, items, store, read: parameterReader(context) })];
	} catch (error) {
		throw toNodeError(context, error as Error);
	}
}
