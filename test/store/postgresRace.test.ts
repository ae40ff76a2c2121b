import { Client } from 'pg';
import { PostgresDriver } from '../../nodes/store/driver/postgres';
import { Store } from '../../nodes/store/Store';
import { ok, TEST_JOURNEY } from './contract';
import { PG_URL, pgAvailable, uniqueSchema } from './pgTarget';

/**
 * The events insert on PostgreSQL has no ON CONFLICT: a batch's own duplicates are set aside
 * before it, so only a concurrent batch recording the same event id first can make it fail. Here
 * that batch is held open by hand until the store's insert waits on it, then committed: the
 * store must undo its customer upserts, find the event known, report it a duplicate and record
 * the rest — the outcome of having run after it.
 */
(pgAvailable ? describe : describe.skip)('PostgreSQL: an event id recorded concurrently', () => {
	const schema = uniqueSchema('cs_race');
	let driver: PostgresDriver;
	let store: Store;
	let other: Client;

	beforeAll(async () => {
		driver = new PostgresDriver({ connectionString: PG_URL }, schema);
		store = await Store.open(driver);
		await store.saveJourney(TEST_JOURNEY);
		other = new Client({ connectionString: PG_URL });
		await other.connect();
	});
	afterAll(async () => {
		await other.end();
		await driver.run(`DROP SCHEMA "${schema}" CASCADE`);
		await store.close();
	});

	test('is reported a duplicate that changes nothing; the other events are recorded', async () => {
		const [{ id: journeyId }] = await driver.query<{ id: number }>(
			'SELECT id FROM journeys WHERE journey_key = ?',
			[TEST_JOURNEY.key],
		);
		await other.query('BEGIN');
		await other.query(
			`INSERT INTO "${schema}".customers (external_id, created_at, updated_at) VALUES ('first', 1, 1)`,
		);
		await other.query(
			`INSERT INTO "${schema}".events (journey_id, customer_id, event_key, event_type, occurred_at, recorded_at, properties)
			 SELECT $1, id, 'evt-race', 'go.b', 1, 1, '{}' FROM "${schema}".customers WHERE external_id = 'first'`,
			[journeyId],
		);
		const recording = store.recordEvents([
			{ journey: TEST_JOURNEY.key, customerId: 'late', eventType: 'go.b', eventId: 'evt-race' },
			{ journey: TEST_JOURNEY.key, customerId: 'fresh', eventType: 'go.b', eventId: 'evt-new' },
		]);
		// Commit once the store's insert is waiting on the held event id.
		for (let waited = 0; ; waited += 20) {
			// Asked outside the held transaction: inside it, pg_stat_activity stays a snapshot.
			const [{ waiting }] = await driver.query<{ waiting: number }>(
				`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO events%'`,
			);
			if (waiting > 0) break;
			if (waited > 10_000) throw new Error('the store never waited on the held event id');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		await other.query('COMMIT');
		const [race, fresh] = await recording;
		expect(ok(race)).toMatchObject({ duplicate: true, moved: false });
		expect(ok(fresh)).toMatchObject({ duplicate: false, moved: true, stage: 'b' });
		const customers = await driver.query<{ external_id: string }>(
			'SELECT external_id FROM customers ORDER BY external_id',
		);
		// 'late' named only the duplicate: its upsert was undone, no customer made for it.
		expect(customers.map((c) => c.external_id)).toEqual(['first', 'fresh']);
		const events = await driver.query<{ event_key: string }>(
			'SELECT event_key FROM events ORDER BY event_key',
		);
		expect(events.map((e) => e.event_key)).toEqual(['evt-new', 'evt-race']);
	});
});
