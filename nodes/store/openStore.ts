import { SqlStore } from './SqlStore';
import { SqliteDriver } from './sqlite';

export type StoreConfig = { backend: 'embedded'; filePath: string };

/**
 * One open store per configuration for the life of the process: n8n runs many executions in
 * one process, and opening (plus migrating) per execution would cost more than the work.
 */
const openStores = new Map<string, Promise<SqlStore>>();

function cacheKey(config: StoreConfig): string {
	return JSON.stringify(config);
}

export function openStore(config: StoreConfig): Promise<SqlStore> {
	const key = cacheKey(config);
	let store = openStores.get(key);
	if (!store) {
		store = SqlStore.open(new SqliteDriver(config.filePath));
		// A failed open (bad path, old Node) must not be cached: the next execution retries.
		store.catch(() => openStores.delete(key));
		openStores.set(key, store);
	}
	return store;
}

/** Closes every cached store (tests, and process shutdown). */
export async function closeAllStores(): Promise<void> {
	const stores = [...openStores.values()];
	openStores.clear();
	await Promise.all(stores.map(async (store) => (await store.catch(() => undefined))?.close()));
}

process.once('beforeExit', () => void closeAllStores());
