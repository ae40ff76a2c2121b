import type { PoolConfig } from 'pg';
import { PostgresDriver } from './driver/postgres';
import type { SqlDriver } from './driver/sql';
import { Store } from './Store';
import { SqliteDriver } from './driver/sqlite';
import { checkStoreFile } from './driver/filePolicy';

export interface PostgresConfig {
	backend: 'postgres';
	/** Either a connection string, or host/port/database/user/password. */
	connectionString?: string;
	host?: string;
	port?: number;
	database?: string;
	user?: string;
	password?: string;
	/** 'disable', 'require' (encrypted, any certificate) or 'verify' (encrypted, trusted certificate only). */
	ssl?: 'disable' | 'require' | 'verify';
	schema: string;
	maxConnections?: number;
}

export type StoreConfig = { backend: 'embedded'; filePath: string } | PostgresConfig;

export function createDriver(config: StoreConfig): SqlDriver {
	if (config.backend === 'embedded') {
		// Before any folder or file is made: where the store may live (see filePolicy.ts).
		if (config.filePath !== ':memory:') checkStoreFile(config.filePath);
		return new SqliteDriver(config.filePath);
	}
	const pool: PoolConfig = config.connectionString
		? { connectionString: config.connectionString }
		: {
				host: config.host,
				port: config.port,
				database: config.database,
				user: config.user,
				password: config.password,
			};
	if (config.ssl === 'require') pool.ssl = { rejectUnauthorized: false };
	if (config.ssl === 'verify') pool.ssl = { rejectUnauthorized: true };
	if (config.maxConnections) pool.max = config.maxConnections;
	return new PostgresDriver(pool, config.schema);
}

/**
 * One open store per configuration for the life of the process: n8n runs many executions in
 * one process, and opening (plus migrating, plus a PostgreSQL pool) per execution would cost
 * more than the work.
 */
const openStores = new Map<string, Promise<Store>>();

export function openStore(config: StoreConfig): Promise<Store> {
	const key = JSON.stringify(config);
	let store = openStores.get(key);
	if (!store) {
		store = (async () => {
			const driver = createDriver(config);
			try {
				return await Store.open(driver);
			} catch (error) {
				await driver.close().catch(() => undefined);
				throw error;
			}
		})();
		// A failed open (bad path, server down, old Node) is not cached: the next execution retries.
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
