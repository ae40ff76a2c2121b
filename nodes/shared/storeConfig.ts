import { defaultStorePath } from '../store/driver/filePolicy';
import type { PostgresConfig, StoreConfig } from '../store/openStore';

/** What the "Customer Stage Store" credential holds: any backend's fields, all optional. */
export type StoreCredential = Partial<Omit<PostgresConfig, 'backend'>> & {
	backend?: StoreConfig['backend'];
	filePath?: string;
};

/**
 * Where the embedded store lives when no path is given: beside n8n's own data in the n8n user
 * folder (the folder n8n uses itself, so Docker volumes and backups already include it). Where
 * else it may live: store/driver/filePolicy.ts, checked before the store is opened.
 */
export { defaultStorePath };

export function storeConfigFrom(credential: StoreCredential | undefined): StoreConfig {
	if (credential?.backend === 'postgres') {
		return {
			backend: 'postgres',
			connectionString: credential.connectionString?.trim() || undefined,
			host: credential.host || 'localhost',
			port: Number(credential.port) || 5432,
			database: credential.database || 'postgres',
			user: credential.user || 'postgres',
			password: credential.password || undefined,
			ssl: credential.ssl ?? 'disable',
			schema: credential.schema?.trim() || 'customer_stage',
			maxConnections: Number(credential.maxConnections) || 10,
		};
	}
	const filePath = credential?.filePath?.trim();
	return { backend: 'embedded', filePath: filePath || defaultStorePath() };
}
