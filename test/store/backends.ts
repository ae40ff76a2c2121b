import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreConfig } from '../../nodes/store/openStore';
import { Store } from '../../nodes/store/Store';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import { PostgresDriver } from '../../nodes/store/driver/postgres';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { dropSchemas, PG_URL, pgAvailable, uniqueSchema } from './pgTarget';

/**
 * A fresh store of one backend, for suites that run the same checks on both; `config` opens the
 * same store from another process.
 */
export interface Backend {
	open(): Promise<{ store: Store; driver: SqlDriver; config: StoreConfig }>;
	cleanup(): Promise<void>;
}

export function sqliteBackend(prefix: string): Backend {
	const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
	return {
		async open() {
			const filePath = join(dir, 'store.sqlite');
			const driver = new SqliteDriver(filePath);
			const config: StoreConfig = { backend: 'embedded', filePath };
			return { store: await Store.open(driver), driver, config };
		},
		async cleanup() {
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export function postgresBackend(prefix: string): Backend {
	const schema = uniqueSchema(prefix);
	return {
		async open() {
			const driver = new PostgresDriver({ connectionString: PG_URL }, schema);
			const config: StoreConfig = { backend: 'postgres', connectionString: PG_URL, schema };
			return { store: await Store.open(driver), driver, config };
		},
		cleanup: () => dropSchemas(schema),
	};
}

/**
 * The two backends for a suite that runs the same checks on each: embedded SQLite always,
 * PostgreSQL when its server answers (pgTarget says so loudly when not). `prefix` names the
 * temporary folder or schema of each fresh store.
 */
export function bothBackends(prefix: string) {
	return [
		{ name: 'embedded SQLite', available: true, make: () => sqliteBackend(`cs-${prefix}`) },
		{
			name: 'PostgreSQL',
			available: pgAvailable,
			make: () => postgresBackend(`cs_${prefix.replaceAll('-', '_')}`),
		},
	] as const;
}
