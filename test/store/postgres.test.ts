import { Client } from 'pg';
import { PostgresDriver } from '../../nodes/store/driver/postgres';
import { MIGRATIONS, SCHEMA_VERSION } from '../../nodes/store/migrations';
import { Store } from '../../nodes/store/Store';
import { describeStoreContract, ok, TEST_JOURNEY, type StoreFixture } from './contract';
import { dropSchemas, PG_URL, pgAvailable, uniqueSchema } from './pgTarget';

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
		emptyDriver: () => new PostgresDriver({ connectionString: PG_URL }, `${schema}_v1`),
		cleanup: async () => {
			await dropSchemas(schema);
			await dropSchemas(`${schema}_v1`);
		},
	};
}

// Skipped only without a server, loudly (see pgTarget); in CI pgTarget fails instead.
describeStoreContract(
	'PostgreSQL',
	() => (pgAvailable ? postgresFixture() : undefined),
	pgAvailable,
);

(pgAvailable ? describe : describe.skip)('PostgreSQL statement plans', () => {
	test('batch statements are planned with each batch’s values, never one generic plan from an empty table', async () => {
		const schema = uniqueSchema('cs_plans');
		// One connection, so every batch runs its named statements on it.
		const driver = new PostgresDriver({ connectionString: PG_URL, max: 1 }, schema);
		try {
			const store = await Store.open(driver);
			await store.saveJourney(TEST_JOURNEY);
			// Twelve small batches into a growing table: with PostgreSQL's default, the statement
			// that looks up known event ids switches to a generic plan after five of them.
			for (let batch = 0; batch < 12; batch++) {
				const events = Array.from({ length: 50 }, (_, i) => ({
					journey: TEST_JOURNEY.key,
					customerId: `p-${batch}-${i % 10}`,
					eventType: 'go.b',
					eventId: `e-${batch}-${i}`,
				}));
				(await store.recordEvents(events)).forEach(ok);
			}
			const [setting] = await driver.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
			expect(setting.plan_cache_mode).toBe('force_custom_plan');
			// How often each statement was planned which way: PostgreSQL 14 and later say.
			const [{ version }] = await driver.query<{ version: number }>(
				`SELECT current_setting('server_version_num')::int AS version`,
			);
			if (Number(version) < 140000) return;
			const plans = await driver.query<{ statement: string; generic: number; custom: number }>(
				`SELECT statement, generic_plans AS generic, custom_plans AS custom
				 FROM pg_prepared_statements WHERE name LIKE 'cs\\_%'`,
			);
			const lookup = plans.find((p) => /SELECT event_key FROM events/.test(p.statement));
			expect(lookup).toBeDefined();
			expect(Number(lookup!.custom)).toBeGreaterThanOrEqual(12);
			expect(plans.map((p) => Number(p.generic))).toEqual(plans.map(() => 0));
		} finally {
			await driver.close();
			await dropSchemas(schema);
		}
	});
});

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
			expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
			expect((await Promise.all(stores.map((s) => s.info()))).map((i) => i.schemaVersion)).toEqual(
				Array(4).fill(SCHEMA_VERSION),
			);
		} finally {
			await Promise.all(drivers.map((d) => d.close()));
			await dropSchemas(schema);
		}
	});
});

(pgAvailable ? describe : describe.skip)(
	'PostgreSQL: two batches with the same new event id at once',
	() => {
		const journey = {
			key: 'race',
			name: 'Race',
			stages: [
				{ key: 'a', name: 'A' },
				{ key: 'b', name: 'B' },
			],
			eventRules: [{ eventType: 'go.b', stage: 'b' }],
		};

		/**
		 * Lines both batches up behind a lock on the events table (they pass the duplicate check, lock
		 * or create their customers, then wait at the events insert), then lets them go: one records
		 * the event, the other finds it recorded only when inserting, after the winner committed.
		 */
		async function race(first: Record<string, unknown>, second: Record<string, unknown>) {
			const schema = uniqueSchema('cs_race');
			const app = schema.slice(0, 60);
			const setup = new PostgresDriver({ connectionString: PG_URL }, schema);
			const drivers = [0, 1].map(
				() => new PostgresDriver({ connectionString: PG_URL, application_name: app }, schema),
			);
			const blocker = new Client({ connectionString: PG_URL });
			try {
				const store = await Store.open(setup);
				await store.saveJourney(journey);
				await store.importCustomers([{ customerId: 'old', name: 'Old' }]);
				await store.recordEvents([
					{
						journey: 'race',
						customerId: 'old',
						eventType: 'x',
						occurredAt: '2026-01-01T09:00:00Z',
					},
				]);
				const stores = await Promise.all(drivers.map((d) => Store.open(d)));
				await blocker.connect();
				await blocker.query('BEGIN');
				await blocker.query(`LOCK TABLE "${schema}".events IN EXCLUSIVE MODE`);
				const runs = [first, second].map((item, i) =>
					stores[i].recordEvents([{ journey: 'race', eventType: 'go.b', ...item }]),
				);
				for (let waited = 0; ; waited += 20) {
					const [row] = (
						await blocker.query(
							`SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
							[app],
						)
					).rows;
					if (row.n >= 2) break;
					if (waited > 10_000) throw new Error('the batches never both waited');
					await new Promise((resolve) => setTimeout(resolve, 20));
				}
				await blocker.query('COMMIT');
				const outcomes = (await Promise.all(runs)).map(([o]) => ok(o));
				const rows = async (sql: string) => setup.query(sql);
				return {
					outcomes,
					events: await rows(
						`SELECT customer_id, occurred_at FROM events WHERE event_key = 'same'`,
					),
					customers: await rows(
						`SELECT external_id, last_event_at, updated_at FROM customers ORDER BY external_id`,
					),
					transitions: await rows(`SELECT customer_id FROM transitions`),
				};
			} finally {
				await blocker.end().catch(() => undefined);
				await Promise.all([setup, ...drivers].map((d) => d.close()));
				await dropSchemas(schema);
			}
		}

		test('different customer ids: one records it, the loser creates no customer', async () => {
			const { outcomes, events, customers, transitions } = await race(
				{ customerId: 'n1', eventId: 'same', occurredAt: '2026-01-01T10:00:00Z' },
				{ customerId: 'n2', eventId: 'same', occurredAt: '2026-01-01T11:00:00Z' },
			);
			expect(outcomes.map((o) => o.duplicate).sort()).toEqual([false, true]);
			expect(events).toHaveLength(1);
			expect(transitions).toHaveLength(2); // the setup event placed 'old', the winner moved
			const winner = outcomes.find((o) => !o.duplicate)!.customerId;
			expect(customers.map((c) => c.external_id)).toEqual(['old', winner].sort());
		});

		test('the same existing customer: the loser leaves its last-event time and updated_at alone', async () => {
			const { outcomes, events, customers, transitions } = await race(
				{ customerId: 'old', eventId: 'same', occurredAt: '2026-01-01T10:00:00Z' },
				{ customerId: 'old', eventId: 'same', occurredAt: '2026-01-01T11:00:00Z' },
			);
			expect(outcomes.map((o) => o.duplicate).sort()).toEqual([false, true]);
			expect(events).toHaveLength(1);
			expect(transitions).toHaveLength(2); // the setup event placed 'old', the winner moved
			const winner = outcomes.find((o) => !o.duplicate)!;
			expect(Number(customers[0].last_event_at)).toBe(winner.occurredAt);
			expect(Number(events[0].occurred_at)).toBe(winner.occurredAt);
		});
	},
);
