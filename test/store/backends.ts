import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Store } from '../../nodes/store/Store';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import { PostgresDriver } from '../../nodes/store/driver/postgres';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { PG_URL, uniqueSchema } from './pgTarget';

/** A fresh store of one backend, for suites that run the same checks on both. */
export interface Backend {
	open(): Promise<{ store: Store; driver: SqlDriver }>;
	cleanup(): Promise<void>;
}

export function sqliteBackend(prefix: string): Backend {
	const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
	return {
		async open() {
			const driver = new SqliteDriver(join(dir, 'store.sqlite'));
			return { store: await Store.open(driver), driver };
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
			return { store: await Store.open(driver), driver };
		},
		async cleanup() {
			const client = new Client({ connectionString: PG_URL });
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			await client.end();
		},
	};
}
