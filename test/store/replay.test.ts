import fc from 'fast-check';
import type { Store } from '../../nodes/store/Store';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import type { Transition } from '../../nodes/store/types';
import { dumpAll, ok, TEST_JOURNEY } from './contract';
import { bothBackends, type Backend } from './backends';

/**
 * Replays and late events as properties, on both backends (the contract suite has the fixed
 * cases). A replay of any batch, also with other times, types or customers under its known
 * event ids, leaves every row of every table byte-identical; imports and moves sent twice change
 * nothing either. Whatever order a customer's events arrive in, and however they are batched,
 * the timeline never runs backwards and the final stage is the same.
 */

const J = TEST_JOURNEY.key;
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 22);
const iso = (hour: number) => new Date(BASE + hour * HOUR).toISOString();

const eventTypes = fc.constantFrom('go.b', 'go.c', 'leave', 'noise');
const timedEvent = fc.record({
	customer: fc.integer({ min: 0, max: 5 }),
	eventType: eventTypes,
	hour: fc.integer({ min: 0, max: 72 }),
	withId: fc.boolean(),
});

/** How a replay differs from the batch it repeats. */
const change = fc.constantFrom(
	'same',
	'reversed',
	'later',
	'otherCustomer',
	'newCustomer',
	'otherType',
);

/**
 * Every row of every table, but for SQLite's id counter: an upsert that finds the customer
 * still draws an id, in SQLite's sqlite_sequence as in a PostgreSQL sequence (which no table
 * shows). No row of the store's data depends on it.
 */
async function rowsOfData(driver: SqlDriver) {
	const { sqlite_sequence: _counter, ...rest } = await dumpAll(driver);
	return rest;
}

function describeBackend(name: string, backend: () => Backend, available: boolean) {
	(available ? describe : describe.skip)(`replays and late events: ${name}`, () => {
		let current: Backend;
		let store: Store;
		let driver: SqlDriver;
		let run = 0;

		beforeAll(async () => {
			current = backend();
			({ store, driver } = await current.open());
			await store.saveJourney(TEST_JOURNEY);
		});
		afterAll(async () => {
			await store.close();
			await current.cleanup();
		});

		test('replaying any event batch, however changed, leaves every row of every table as it was', async () => {
			await fc.assert(
				fc.asyncProperty(
					fc.array(timedEvent, { minLength: 1, maxLength: 12 }),
					fc.array(change, { minLength: 1, maxLength: 3 }),
					async (events, changes) => {
						const r = ++run;
						const batch = events
							.filter((e) => e.withId)
							.map((e, i) => ({
								journey: J,
								customerId: `r${r}-c${e.customer}`,
								eventType: e.eventType,
								eventId: `r${r}-e${i}`,
								occurredAt: iso(e.hour),
							}));
						if (batch.length === 0) return;
						for (const outcome of await store.recordEvents(batch)) ok(outcome);
						const before = await dumpAll(driver);
						for (const how of changes) {
							const replay =
								how === 'same'
									? batch
									: how === 'reversed'
										? [...batch].reverse()
										: batch.map((e, i) => ({
												...e,
												...(how === 'later' && { occurredAt: iso(500 + i) }),
												...(how === 'otherCustomer' && {
													customerId: batch[(i + 1) % batch.length].customerId,
												}),
												...(how === 'newCustomer' && { customerId: `r${r}-stranger${i}` }),
												...(how === 'otherType' && { eventType: 'go.c' }),
											}));
							for (const outcome of await store.recordEvents(replay))
								expect(ok(outcome)).toMatchObject({ duplicate: true, moved: false });
							expect(await dumpAll(driver)).toEqual(before);
						}
					},
				),
				{ numRuns: 40 },
			);
		}, 120_000);

		test('an import batch or a batch of moves sent twice changes nothing the second time', async () => {
			await fc.assert(
				fc.asyncProperty(
					fc.uniqueArray(
						fc.record({
							customer: fc.integer({ min: 0, max: 20 }),
							stage: fc.constantFrom('a', 'b', 'c'),
							name: fc.option(fc.string(), { nil: undefined }),
							tags: fc.option(fc.array(fc.constantFrom('vip', 'new', '😀')), { nil: undefined }),
						}),
						{ selector: (c) => c.customer, minLength: 1, maxLength: 8 },
					),
					async (customers) => {
						const r = ++run;
						const imports = customers.map((c) => ({
							journey: J,
							customerId: `i${r}-${c.customer}`,
							stage: c.stage,
							name: c.name,
							tags: c.tags,
						}));
						const moves = customers.map((c) => ({
							journey: J,
							customerId: `i${r}-${c.customer}`,
							stage: c.stage === 'a' ? 'c' : 'a',
							actor: 'alice',
						}));
						for (const batch of [imports, moves]) {
							const write = (items: typeof batch) =>
								batch === imports ? store.importCustomers(items) : store.setStages(items);
							for (const outcome of await write(batch)) ok(outcome);
							const before = await rowsOfData(driver);
							for (const outcome of await write(batch))
								expect(ok(outcome)).toMatchObject({ moved: false });
							expect(await rowsOfData(driver)).toEqual(before);
						}
					},
				),
				{ numRuns: 25 },
			);
		}, 120_000);

		test('any arrival order, in one batch or one by one: no negative stay, no entry before the stage left, same final stage', async () => {
			const history = (customerId: string) => store.getHistory(customerId, { journey: J });
			let late = 0;
			await fc.assert(
				fc.asyncProperty(
					fc.array(
						fc.record({
							eventType: fc.constantFrom('go.b', 'go.c', 'noise'),
							hour: fc.integer({ min: 0, max: 48 }),
						}),
						{ minLength: 2, maxLength: 8 },
					),
					fc.func(fc.integer()),
					async (events, order) => {
						const r = ++run;
						const arrivals = {
							inTimeOrder: [...events].sort((x, y) => x.hour - y.hour),
							reversed: [...events].sort((x, y) => y.hour - x.hour),
							shuffled: [...events].sort(
								(x, y) => order(`${x.hour}${x.eventType}`) - order(`${y.hour}${y.eventType}`),
							),
						};
						const finals = new Set<string | null>();
						for (const [name, list] of Object.entries(arrivals)) {
							for (const oneByOne of [false, true]) {
								const customerId = `l${r}-${name}-${oneByOne ? 'single' : 'batch'}`;
								const items = list.map((e) => ({
									journey: J,
									customerId,
									eventType: e.eventType,
									occurredAt: iso(e.hour),
								}));
								if (oneByOne) for (const item of items) ok((await store.recordEvents([item]))[0]);
								else for (const outcome of await store.recordEvents(items)) ok(outcome);
								const rows = await history(customerId);
								expectSoundTimeline(rows);
								late += rows.filter((row) => row.occurredAt > row.eventOccurredAt!).length;
								const [customer] = await store.getCustomers([customerId]);
								finals.add(customer?.journeys[0]?.stage ?? null);
							}
						}
						expect(finals.size).toBe(1);
					},
				),
				{ numRuns: 40 },
			);
			// Late arrivals really happened, or the property would hold trivially.
			expect(late).toBeGreaterThan(10);
		}, 120_000);
	});
}

/** The arithmetic of every timeline: each move leaves the stage the previous one entered, no earlier. */
function expectSoundTimeline(rows: Transition[]) {
	for (const [i, row] of rows.entries()) {
		expect(row.occurredAt).toBeGreaterThanOrEqual(row.eventOccurredAt!);
		if (i === 0) {
			expect(row.fromStage).toBeNull();
			expect(row.fromEnteredAt).toBeNull();
			continue;
		}
		expect(row.fromStage).toBe(rows[i - 1].toStage);
		expect(row.fromEnteredAt).toBe(rows[i - 1].occurredAt);
		expect(row.occurredAt).toBeGreaterThanOrEqual(row.fromEnteredAt!);
	}
}

for (const { name, make, available } of bothBackends('replay')) {
	describeBackend(name, make, available);
}
