import { spawnSync } from 'node:child_process';
import { Client } from 'pg';

/**
 * The PostgreSQL server the tests use, and whether it
 * answers. PostgreSQL tests are skipped with a loud notice only when no server is reachable and
 * CI is not set; in CI an absent server is a failure.
 */
export const PG_URL =
	process.env.CUSTOMER_STAGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function probe(): string | null {
	const script = `const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
c.connect().then(() => c.end()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`;
	const result = spawnSync(process.execPath, ['-e', script, PG_URL], {
		encoding: 'utf8',
		timeout: 10_000,
	});
	return result.status === 0 ? null : (result.stderr || 'no answer').trim();
}

const problem = probe();
export const pgAvailable = problem === null;

if (!pgAvailable) {
	const message = `PostgreSQL at ${PG_URL} is not reachable (${problem}).`;
	if (process.env.CI) throw new Error(`${message} CI requires it: start it with pg_ctlcluster.`);
	console.warn(`\n!!!!!!!!\n!!! ${message} PostgreSQL tests are SKIPPED.\n!!!!!!!!\n`);
}

export function uniqueSchema(prefix: string): string {
	return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** Drops a test's schemas and all in them, on a connection of its own. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
	const client = new Client({ connectionString: PG_URL });
	await client.connect();
	try {
		for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	} finally {
		await client.end();
	}
}
