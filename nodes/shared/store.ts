import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { openStore } from '../store/openStore';
import type { SqlStore } from '../store/SqlStore';
import { storeConfigFrom, type StoreCredential } from './storeConfig';

export const CREDENTIAL_TYPE = 'customerStageStoreApi';

/** The credential is optional: without one, the embedded store in its default place is used. */
export async function getStore(
	context: IExecuteFunctions | ILoadOptionsFunctions,
): Promise<SqlStore> {
	const credential = context.getNode().credentials?.[CREDENTIAL_TYPE]
		? ((await context.getCredentials(CREDENTIAL_TYPE)) as StoreCredential)
		: undefined;
	return openStore(storeConfigFrom(credential));
}

/** The credential's "Test" button: open the store, migrate it, report where and which version. */
export async function testStoreCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const store = await openStore(storeConfigFrom(credential.data as StoreCredential));
		const info = await store.info();
		return {
			status: 'OK',
			message: `Connected to ${info.serverVersion} at ${info.location}; schema version ${info.schemaVersion}`,
		};
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
