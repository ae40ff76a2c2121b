import fc from 'fast-check';
import { DAY_MS, epochDay, scoreActivity } from '../../nodes/engine/activity';
import { presetJourneys } from '../../nodes/engine/presets';
import type { Store } from '../../nodes/store/Store';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import { ok } from './contract';
import { postgresBackend, sqliteBackend, type Backend } from './backends';
import { pgAvailable } from './pgTarget';

/**
 * Daily roll-ups, automation rules at ingest and Evaluate 30-Day Activity, on both backends.
 * The roll-ups and the scores must equal a brute-force recount over the events table, whatever
 * the batches, replays and late events.
 */

const TODAY = Date.UTC(2026, 10, 22, 12);

const iso = (time: number) => new Date(time).toISOString();

/** A small journey: scores weigh `buy` 3, anything else 1; levels low ≥ 1, high ≥ 6. */
const SCORED = {
	key: 'scored',
	name: 'Scored',
	stages: [
		{ key: 'new', name: 'New' },
		{ key: 'active', name: 'Active' },
		{ key: 'buyer', name: 'Buyer' },
		{ key: 'fan', name: 'Fan' },
		{ key: 'lost', name: 'Lost', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'visit', stage: 'active' },
		{ eventType: 'buy', stage: 'buyer' },
	],
	automationRules: [
		{
			id: 'busy',
			stage: 'fan',
			conditions: [{ kind: 'activityLevel', operator: 'gte', value: 'high' }],
		},
		{
			id: 'quiet',
			stage: 'lost',
			fromStages: ['buyer', 'fan'],
			conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 60 }],
		},
	],
	activity: {
		windowDays: 7,
		weights: { buy: 3 },
		levels: [
			{ key: 'none', name: 'None', minScore: 0 },
			{ key: 'low', name: 'Low', minScore: 1 },
			{ key: 'high', name: 'High', minScore: 6 },
		],
	},
};

interface DayRow {
	journey_id: number;
	customer_id: number;
	day: number;
	event_type: string;
	n: number;
}

const normal = (rows: Array<Record<string, unknown>>) =>
	rows
		.map((r) => [
			Number(r.journey_id),
			Number(r.customer_id),
			Number(r.day),
			String(r.event_type),
			Number(r.n),
		])
		.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The roll-ups as kept, and as a brute-force recount over every stored event. */
async function rollupsAndRecount(driver: SqlDriver) {
	const kept = await driver.query<DayRow & Record<string, unknown>>(
		`SELECT journey_id, customer_id, day, event_type, event_count AS n FROM activity_days`,
	);
	const events = await driver.query(
		`SELECT journey_id, customer_id, event_type, occurred_at FROM events`,
	);
	const counts = new Map<string, Record<string, unknown>>();
	for (const e of events) {
		const day = epochDay(Number(e.occurred_at));
		const key = `${e.journey_id}:${e.customer_id}:${day}:${e.event_type}`;
		const row = counts.get(key) ?? { ...e, day, n: 0 };
		row.n = Number(row.n) + 1;
		counts.set(key, row);
	}
	return { kept: normal(kept), recount: normal([...counts.values()]) };
}

function describeBackend(name: string, backend: () => Backend, available: boolean) {
	(available ? describe : describe.skip)(`activity and automation rules: ${name}`, () => {
		let current: Backend;
		let store: Store;
		let driver: SqlDriver;
		let run = 0;

		beforeAll(async () => {
			current = backend();
			({ store, driver } = await current.open());
			for (const journey of presetJourneys('lifecycleCrm')) await store.saveJourney(journey);
			for (const journey of presetJourneys('revopsLifecycle')) await store.saveJourney(journey);
		});
		afterAll(async () => {
			await store.close();
			await current.cleanup();
		});

		test('lifecycle preset: two purchases in one batch move the customer on to Loyal Customer, saying why', async () => {
			const outcomes = await store.recordEvents([
				{
					journey: 'lifecycle_crm',
					customerId: 'buyer-1',
					eventType: 'purchase.completed',
					eventId: 'o1',
				},
				{
					journey: 'lifecycle_crm',
					customerId: 'buyer-1',
					eventType: 'purchase.completed',
					eventId: 'o2',
				},
			]);
			expect(ok(outcomes[0])).toMatchObject({ stage: 'customer', moved: true });
			expect(ok(outcomes[1])).toMatchObject({ stage: 'loyal_customer', moved: true });
			expect(ok(outcomes[1]).reason).toContain('purchase.completed: 2 in lifetime > 1');
			const history = await store.getHistory('buyer-1');
			expect(history.map((h) => [h.toStage, h.reasonKind, h.ruleId])).toEqual([
				['customer', 'event', expect.any(String)],
				['loyal_customer', 'rule', 'repeat_purchase'],
			]);
			expect(history[1].reason).toContain(
				"rule 'repeat_purchase': purchase.completed: 2 in lifetime > 1",
			);
			// A replay changes nothing: no count, no move.
			const before = await rollupsAndRecount(driver);
			await store.recordEvents([
				{
					journey: 'lifecycle_crm',
					customerId: 'buyer-1',
					eventType: 'purchase.completed',
					eventId: 'o2',
				},
			]);
			expect(await rollupsAndRecount(driver)).toEqual(before);
			expect(await store.getHistory('buyer-1')).toHaveLength(2);
		});

		test('lifecycle preset: one purchase per batch, the second moves the customer', async () => {
			const one = await store.recordEvents([
				{
					journey: 'lifecycle_crm',
					customerId: 'buyer-2',
					eventType: 'purchase.completed',
					eventId: 'p1',
				},
			]);
			expect(ok(one[0])).toMatchObject({ stage: 'customer' });
			const two = await store.recordEvents([
				{
					journey: 'lifecycle_crm',
					customerId: 'buyer-2',
					eventType: 'purchase.completed',
					eventId: 'p2',
				},
			]);
			expect(ok(two[0])).toMatchObject({
				previousStage: 'customer',
				stage: 'loyal_customer',
				moved: true,
			});
		});

		test('a backfill dates rule moves at the events that made them true, with windows and days in stage counted to then', async () => {
			await store.saveJourney({
				key: 'backfill',
				name: 'Backfill',
				stages: [
					{ key: 'new', name: 'New' },
					{ key: 'buyer', name: 'Buyer' },
					{ key: 'regular', name: 'Regular' },
					{ key: 'settled', name: 'Settled' },
				],
				eventRules: [{ eventType: 'buy', stage: 'buyer' }],
				automationRules: [
					{
						id: 'three_in_a_week',
						stage: 'regular',
						conditions: [
							{ kind: 'eventCount', eventType: 'buy', windowDays: 7, operator: 'gte', value: 3 },
						],
					},
					{
						id: 'ten_days_regular',
						stage: 'settled',
						fromStages: ['regular'],
						conditions: [{ kind: 'daysInStage', operator: 'gte', value: 10 }],
					},
				],
			});
			const at = (day: number, hour = 9) => Date.UTC(2024, 2, day, hour);
			const buy = (customerId: string, day: number, hour = 9) => ({
				journey: 'backfill',
				customerId,
				eventType: 'buy',
				eventId: `${customerId}-${day}-${hour}`,
				occurredAt: iso(at(day, hour)),
			});
			// Three purchases within a week, two years back, in one batch: the window is counted to
			// the third (at `now` the window would hold none of them and the rule would never fire).
			const outcomes = await store.recordEvents([buy('bf-1', 1), buy('bf-1', 3), buy('bf-1', 5)]);
			expect(ok(outcomes[2])).toMatchObject({ stage: 'regular', moved: true });
			const history = await store.getHistory('bf-1');
			expect(history.map((h) => [h.toStage, h.reasonKind, h.occurredAt])).toEqual([
				['buyer', 'event', at(1)],
				['regular', 'rule', at(5)],
			]);
			// The same purchases one per batch: the rule fires with the third, dated at it.
			for (const day of [1, 3, 5]) await store.recordEvents([buy('bf-2', day)]);
			expect((await store.getHistory('bf-2')).map((h) => [h.toStage, h.occurredAt])).toEqual([
				['buyer', at(1)],
				['regular', at(5)],
			]);
			// A later backfilled purchase 12 days on: days in stage counted to it, not to today.
			await store.recordEvents([buy('bf-1', 17)]);
			const later = await store.getHistory('bf-1');
			expect(later.map((h) => [h.toStage, h.reasonKind, h.occurredAt])).toEqual([
				['buyer', 'event', at(1)],
				['regular', 'rule', at(5)],
				['settled', 'rule', at(17)],
			]);
			expect(later[2].reason).toContain('days in stage: 12 ≥ 10');
			// A late purchase dated before the customer entered Regular is evaluated when the customer
			// entered it (time never runs back): 0 days in stage, no move.
			const [late] = await store.recordEvents([buy('bf-2', 4)]);
			expect(ok(late)).toMatchObject({ stage: 'regular', moved: false });
			expect(await store.getHistory('bf-2')).toHaveLength(2);
		});

		test('imports evaluate the rules too (attribute conditions)', async () => {
			await store.saveJourney({
				key: 'vip',
				name: 'VIP',
				stages: [
					{ key: 'guest', name: 'Guest' },
					{ key: 'vip', name: 'VIP' },
				],
				automationRules: [
					{
						id: 'rated',
						stage: 'vip',
						match: 'any',
						conditions: [
							{ kind: 'attribute', attribute: 'rating', operator: 'gte', value: 3 },
							{ kind: 'attribute', attribute: 'tags', operator: 'contains', value: 'vip' },
						],
					},
				],
			});
			const [low, high] = await store.importCustomers([
				{ journey: 'vip', customerId: 'imp-1', rating: 2 },
				{ journey: 'vip', customerId: 'imp-2', rating: 3 },
			]);
			expect(ok(low)).toMatchObject({ stage: 'guest' });
			expect(ok(high)).toMatchObject({ stage: 'vip' });
			expect(ok(high).reason).toContain('rating: 3 ≥ 3');
			const [later] = await store.importCustomers([
				{ journey: 'vip', customerId: 'imp-1', tags: ['vip'] },
			]);
			expect(ok(later)).toMatchObject({ previousStage: 'guest', stage: 'vip' });
		});

		test('roll-ups and scores equal a brute-force recount after random batches, replays and late events', async () => {
			await store.saveJourney(SCORED);
			const event = fc.record({
				customer: fc.integer({ min: 0, max: 4 }),
				eventType: fc.constantFrom('visit', 'buy', 'other'),
				daysAgo: fc.integer({ min: -1, max: 12 }),
				hour: fc.integer({ min: 0, max: 23 }),
				id: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
			});
			await fc.assert(
				fc.asyncProperty(
					fc.array(fc.array(event, { minLength: 1, maxLength: 10 }), {
						minLength: 1,
						maxLength: 4,
					}),
					async (batches) => {
						const r = ++run;
						for (const batch of batches) {
							const outcomes = await store.recordEvents(
								batch.map((e) => ({
									journey: 'scored',
									customerId: `p${r}-c${e.customer}`,
									eventType: e.eventType,
									// Ids repeat across batches: replays and late duplicates.
									...(e.id !== undefined && { eventId: `p${r}-e${e.id}` }),
									occurredAt: iso(Date.UTC(2026, 10, 22 - e.daysAgo) + e.hour * 3_600_000),
								})),
							);
							for (const outcome of outcomes) ok(outcome);
						}
						const { kept, recount } = await rollupsAndRecount(driver);
						expect(kept).toEqual(recount);
						// Scores as Evaluate computes them, against scoring every raw event.
						const prefix = `p${r}-`;
						const evaluation = await store.evaluateActivity({
							journey: 'scored',
							customerIds: batches.flat().map((e) => `${prefix}c${e.customer}`),
							asOf: TODAY,
							includeUnchanged: true,
						});
						const events = await driver.query(
							`SELECT c.external_id, e.event_type, e.occurred_at FROM events e
							 JOIN customers c ON c.id = e.customer_id JOIN journeys j ON j.id = e.journey_id
							 WHERE j.journey_key = 'scored' AND c.external_id LIKE '${prefix}%'`,
						);
						// A customer whose every event was a duplicate was never created.
						const ids = [...new Set(events.map((e) => String(e.external_id)))];
						expect(evaluation!.results).toHaveLength(ids.length);
						const parsed = (await store.getJourney('scored'))!.definition;
						for (const id of ids) {
							// Events after the evaluation's instant never count (later the same day included).
							const own = events
								.filter((e) => e.external_id === id && Number(e.occurred_at) <= TODAY)
								.map((e) => ({
									day: epochDay(Number(e.occurred_at)),
									eventType: String(e.event_type),
									count: 1,
								}));
							const expected = scoreActivity(parsed.activity, own, TODAY);
							const got = evaluation!.results.find((x) => x.customerId === id)!;
							expect(got).toMatchObject({
								score: expected.score,
								level: expected.level,
								countsByType: expected.countsByType,
							});
						}
					},
				),
				{ numRuns: 25 },
			);
		}, 180_000);

		test('a scheduled evaluation moves an inactive customer to Churned, and looks only at who can have changed', async () => {
			const now = Date.now();
			const at = (days: number) => iso(now + days * DAY_MS);
			await store.recordEvents([
				{
					journey: 'revops_lifecycle',
					customerId: 'quiet',
					eventType: 'deal.won',
					eventId: 'w1',
					occurredAt: at(-60),
				},
				{
					journey: 'revops_lifecycle',
					customerId: 'busy',
					eventType: 'deal.won',
					eventId: 'w2',
					occurredAt: at(-60),
				},
				{
					journey: 'revops_lifecycle',
					customerId: 'busy',
					eventType: 'purchase.completed',
					eventId: 'b1',
					occurredAt: at(-1),
				},
			]);
			// The first run looks at every member of the journey.
			const first = await store.evaluateActivity({ journey: 'revops_lifecycle', asOf: now });
			expect(first!.evaluated).toBe(2);
			expect(first!.results.map((r) => [r.customerId, r.score, r.stage])).toEqual([
				['busy', 1, 'customer'],
				['quiet', 0, 'customer'],
			]);
			// 31 days on: "quiet" has had no event for 91 days; busy's purchase has left the window.
			const later = await store.evaluateActivity({
				journey: 'revops_lifecycle',
				asOf: now + 31 * DAY_MS,
			});
			expect(later!.evaluated).toBe(2);
			const quiet = later!.results.find((r) => r.customerId === 'quiet')!;
			expect(quiet).toMatchObject({ previousStage: 'customer', stage: 'churned', moved: true });
			expect(quiet.moves[0]).toMatchObject({ ruleId: 'inactive_90_days', to: 'churned' });
			expect(quiet.moves[0].reason).toContain('days since last event: 91 ≥ 90');
			const busy = later!.results.find((r) => r.customerId === 'busy')!;
			expect(busy).toMatchObject({ stage: 'customer', moved: false, previousScore: 1, score: 0 });
			const history = await store.getHistory('quiet');
			expect(history[history.length - 1]).toMatchObject({
				toStage: 'churned',
				reasonKind: 'rule',
				ruleId: 'inactive_90_days',
			});
			// Nothing can have changed since: the next run looks at no one.
			const again = await store.evaluateActivity({
				journey: 'revops_lifecycle',
				asOf: now + 31 * DAY_MS,
			});
			expect(again!.evaluated).toBe(0);
			expect(again!.results).toEqual([]);
		});

		test("days since last event counts this journey's events only: active in one journey, idle in another", async () => {
			await store.saveJourney(SCORED);
			const now = Date.now();
			const at = (days: number) => iso(now + days * DAY_MS);
			// RevOps: a deal won 60 days ago, nothing since there. Scored: a visit yesterday.
			for (const outcome of await store.recordEvents([
				{
					journey: 'revops_lifecycle',
					customerId: 'two-way',
					eventType: 'deal.won',
					eventId: 'tw-1',
					occurredAt: at(-60),
				},
				{
					journey: 'scored',
					customerId: 'two-way',
					eventType: 'buy',
					eventId: 'tw-2',
					occurredAt: at(-1),
				},
			]))
				expect(ok(outcome).moved).toBe(true);
			// 31 days on: 91 quiet days in RevOps (the scored buy 32 days ago does not count there).
			const revops = await store.evaluateActivity({
				journey: 'revops_lifecycle',
				customerIds: ['two-way'],
				asOf: now + 31 * DAY_MS,
			});
			expect(revops!.results).toHaveLength(1);
			expect(revops!.results[0]).toMatchObject({ stage: 'churned', moved: true });
			expect(revops!.results[0].moves[0].reason).toContain('days since last event: 91 ≥ 90');
			// In Scored the same customer's quiet rule (≥ 60 days) reads the buy: 32 days, no move.
			const scored = await store.evaluateActivity({
				journey: 'scored',
				customerIds: ['two-way'],
				asOf: now + 31 * DAY_MS,
				includeUnchanged: true,
			});
			expect(scored!.results[0]).toMatchObject({ stage: 'buyer', moved: false });
			// An old buy recorded into Scored after a fresh RevOps event: at ingest it is judged at
			// its own time (0 quiet days, no move); the next evaluation finds 70 quiet days in
			// Scored, whatever happened in RevOps since.
			ok(
				(
					await store.recordEvents([
						{
							journey: 'revops_lifecycle',
							customerId: 'other-way',
							eventType: 'deal.won',
							eventId: 'ow-1',
							occurredAt: at(0),
						},
					])
				)[0],
			);
			const [late] = await store.recordEvents([
				{
					journey: 'scored',
					customerId: 'other-way',
					eventType: 'buy',
					eventId: 'ow-2',
					occurredAt: at(-70),
				},
			]);
			expect(ok(late)).toMatchObject({ stage: 'buyer', moved: true });
			const quiet = await store.evaluateActivity({
				journey: 'scored',
				customerIds: ['other-way'],
				asOf: now,
			});
			expect(quiet!.results[0]).toMatchObject({ stage: 'lost', moved: true });
			expect(quiet!.results[0].moves[0].reason).toContain(
				"rule 'quiet': days since last event: 70 ≥ 60",
			);
		});

		test('as of an instant: only events up to it count, in lifetime counts, windows and quiet days', async () => {
			await store.saveJourney({
				key: 'asof',
				name: 'As Of',
				stages: [
					{ key: 'new', name: 'New' },
					{ key: 'buyer', name: 'Buyer' },
					{ key: 'dormant', name: 'Dormant' },
					{ key: 'gone', name: 'Gone', kind: 'exit' },
				],
				eventRules: [{ eventType: 'buy', stage: 'buyer' }],
				automationRules: [
					{
						id: 'few',
						stage: 'dormant',
						fromStages: ['buyer'],
						conditions: [
							{ kind: 'eventCount', eventType: 'buy', operator: 'lte', value: 2 },
							{ kind: 'daysInStage', operator: 'gte', value: 1 },
						],
					},
					{
						id: 'quiet',
						stage: 'gone',
						fromStages: ['buyer', 'dormant'],
						conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 4 }],
					},
				],
				activity: { windowDays: 7 },
			});
			const now = Date.now();
			// D: the start of the UTC day 20 days ago.
			const d = (epochDay(now) - 20) * DAY_MS;
			const hour = 3_600_000;
			const events = [
				['c1', d - 10 * DAY_MS + 10 * hour],
				['c1', d + 8 * hour],
				['c1', d + 16 * hour],
				['c1', now - hour],
				['c2', d + 15 * hour],
				['c2', d + 16 * hour],
				['c2', now - hour],
			] as const;
			const outcomes = await store.recordEvents(
				events.map(([customerId, time], i) => ({
					journey: 'asof',
					customerId,
					eventType: 'buy',
					eventId: `asof-${i}`,
					occurredAt: iso(time),
				})),
			);
			// At ingest every event counts: 4 and 3 buys, the last an hour ago: nobody moves on.
			expect(outcomes.map((o) => ok(o).stage)).toEqual(Array(7).fill('buyer'));

			// As of D 12:00, c1 had bought twice (D−10 10:00, D 08:00); the 7-day window holds one.
			const c1 = await store.evaluateActivity({
				journey: 'asof',
				customerIds: ['c1'],
				asOf: d + 12 * hour,
			});
			expect(c1!.results[0]).toMatchObject({
				countsByType: { buy: 1 },
				eventCount: 1,
				score: 1,
				stage: 'dormant',
				moved: true,
			});
			expect(c1!.results[0].moves[0].reason).toContain('buy: 2 in lifetime ≤ 2');
			expect(c1!.results[0].moves[0].reason).toContain('days in stage: 10 ≥ 1');

			// As of D+5 12:00, c2's last buy was D 16:00 (4 whole days), not the one an hour ago.
			const c2 = await store.evaluateActivity({
				journey: 'asof',
				customerIds: ['c2'],
				asOf: d + 5 * DAY_MS + 12 * hour,
			});
			expect(c2!.results[0]).toMatchObject({
				stage: 'gone',
				moved: true,
				countsByType: { buy: 2 },
			});
			expect(c2!.results[0].moves.map((m) => m.ruleId)).toEqual(['quiet']);
			expect(c2!.results[0].moves[0].reason).toContain('days since last event: 4 ≥ 4');

			// An instant just before D 08:00 on the same day sees only the buy of D−10.
			const early = await store.evaluateActivity({
				journey: 'asof',
				customerIds: ['c1'],
				asOf: d + 8 * hour - 1,
				includeUnchanged: true,
			});
			expect(early!.results[0]).toMatchObject({ eventCount: 0, countsByType: {} });
			const exact = await store.evaluateActivity({
				journey: 'asof',
				customerIds: ['c1'],
				asOf: d + 8 * hour,
				includeUnchanged: true,
			});
			expect(exact!.results[0]).toMatchObject({ eventCount: 1, countsByType: { buy: 1 } });
		});

		test('named customers that cannot be evaluated are listed, or undo the whole run', async () => {
			await store.saveJourney(SCORED);
			ok(
				(
					await store.recordEvents([
						{ journey: 'scored', customerId: 'named-in', eventType: 'visit', eventId: 'ni-1' },
						{
							journey: 'revops_lifecycle',
							customerId: 'named-elsewhere',
							eventType: 'deal.won',
							eventId: 'ne-1',
						},
					])
				)[0],
			);
			const named = ['named-in', 'named-nobody', 'named-elsewhere'];
			const run = await store.evaluateActivity({ journey: 'scored', customerIds: named });
			expect(run!.results.map((r) => r.customerId)).toEqual(['named-in']);
			expect(run!.notEvaluated).toEqual([
				{ customerId: 'named-nobody', reason: 'unknown' },
				{ customerId: 'named-elsewhere', reason: 'notInJourney' },
			]);
			const scoped = await store.evaluateActivity({
				journey: 'scored',
				customerIds: ['named-in'],
				scope: { kind: 'owners', owners: ['somebody'] },
			});
			expect(scoped!.notEvaluated).toEqual([{ customerId: 'named-in', reason: 'outOfScope' }]);
			// All or nothing: the score of 'named-in' is not rewritten.
			const [before] = await driver.query(
				`SELECT s.computed_at FROM activity_scores s JOIN customers c ON c.id = s.customer_id
				 WHERE c.external_id = 'named-in'`,
			);
			await expect(
				store.evaluateActivity({
					journey: 'scored',
					customerIds: named,
					asOf: Date.now() + DAY_MS,
					allOrNothing: true,
				}),
			).rejects.toMatchObject({ name: 'NotEvaluated', customers: run!.notEvaluated });
			const [after] = await driver.query(
				`SELECT s.computed_at FROM activity_scores s JOIN customers c ON c.id = s.customer_id
				 WHERE c.external_id = 'named-in'`,
			);
			expect(Number(after.computed_at)).toBe(Number(before.computed_at));
		});

		test('days in stage: each run looks only at customers whose clock crossed the threshold since the last one', async () => {
			await store.saveJourney({
				key: 'onboarding',
				name: 'Onboarding',
				stages: [
					{ key: 'trial', name: 'Trial' },
					{ key: 'nudge', name: 'Nudge' },
				],
				automationRules: [
					{
						id: 'week',
						stage: 'nudge',
						conditions: [{ kind: 'daysInStage', operator: 'gt', value: 6.5 }],
					},
				],
			});
			const now = Date.now();
			// Entered 0, 2 and 4 days ago ("> 6.5 whole days" holds from 7 whole days on).
			for (const [id, days] of [
				['t0', 0],
				['t2', 2],
				['t4', 4],
			] as const) {
				ok(
					(
						await store.setStages([
							{
								journey: 'onboarding',
								customerId: id,
								stage: 'trial',
								occurredAt: iso(now - days * DAY_MS),
							},
						])
					)[0],
				);
			}
			const first = await store.evaluateActivity({ journey: 'onboarding', asOf: now });
			expect(first!.evaluated).toBe(3);
			expect(first!.results.filter((r) => r.moved)).toEqual([]);
			// 4 days on: t4 is at 8 days, t2 at 6: only t4 crossed 7 (and is looked at).
			const later = await store.evaluateActivity({ journey: 'onboarding', asOf: now + 4 * DAY_MS });
			expect(later!.evaluated).toBe(1);
			expect(later!.results.map((r) => [r.customerId, r.stage])).toEqual([['t4', 'nudge']]);
			expect(later!.results[0].moves[0].reason).toContain('days in stage: 8 > 6.5');
			// 1 more day: t2 crosses.
			const next = await store.evaluateActivity({ journey: 'onboarding', asOf: now + 5 * DAY_MS });
			expect(next!.results.map((r) => [r.customerId, r.stage])).toEqual([['t2', 'nudge']]);
			expect(next!.evaluated).toBe(1);
		});
	});
}

describeBackend('embedded SQLite', () => sqliteBackend('cs-activity'), true);
describeBackend('PostgreSQL', () => postgresBackend('cs_activity'), pgAvailable);
