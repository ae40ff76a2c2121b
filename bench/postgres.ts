/** The PostgreSQL server the benchmarks use, when one answers, and a throwaway schema on it. */
import { Client } from 'pg';

export const PG_URL =
	process.env.CUSTOMER_STAGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgReachable(): Promise<boolean> {
	const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		await client.end();
		return true;
	} catch {
		return false;
	}
}

/** Runs `work` with a fresh schema name, dropping the schema afterwards whatever happens. */
export async function withSchema<T>(
	prefix: string,
	work: (schema: string) => Promise<T>,
): Promise<T> {
	const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
	try {
		return await work(schema);
	} finally {
		const client = new Client({ connectionString: PG_URL });
		await client.connect();
		await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await client.end();
	}
}
