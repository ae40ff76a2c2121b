import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { describeStoreFailure } from '../../store/driver/failures';
import { openStore } from '../../store/openStore';
import { storeConfigFrom, type StoreCredential } from '../storeConfig';

/**
 * The credential's "Test" button: open the store, migrate it, and say which backend, where and
 * which schema version — or, on failure, what went wrong and what to check.
 */
export async function testStoreCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const store = await openStore(storeConfigFrom(credential.data as StoreCredential));
		const info = await store.info();
		const backend = info.backend === 'embedded' ? 'Embedded store' : 'PostgreSQL store';
		return {
			status: 'OK',
			message: `${backend} at ${info.location}; ${info.serverVersion}; schema version ${info.schemaVersion}`,
		};
	} catch (error) {
		const failure = describeStoreFailure(error);
		return {
			status: 'Error',
			// The driver's own words stay at the end, for whoever has to look deeper.
			message: failure
				? `${failure.message}. ${failure.hint} (${(error as Error).message})`
				: (error as Error).message,
		};
	}
}

export const credentialTest = { customerStageStoreTest: testStoreCredential };
