import { Client } from 'pg';
import { PostgresDriver } from '../../nodes/store/driver/postgres';
import { Store } from '../../nodes/store/Store';
import { describeStoreContract, type StoreFixture } from './contract';
import { PG_URL, pgAvailable, uniqueSchema } from './pgTarget';

async function dropSchema(schema: string) {
	const client = new Client({ connectionString: PG_URL });
	await client.connect();
	await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	await client.end();
}

function postgresFixture(): StoreFixture {
	const schema = uniqueSchema('cs_test');
	return {
		async open() {
			const driver = new PostgresDriver({ connectionString: PG_URL }, schema);
			return { store: await Store.open(driver), driver };
		},
		failingTriggerSql: [
			`CREATE FUNCTION "${schema}".fail_b() RETURNS trigger LANGUAGE plpgsql AS $$
			 BEGIN IF NEW.to_stage = 'b' THEN RAISE EXCEPTION 'no moves into b'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER fail_b BEFORE INSERT ON transitions FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_b()`,
		],
		cleanup: () => dropSchema(schema),
	};
}

// Skipped only without a server, loudly (see pgTarget); in CI pgTarget fails instead.
describeStoreContract(
	'PostgreSQL',
	() => (pgAvailable ? postgresFixture() : undefined),
	pgAvailable,
);

(pgAvailable ? describe : describe.skip)('PostgreSQL migrations', () => {
	test('4 workers opening a fresh schema at once migrate it exactly once', async () => {
		const schema = uniqueSchema('cs_migrate');
		const drivers = Array.from(
			{ length: 4 },
			() => new PostgresDriver({ connectionString: PG_URL }, schema),
		);
		try {
			const stores = await Promise.all(drivers.map((driver) => Store.open(driver)));
			const versions = await drivers[0].query<{ version: number }>(
				'SELECT version FROM schema_migrations ORDER BY version',
			);
			expect(versions.map((v) => v.version)).toEqual([1]);
			expect((await Promise.all(stores.map((s) => s.info()))).map((i) => i.schemaVersion)).toEqual([
				1, 1, 1, 1,
			]);
		} finally {
			await Promise.all(drivers.map((d) => d.close()));
			await dropSchema(schema);
		}
	});
});
