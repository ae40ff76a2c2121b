import { BatchItemError, InputError } from '../../nodes/engine/errors';
import type { Store } from '../../nodes/store/Store';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import { MIGRATIONS, SCHEMA_VERSION } from '../../nodes/store/migrations';
import { Store as StoreClass } from '../../nodes/store/Store';
import type { ItemOutcome } from '../../nodes/store/types';

/**
 * The store contract: every backend runs this same suite unchanged. A backend fixture gives a
 * fresh, empty store per test, the driver under it (to count rows as they really are), and the
 * SQL to make the database itself fail mid-batch.
 */
export interface StoreFixture {
	open(): Promise<{ store: Store; driver: SqlDriver }>;
	/** SQL that makes any INSERT into transitions with to_stage = 'b' fail inside the database. */
	failingTriggerSql: string[];
	/** A driver on a new, empty, not yet migrated location (removed by cleanup). */
	emptyDriver(): SqlDriver;
	cleanup(): Promise<void>;
}

export const TEST_JOURNEY = {
	key: 'test_journey',
	name: 'Test Journey',
	stages: [
		{ key: 'a', name: 'Stage A' },
		{ key: 'b', name: 'Stage B' },
		{ key: 'c', name: 'Stage C' },
		{ key: 'gone', name: 'Gone', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'go.b', stage: 'b' },
		{ eventType: 'go.c', stage: 'c' },
		{ eventType: 'leave', stage: 'gone' },
	],
};

export function ok<T>(outcome: ItemOutcome<T>): T {
	if (!outcome.ok) throw new Error(`expected ok, got error: ${outcome.error.message}`);
	return outcome;
}

export function failed<T>(outcome: ItemOutcome<T>): Error {
	if (outcome.ok) throw new Error('expected an error outcome');
	return outcome.error;
}

export async function countRows(driver: SqlDriver, table: string): Promise<number> {
	const [row] = await driver.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
	return Number(row.n);
}

/** Every row of every table the store has, as text: two dumps are equal only if nothing changed. */
export async function dumpAll(driver: SqlDriver): Promise<Record<string, string>> {
	const tables =
		driver.dialect.name === 'sqlite'
			? await driver.query<{ name: string }>(
					`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`,
				)
			: await driver.query<{ name: string }>(
					`SELECT table_name AS name FROM information_schema.tables
					 WHERE table_schema = current_schema() ORDER BY table_name`,
				);
	const dump: Record<string, string> = {};
	for (const { name } of tables) {
		const rows = await driver.query(`SELECT * FROM ${name}`);
		dump[name] = rows
			.map((row) => JSON.stringify(row))
			.sort()
			.join('\n');
	}
	return dump;
}

export function describeStoreContract(
	name: string,
	fixture: () => StoreFixture | undefined,
	available = true,
) {
	(available ? describe : describe.skip)(`store contract: ${name}`, () => {
		let store: Store;
		let driver: SqlDriver;
		let current: StoreFixture;

		beforeEach(async () => {
			current = fixture()!;
			({ store, driver } = await current.open());
			await store.saveJourney(TEST_JOURNEY);
		});
		afterEach(async () => {
			await store.close();
			await current.cleanup();
		});

		const event = (customerId: string, eventType: string, extra: Record<string, unknown> = {}) => ({
			journey: TEST_JOURNEY.key,
			customerId,
			eventType,
			...extra,
		});

		test('migrations ran and the info names backend and schema version', async () => {
			const info = await store.info();
			expect(info.schemaVersion).toBeGreaterThanOrEqual(1);
			expect(info.serverVersion).toMatch(/SQLite|PostgreSQL/);
		});

		test('values() gives each row as its values in the SELECT order, in and out of a transaction', async () => {
			await store.recordEvents([event('c1', 'go.b', { occurredAt: '2026-01-01T00:00:00Z' })]);
			const sql = `SELECT m.stage_key, c.external_id, m.customer_id, NULL AS absent, m.entered_at
				 FROM memberships m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = ?`;
			const expected = [['b', 'c1', expect.any(Number), null, Date.parse('2026-01-01T00:00:00Z')]];
			expect(await driver.values(sql, ['c1'])).toEqual(expected);
			expect(await driver.transaction((tx) => tx.values(sql, ['c1']))).toEqual(expected);
			// The same text through query() still gives objects.
			expect(await driver.query(sql, ['c1'])).toEqual([
				expect.objectContaining({ stage_key: 'b', external_id: 'c1', absent: null }),
			]);
		});

		test('a new customer enters at the event rule stage, then advances; history has every move', async () => {
			const [first, second, third] = await store.recordEvents([
				event('c1', 'go.b', { eventId: 'e1', occurredAt: '2026-01-01T00:00:00Z' }),
				event('c1', 'go.c', { eventId: 'e2', occurredAt: '2026-01-02T00:00:00Z' }),
				event('c1', 'go.b', { eventId: 'e3', occurredAt: '2026-01-03T00:00:00Z' }),
			]);
			expect(ok(first)).toMatchObject({
				previousStage: null,
				stage: 'b',
				moved: true,
				direction: 'initial',
			});
			expect(ok(second)).toMatchObject({
				previousStage: 'b',
				stage: 'c',
				moved: true,
				direction: 'advance',
			});
			expect(ok(third)).toMatchObject({
				previousStage: 'c',
				stage: 'c',
				moved: false,
				reason: 'already further: Stage C',
			});
			const history = await store.getHistory('c1');
			expect(history.map((h) => [h.fromStage, h.toStage, h.direction, h.eventId])).toEqual([
				[null, 'b', 'initial', 'e1'],
				['b', 'c', 'advance', 'e2'],
			]);
			expect(history[1]).toMatchObject({
				reasonKind: 'event',
				eventType: 'go.c',
				journeyVersion: 1,
			});
			expect(history[1].occurredAt).toBe(Date.parse('2026-01-02T00:00:00Z'));
			expect(await countRows(driver, 'events')).toBe(3);
			const [customer] = await store.getCustomers(['c1']);
			expect(customer?.journeys).toEqual([
				expect.objectContaining({
					journey: 'test_journey',
					stage: 'c',
					enteredAt: Date.parse('2026-01-02T00:00:00Z'),
				}),
			]);
		});

		test('replaying an event id is reported as duplicate and changes nothing', async () => {
			await store.recordEvents([event('c1', 'go.b', { eventId: 'same' })]);
			const before = await Promise.all(
				['events', 'transitions', 'memberships'].map((t) => countRows(driver, t)),
			);
			// In a later batch, and twice within one batch.
			const outcomes = await store.recordEvents([
				event('c1', 'go.c', { eventId: 'same' }),
				event('c2', 'go.c', { eventId: 'fresh' }),
				event('c2', 'go.b', { eventId: 'fresh' }),
			]);
			expect(ok(outcomes[0])).toMatchObject({ duplicate: true, moved: false, stage: 'b' });
			expect(ok(outcomes[1])).toMatchObject({ duplicate: false, moved: true, stage: 'c' });
			expect(ok(outcomes[2])).toMatchObject({ duplicate: true, moved: false, stage: 'c' });
			const after = await Promise.all(
				['events', 'transitions', 'memberships'].map((t) => countRows(driver, t)),
			);
			expect(after).toEqual([before[0] + 1, before[1] + 1, before[2] + 1]);
			expect((await store.getCustomers(['c1']))[0]?.journeys[0].stage).toBe('b');
		});

		test('a replayed batch changes nothing at all: every row of every table stays identical', async () => {
			await store.importCustomers([{ customerId: 'known', name: 'Kay', owner: 'bob' }]);
			const batch = [
				event('c1', 'go.b', { eventId: 'r1', occurredAt: '2026-01-01T10:00:00Z' }),
				event('c1', 'go.c', { eventId: 'r2', occurredAt: '2026-01-02T10:00:00Z' }),
				event('known', 'go.b', { eventId: 'r3', occurredAt: '2026-01-03T10:00:00Z' }),
				event('c2', 'noise', { eventId: 'r4', occurredAt: '2026-01-04T10:00:00Z' }),
			];
			await store.recordEvents(batch);
			const before = await dumpAll(driver);
			// The same batch; later occurred-at times; known event ids under customer ids never seen.
			const replays = [
				batch,
				batch.map((e) => ({ ...e, occurredAt: '2026-06-01T00:00:00Z' })),
				batch.map((e, i) => ({ ...e, customerId: `stranger${i}`, eventType: 'go.c' })),
				[...batch].reverse(),
			];
			for (const replay of replays) {
				const outcomes = await store.recordEvents(replay);
				for (const outcome of outcomes)
					expect(ok(outcome)).toMatchObject({ duplicate: true, moved: false });
				expect(await dumpAll(driver)).toEqual(before);
			}
			const strangers = await store.getCustomers(['stranger0']);
			expect(strangers).toEqual([null]);
			const [dup] = await store.recordEvents([event('stranger0', 'go.c', { eventId: 'r1' })]);
			expect(ok(dup)).toMatchObject({ duplicate: true, stage: null, previousStage: null });
		});

		test('a duplicate beside new events: only the new ones touch the customer', async () => {
			await store.recordEvents([
				event('c1', 'go.b', { eventId: 'd1', occurredAt: '2026-01-01T10:00:00Z' }),
			]);
			const [before] = await store.getCustomers(['c1']);
			const outcomes = await store.recordEvents([
				event('c1', 'go.c', { eventId: 'd1', occurredAt: '2026-03-01T10:00:00Z' }),
				event('c9', 'go.c', { eventId: 'd1', occurredAt: '2026-03-01T10:00:00Z' }),
				event('c1', 'noise', { eventId: 'd2', occurredAt: '2026-02-01T10:00:00Z' }),
				event('c8', 'go.b', { eventId: 'd3' }),
				event('c7', 'go.b', { eventId: 'd3' }),
			]);
			expect(outcomes.map((o) => ok(o).duplicate)).toEqual([true, true, false, false, true]);
			const [c1, c9, c8, c7] = await store.getCustomers(['c1', 'c9', 'c8', 'c7']);
			expect(c1?.lastEventAt).toBe(Date.parse('2026-02-01T10:00:00Z'));
			expect(c1?.createdAt).toBe(before?.createdAt);
			expect(c1?.journeys[0].stage).toBe('b');
			expect(c9).toBeNull();
			expect(c8?.journeys[0].stage).toBe('b');
			expect(c7).toBeNull();
		});

		test('upserts that change nothing leave the customer row as it was (updated_at included)', async () => {
			await store.importCustomers([
				{ customerId: 'u1', name: 'Uma', tags: 'a, b', journey: TEST_JOURNEY.key, stage: 'b' },
			]);
			await store.recordEvents([
				event('u1', 'noise', { eventId: 'u-e1', occurredAt: '2026-05-01T00:00:00Z' }),
			]);
			const before = await dumpAll(driver);
			await new Promise((resolve) => setTimeout(resolve, 5));
			// Same details again, an event older than the last one, a move to where they already are.
			await store.importCustomers([{ customerId: 'u1', name: 'Uma', tags: 'a, b' }]);
			await store.setStages([{ journey: TEST_JOURNEY.key, customerId: 'u1', stage: 'b' }]);
			const customers = (await dumpAll(driver)).customers;
			expect(customers).toEqual(before.customers);
			await store.recordEvents([event('u1', 'noise', { occurredAt: '2026-04-01T00:00:00Z' })]);
			const [u1] = await store.getCustomers(['u1']);
			expect(u1?.lastEventAt).toBe(Date.parse('2026-05-01T00:00:00Z'));
			const [u1Before] = JSON.parse(`[${before.customers}]`) as Array<{ updated_at: number }>;
			expect(u1?.updatedAt).toBe(Number(u1Before.updated_at));
			await store.importCustomers([{ customerId: 'u1', name: 'Uma B.' }]);
			const [renamed] = await store.getCustomers(['u1']);
			expect(renamed?.updatedAt).toBeGreaterThan(Number(u1Before.updated_at));
		});

		test('a late event never makes the timeline run backwards (rule 7), in one batch or two', async () => {
			const tenAm = Date.parse('2026-11-22T10:00:00Z');
			const nineAm = Date.parse('2026-11-22T09:00:00Z');
			await store.recordEvents([event('late1', 'go.b', { occurredAt: '2026-11-22T10:00:00Z' })]);
			await store.recordEvents([event('late1', 'go.c', { occurredAt: '2026-11-22T09:00:00Z' })]);
			await store.recordEvents([
				event('late2', 'go.b', { occurredAt: '2026-11-22T10:00:00Z' }),
				event('late2', 'go.c', { occurredAt: '2026-11-22T09:00:00Z' }),
			]);
			for (const id of ['late1', 'late2']) {
				const history = await store.getHistory(id);
				expect(
					history.map((h) => [
						h.fromStage,
						h.toStage,
						h.occurredAt,
						h.eventOccurredAt,
						h.fromEnteredAt,
					]),
				).toEqual([
					[null, 'b', tenAm, tenAm, null],
					['b', 'c', tenAm, nineAm, tenAm],
				]);
				const [customer] = await store.getCustomers([id]);
				expect(customer?.journeys[0]).toMatchObject({ stage: 'c', enteredAt: tenAm });
			}
		});

		test('a store made by schema version 1 migrates: old rows keep, new columns are empty', async () => {
			const old = current.emptyDriver();
			await old.migrationLock(async (tx) => {
				await tx.run(
					`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
				);
				for (const sql of MIGRATIONS[0].statements(tx.dialect)) await tx.run(sql);
				await tx.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)`);
				await tx.run(
					`INSERT INTO journeys (journey_key, name, display_order, version, definition, created_at, updated_at)
					 VALUES ('old', 'Old', 0, 1, '{}', 0, 0)`,
				);
				await tx.run(
					`INSERT INTO customers (external_id, created_at, updated_at) VALUES ('v1customer', 0, 0)`,
				);
				await tx.run(
					`INSERT INTO transitions (journey_id, journey_version, customer_id, from_stage, to_stage, direction,
					   reason_kind, reason, occurred_at, recorded_at)
					 SELECT j.id, 1, c.id, NULL, 'a', 'initial', 'event', 'entered A', 5, 6
					 FROM journeys j, customers c`,
				);
			});
			const migrated = await StoreClass.open(old);
			try {
				expect((await migrated.info()).schemaVersion).toBe(SCHEMA_VERSION);
				const [row] = await migrated.getHistory('v1customer');
				expect(row).toMatchObject({
					toStage: 'a',
					occurredAt: 5,
					eventOccurredAt: null,
					fromEnteredAt: null,
				});
			} finally {
				await migrated.close();
			}
		});

		test('an event without an id is always recorded (nothing to de-duplicate by)', async () => {
			await store.recordEvents([event('c1', 'go.b'), event('c1', 'go.b')]);
			expect(await countRows(driver, 'events')).toBe(2);
			expect(await countRows(driver, 'transitions')).toBe(1);
		});

		test('bad items are reported one by one and leave no rows; good items in the batch are written', async () => {
			const outcomes = await store.recordEvents([
				event('', 'go.b'),
				event('c1', 'go.b', { occurredAt: 'not a date' }),
				event('c1', 'go.b', { properties: { blob: 'x'.repeat(1024 * 1024) } }),
				{ journey: 'no_such_journey', customerId: 'c9', eventType: 'go.b' },
				event({ nested: true } as unknown as string, 'go.b'),
				event('good', 'go.b', { eventId: 'g1' }),
			]);
			expect(failed(outcomes[0]).message).toBe('Customer ID is required');
			expect(failed(outcomes[1]).message).toMatch(/Occurred At is not a valid date/);
			expect(failed(outcomes[2]).message).toMatch(
				/Properties is 1024 KB as JSON; the limit is 256 KB/,
			);
			expect(failed(outcomes[3]).message).toMatch(/Journey 'no_such_journey' does not exist/);
			expect(failed(outcomes[4]).message).toBe(
				'Customer ID must be a string or a number, not an object',
			);
			expect(ok(outcomes[5]).stage).toBe('b');
			expect(await countRows(driver, 'events')).toBe(1);
			expect(await countRows(driver, 'customers')).toBe(1);
			expect(await countRows(driver, 'transitions')).toBe(1);
			expect(await countRows(driver, 'memberships')).toBe(1);
		});

		test('all-or-nothing: one bad item fails the batch and nothing at all is written', async () => {
			const attempt = store.recordEvents(
				[event('c1', 'go.b', { eventId: 'x1' }), event('c2', 'go.b', { occurredAt: 'bad' })],
				{
					allOrNothing: true,
				},
			);
			await expect(attempt).rejects.toBeInstanceOf(BatchItemError);
			await expect(attempt).rejects.toMatchObject({ index: 1 });
			const lateFailure = store.setStages(
				[
					{ journey: TEST_JOURNEY.key, customerId: 'c1', stage: 'c' },
					{ journey: TEST_JOURNEY.key, customerId: 'c2', stage: 'nope' },
				],
				{ allOrNothing: true },
			);
			await expect(lateFailure).rejects.toMatchObject({
				index: 1,
				message: expect.stringMatching(/Stage 'nope' is not in journey/),
			});
			for (const table of ['customers', 'events', 'transitions', 'memberships'])
				expect(await countRows(driver, table)).toBe(0);
		});

		test('a failure inside the database mid-batch rolls back the whole batch', async () => {
			await store.recordEvents([event('before', 'go.c')]);
			for (const sql of current.failingTriggerSql) await driver.run(sql);
			await expect(
				store.recordEvents([
					event('c1', 'go.c', { eventId: 'm1' }),
					event('c2', 'go.b', { eventId: 'm2' }),
				]),
			).rejects.toThrow(/no moves into b/);
			expect(await countRows(driver, 'customers')).toBe(1);
			expect(await countRows(driver, 'events')).toBe(1);
			expect(await countRows(driver, 'transitions')).toBe(1);
			// The same event ids go through once the database accepts them again: nothing half-kept them.
		});

		test('hostile strings are stored verbatim and cannot change the SQL', async () => {
			const nasty = `x'); DROP TABLE customers; --`;
			const unicode = '客户 🚀 "quoted" \\ back\\slash';
			const outcomes = await store.recordEvents([
				event(nasty, 'go.b', { eventId: `'; DELETE FROM events; --`, properties: { note: nasty } }),
				event(unicode, `evil'; DROP TABLE events; --`),
			]);
			expect(ok(outcomes[0]).stage).toBe('b');
			expect(ok(outcomes[1])).toMatchObject({
				stage: 'a',
				reason: expect.stringContaining(`evil'; DROP TABLE events; --`),
			});
			const [a, b] = await store.getCustomers([nasty, unicode]);
			expect(a?.customerId).toBe(nasty);
			expect(b?.customerId).toBe(unicode);
			expect((await store.getHistory(nasty))[0].eventId).toBe(`'; DELETE FROM events; --`);
			expect(await countRows(driver, 'events')).toBe(2);
		});

		test('exits and re-entry follow the journey: re-entry only where allowed', async () => {
			await store.recordEvents([event('c1', 'go.b'), event('c1', 'leave'), event('c1', 'go.c')]);
			let [c1] = await store.getCustomers(['c1']);
			expect(c1?.journeys[0].stage).toBe('gone');
			await store.saveJourney({ ...TEST_JOURNEY, allowReentry: true });
			const [back] = await store.recordEvents([event('c1', 'go.c')]);
			expect(ok(back)).toMatchObject({ moved: true, direction: 're-entry', stage: 'c' });
			[c1] = await store.getCustomers(['c1']);
			expect(c1?.journeys[0].stage).toBe('c');
			const history = await store.getHistory('c1');
			expect(history.map((h) => h.direction)).toEqual(['initial', 'exit', 're-entry']);
			expect(history.map((h) => h.journeyVersion)).toEqual([1, 1, 2]);
		});

		test('manual moves go anywhere, backwards included, with actor and note', async () => {
			await store.recordEvents([event('c1', 'go.c')]);
			const [back] = await store.setStages([
				{
					journey: TEST_JOURNEY.key,
					customerId: 'c1',
					stage: 'a',
					actor: 'alice',
					note: 'wrong lead',
				},
			]);
			expect(ok(back)).toMatchObject({
				previousStage: 'c',
				stage: 'a',
				direction: 'regress',
				moved: true,
			});
			const [, manual] = await store.getHistory('c1');
			expect(manual).toMatchObject({
				reasonKind: 'manual',
				actor: 'alice',
				note: 'wrong lead',
				fromStage: 'c',
				toStage: 'a',
			});
			const [same] = await store.setStages([
				{ journey: TEST_JOURNEY.key, customerId: 'c1', stage: 'a' },
			]);
			expect(ok(same)).toMatchObject({ moved: false, reason: 'already in Stage A' });
		});

		test('import creates and updates customers; only given fields change; stage optional', async () => {
			const first = await store.importCustomers([
				{
					customerId: 'i1',
					name: 'Ann',
					owner: 'bob',
					rating: 3,
					tags: 'vip, fair',
					journey: TEST_JOURNEY.key,
				},
				{ customerId: 'i2', email: 'i2@example.com', journey: TEST_JOURNEY.key, stage: 'c' },
				{ customerId: 'i3', phone: '+1 555' },
			]);
			expect(ok(first[0])).toMatchObject({ created: true, stage: 'a', direction: 'initial' });
			expect(ok(first[1])).toMatchObject({ created: true, stage: 'c' });
			expect(ok(first[2])).toMatchObject({ created: true, journey: '', moved: false });
			const second = await store.importCustomers([
				{ customerId: 'i1', department: 'north', journey: TEST_JOURNEY.key },
			]);
			expect(ok(second[0])).toMatchObject({ created: false, moved: false, stage: 'a' });
			const [i1] = await store.getCustomers(['i1']);
			expect(i1).toMatchObject({
				name: 'Ann',
				owner: 'bob',
				department: 'north',
				rating: 3,
				tags: ['vip', 'fair'],
			});
			const history = await store.getHistory('i2');
			expect(history[0]).toMatchObject({ reasonKind: 'import', toStage: 'c' });
			// The owner at the time of a move is kept with it.
			expect((await store.getHistory('i1'))[0].owner).toBe('bob');
			const bad = await store.importCustomers([
				{ customerId: 'i4', rating: 5 },
				{ customerId: 'i5', stage: 'c' },
			]);
			expect(failed(bad[0]).message).toBe('Rating must be a whole number of stars from 0 to 3');
			expect(failed(bad[1]).message).toBe('Stage needs a Journey to be set in');
			const badStage = await store.importCustomers([
				{ customerId: 'i1', name: 'Changed', journey: TEST_JOURNEY.key, stage: 'zz' },
			]);
			expect(failed(badStage[0]).message).toMatch(/Stage 'zz' is not in journey 'test_journey'/);
			expect((await store.getCustomers(['i1']))[0]?.name).toBe('Ann');
		});

		test('import with Stage Entered At places and moves customers at that time, never before their stage entry', async () => {
			const at = (iso: string) => Date.parse(iso);
			const placed = await store.importCustomers(
				[
					// A customer brought over from a CRM, in stage B since March 2024.
					{
						customerId: 'crm-1',
						journey: TEST_JOURNEY.key,
						stage: 'b',
						stageEnteredAt: '2024-03-05T09:00:00Z',
					},
					// New to the journey, no stage: its default stage, entered then. A time without a
					// zone is read in the batch's zone.
					{ customerId: 'crm-2', journey: TEST_JOURNEY.key, stageEnteredAt: '2024-03-06 10:00' },
				],
				{ timeZone: 'Asia/Shanghai' },
			);
			expect(ok(placed[0])).toMatchObject({ created: true, stage: 'b', moved: true });
			expect(ok(placed[1])).toMatchObject({ created: true, stage: 'a', moved: true });
			expect((await store.getHistory('crm-1')).map((h) => [h.toStage, h.occurredAt])).toEqual([
				['b', at('2024-03-05T09:00:00Z')],
			]);
			expect((await store.getHistory('crm-2'))[0].occurredAt).toBe(at('2024-03-06T02:00:00Z'));
			const [view] = await store.getCustomers(['crm-1']);
			expect(view?.journeys[0]).toMatchObject({
				stage: 'b',
				enteredAt: at('2024-03-05T09:00:00Z'),
			});

			// A later import moves them on at its own date; one dated before the current stage's
			// entry is placed at that entry (time never runs back), its own date kept with the row.
			await store.importCustomers([
				{
					customerId: 'crm-1',
					journey: TEST_JOURNEY.key,
					stage: 'c',
					stageEnteredAt: '2024-05-01T00:00:00Z',
				},
				{
					customerId: 'crm-2',
					journey: TEST_JOURNEY.key,
					stage: 'b',
					stageEnteredAt: '2024-01-01T00:00:00Z',
				},
			]);
			expect((await store.getHistory('crm-1')).map((h) => [h.toStage, h.occurredAt])).toEqual([
				['b', at('2024-03-05T09:00:00Z')],
				['c', at('2024-05-01T00:00:00Z')],
			]);
			const crm2 = await store.getHistory('crm-2');
			expect(crm2.map((h) => [h.toStage, h.occurredAt])).toEqual([
				['a', at('2024-03-06T02:00:00Z')],
				['b', at('2024-03-06T02:00:00Z')],
			]);
			expect(crm2[1].eventOccurredAt).toBe(at('2024-01-01T00:00:00Z'));

			// Bad times and a time without a journey are that item's error, naming the field.
			const before = await dumpAll(driver);
			const bad = await store.importCustomers([
				{ customerId: 'crm-3', journey: TEST_JOURNEY.key, stageEnteredAt: '2024-02-30T00:00:00Z' },
				{ customerId: 'crm-4', journey: TEST_JOURNEY.key, stageEnteredAt: '2024-03-06 10:00' },
				{ customerId: 'crm-5', stageEnteredAt: '2024-03-06T10:00:00Z' },
				{ customerId: 'crm-6', journey: TEST_JOURNEY.key, stageEnteredAt: 'soon' },
			]);
			for (const outcome of bad) {
				expect(failed(outcome).message).toMatch(/Stage Entered At/);
				expect((failed(outcome) as InputError).field).toBe('stageEnteredAt');
			}
			expect(await dumpAll(driver)).toEqual(before);
		});

		test('journeys are versioned; an update may not strand customers in a removed stage', async () => {
			const again = await store.saveJourney(TEST_JOURNEY);
			expect(again.action).toBe('unchanged');
			expect(again.journey.version).toBe(1);
			const renamed = await store.saveJourney({ ...TEST_JOURNEY, name: 'Renamed' });
			expect(renamed).toMatchObject({
				action: 'updated',
				journey: { version: 2, name: 'Renamed' },
			});
			await expect(store.saveJourney(TEST_JOURNEY, 'create')).rejects.toThrow(/already exists/);
			await store.recordEvents([event('c1', 'go.c')]);
			await expect(
				store.saveJourney({
					...TEST_JOURNEY,
					stages: TEST_JOURNEY.stages.filter((s) => s.key !== 'c'),
					eventRules: [],
				}),
			).rejects.toThrow(/Stage 'c' still holds 1 customer/);
			expect((await store.getJourney(TEST_JOURNEY.key))?.version).toBe(2);
			expect((await store.listJourneys()).map((j) => j.key)).toEqual([TEST_JOURNEY.key]);
			expect(await countRows(driver, 'journey_versions')).toBe(2);
		});

		test('a batch of 2,000 events for 200 customers ends where a one-by-one replay ends', async () => {
			const types = ['go.b', 'go.c', 'noise', 'go.b'];
			const events = Array.from({ length: 2000 }, (_, i) =>
				event(`k${(i * 7) % 200}`, types[(i * 13) % types.length], { eventId: `b${i % 1900}` }),
			);
			await store.recordEvents(events);
			const batchStages = (
				await store.getCustomers(events.slice(0, 200).map((e) => e.customerId))
			).map((c) => c?.journeys[0].stage);
			await store.saveJourney({ ...TEST_JOURNEY, key: 'replay' });
			for (const e of events) await store.recordEvents([{ ...e, journey: 'replay' }]);
			const replayed = (
				await store.getCustomers(events.slice(0, 200).map((e) => e.customerId))
			).map((c) => c?.journeys.find((j) => j.journey === 'replay')?.stage);
			expect(replayed).toEqual(batchStages);
			const moves = await driver.query<{ n: number; journey_id: number }>(
				`SELECT journey_id, COUNT(*) AS n FROM transitions GROUP BY journey_id ORDER BY journey_id`,
			);
			expect(moves.map((m) => Number(m.n))).toEqual([Number(moves[0].n), Number(moves[0].n)]);
		});
	});
}
