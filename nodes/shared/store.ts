import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	ITriggerFunctions,
} from 'n8n-workflow';
import { openStore } from '../store/openStore';
import type { Store } from '../store/Store';
import { toNodeError } from './execution';
import { storeConfigFrom, type StoreCredential } from './storeConfig';

export const CREDENTIAL_TYPE = 'customerStageStoreApi';

/** Every kind of node context that can open the store: operations, dropdowns, triggers, polls. */
export type StoreContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| ITriggerFunctions
	| IPollFunctions;

/**
 * The one way in to the store for every node. The credential is optional: without one, the
 * embedded store in its default place is used. Opening is cached per configuration for the life
 * of the process (openStore), so calling this once per execution costs nothing after the first.
 */
export async function getStore(context: StoreContext): Promise<Store> {
	try {
		const credential = context.getNode().credentials?.[CREDENTIAL_TYPE]
			? ((await context.getCredentials(CREDENTIAL_TYPE)) as StoreCredential)
			: undefined;
		return await openStore(storeConfigFrom(credential));
	} catch (error) {
		throw toNodeError(context, error as Error);
	}
}
