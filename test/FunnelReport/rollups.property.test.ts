import fc from 'fast-check';
import { parseJourney } from '../../nodes/engine/journey';
import type { Scope } from '../../nodes/engine/inputs';
import type { MetricTransition } from '../../nodes/engine/metrics';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import { JourneyCache } from '../../nodes/store/journeys';
import { funnelReport } from '../../nodes/store/reports';
import { backfillRollupsSql, catchUpRollups, ROLLUP_COUNTS } from '../../nodes/store/rollups';
import type { Store } from '../../nodes/store/Store';
import { postgresBackend, sqliteBackend, type Backend } from '../store/backends';
import { pgAvailable } from '../store/pgTarget';
import { bruteForceReport } from './bruteForce';

/**
 * The Funnel Report as the store makes it — daily roll-ups kept by every write, the period's own
 * moves, the partial days at each instant — equals the brute-force recomputation from the
 * transitions, on random histories written through the store's own paths: Set Stage, Record
 * Event (automatic moves, late events: a move's time is never before the previous one), Import
 * (owner and department changes between moves), Set Status and Customer → Delete (erasure), in
 * batches of several items; reports at random instants (not at midnight), periods, scopes and
 * time zones, and as of past instants. Roll-ups built by migration 11 from the same history
 * equal the ones kept live.
 */

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const START = Date.parse('2026-01-01T00:00:00Z');

const JOURNEY = {
	key: 'p',
	name: 'P',
	stages: [
		{ key: 's0', name: 'S0', status: 'open' },
		{ key: 's1', name: 'S1' },
		{ key: 'x', name: 'X', kind: 'exit' },
		{ key: 's2', name: 'S2' },
		{ key: 's3', name: 'S3', status: 'closed' },
		{ key: 'y', name: 'Y', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'warm', stage: 's1' },
		{ eventType: 'hot', stage: 's2' },
		{ eventType: 'won', stage: 's3' },
		{ eventType: 'bye', stage: 'y' },
	],
	statuses: [
		{ key: 'open', name: 'Open' },
		{ key: 'closed', name: 'Closed' },
	],
	reminderRules: [
		{ id: 'r1', stage: 's1', kind: 'daysWithoutContact', days: 1 },
		{ id: 'r2', stage: 's1', kind: 'daysInStage', days: 3 },
		{ id: 'r3', stage: 's2', kind: 'daysInStage', days: 1.5 },
		// Business days: counted on the local Monday–Friday of the report's time zone.
		{ id: 'r4', stage: 'x', kind: 'daysInStage', days: 2, businessDays: true },
	],
};
const SLA_DAYS: Record<string, number> = { s1: 3, s2: 1.5, x: 2 };
const STAGES = JOURNEY.stages.map((s) => s.key);
// bob works in two departments: a customer can enter a stage twice under bob, once per department.
const PAIRS = [
	['ann', 'east'],
	['bob', 'east'],
	['bob', 'west'],
	['cai', 'west'],
] as const;
const CUSTOMERS = 4;

const minutes = fc.integer({ min: 0, max: 40 * 24 * 60 });
const customer = fc.integer({ min: 0, max: CUSTOMERS - 1 });
const opArb = fc.oneof(
	{
		weight: 6,
		arbitrary: fc.record({
			kind: fc.constant('set' as const),
			customer,
			stage: fc.constantFrom(...STAGES),
			at: minutes,
		}),
	},
	{
		weight: 4,
		arbitrary: fc.record({
			kind: fc.constant('event' as const),
			customer,
			type: fc.constantFrom('warm', 'hot', 'won', 'bye', 'noise'),
			at: minutes,
		}),
	},
	{
		weight: 4,
		arbitrary: fc.record({
			kind: fc.constant('owner' as const),
			customer,
			pair: fc.constantFrom(...PAIRS, PAIRS[1], PAIRS[2]),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('status' as const),
			customer,
			status: fc.constantFrom('open', 'closed'),
			at: minutes,
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('erase' as const),
			customer: fc.constant(CUSTOMERS - 1),
		}),
	},
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Batches of one to five items; a batch's items of one kind go in one call. Only the last
 * customer is ever erased (sometimes more than once: a new customer takes the id), so the
 * others build long histories.
 */
const historyArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 5 }), {
	minLength: 6,
	maxLength: 24,
	size: 'max',
});

const instantArb = fc
	.integer({ min: -2 * 24 * 60, max: 45 * 24 * 60 })
	.map((m) => START + m * MINUTE);
/**
 * Instants taken from the history itself, where off-by-one mistakes show: a move's own time (the
 * period's start or end on it), or the moment its stay reaches its stage's SLA; give or take 1 ms.
 */
const pinArb = fc.record({
	move: fc.nat(),
	what: fc.constantFrom('from', 'to', 'asOf', 'sla'),
	delta: fc.constantFrom(-1, 0, 1),
	/** Days past the SLA, so that business-day SLAs meet weekends. */
	extraDays: fc.integer({ min: 0, max: 4 }),
});

const windowArb = fc.record({
	from: instantArb,
	lengthMinutes: fc.integer({ min: 0, max: 30 * 24 * 60 }),
	asOf: fc.option(instantArb, { nil: undefined }),
	scope: fc.constantFrom<Scope | undefined>(
		undefined,
		{ kind: 'departments', departments: ['east'] },
		{ kind: 'owners', owners: ['bob'] },
		{ kind: 'owners', owners: [''] },
		{ kind: 'departments', departments: ['west'] },
		{ kind: 'owners', owners: ['ann', 'bob'] },
		{ kind: 'departments', departments: ['east', 'west'] },
	),
	timeZone: fc.constantFrom('UTC', 'Asia/Kathmandu', 'America/St_Johns'),
});

let run = 0;

/** What the random histories held, so the test shows it tried what it says. */
const seen = { moves: 0, erased: 0, late: 0, ownerChanges: 0 };

function done(outcomes: Array<{ ok: boolean; error?: Error }>) {
	for (const outcome of outcomes) if (!outcome.ok) throw outcome.error;
}

async function write(store: Store, journey: string, batches: Op[][]) {
	const id = (c: number) => `${journey}-c${c}`;
	const iso = (m: number) => new Date(START + m * MINUTE).toISOString();
	for (const batch of batches) {
		const of = <K extends Op['kind']>(kind: K) =>
			batch.filter((op): op is Extract<Op, { kind: K }> => op.kind === kind);
		const sets = of('set').map((op) => ({
			journey,
			customerId: id(op.customer),
			stage: op.stage,
			occurredAt: iso(op.at),
		}));
		if (sets.length) done(await store.setStages(sets));
		const events = of('event').map((op) => ({
			journey,
			customerId: id(op.customer),
			eventType: op.type,
			occurredAt: iso(op.at),
		}));
		if (events.length) done(await store.recordEvents(events));
		const owners = of('owner').map((op) => ({
			customerId: id(op.customer),
			owner: op.pair[0],
			department: op.pair[1],
		}));
		if (owners.length) done(await store.importCustomers(owners));
		const statuses = of('status').map((op) => ({
			journey,
			customerId: id(op.customer),
			status: op.status,
			occurredAt: iso(op.at),
		}));
		if (statuses.length) done(await store.setStatuses(statuses));
		const erased = of('erase').map((op) => ({ customerId: id(op.customer) }));
		// An erased customer may not exist (yet, or any more): that item's error, nothing else.
		for (const outcome of await store.eraseCustomers(erased)) {
			if (outcome.ok) seen.erased++;
			else expect(outcome.error.message).toMatch(/not found|does not exist|unknown/i);
		}
	}
}

async function transitionsOf(driver: SqlDriver, journey: string): Promise<MetricTransition[]> {
	const rows = await driver.query(
		`SELECT t.customer_id, t.from_stage, t.to_stage, t.occurred_at, t.from_entered_at, t.owner, t.department
		 FROM transitions t JOIN journeys j ON j.id = t.journey_id WHERE j.journey_key = ?
		 ORDER BY t.customer_id, t.id`,
		[journey],
	);
	return rows.map((row) => ({
		customer: Number(row.customer_id),
		fromStage: row.from_stage === null ? null : String(row.from_stage),
		toStage: String(row.to_stage),
		occurredAt: Number(row.occurred_at),
		fromEnteredAt: row.from_entered_at === null ? null : Number(row.from_entered_at),
		owner: row.owner === null ? null : String(row.owner),
		department: row.department === null ? null : String(row.department),
	}));
}

/** funnel_days as a sorted list of its non-zero rows. */
async function rollupRows(driver: SqlDriver, table = 'funnel_days') {
	const rows = await driver.query(
		`SELECT journey_id, day, stage, owner, department, ${ROLLUP_COUNTS.join(', ')} FROM ${table}`,
	);
	return rows
		.map((row) =>
			[
				row.journey_id,
				row.day,
				row.stage,
				row.owner,
				row.department,
				...ROLLUP_COUNTS.map((c) => row[c]),
			].map((v) => (typeof v === 'string' ? v : Number(v))),
		)
		.filter((row) => row.slice(5).some((n) => n !== 0))
		.map((row) => JSON.stringify(row))
		.sort();
}

interface Window {
	from: number;
	to: number;
	asOf: number;
	timeZone: string;
	scope?: Scope;
}

/**
 * The store's report, in total and per owner, equals the brute force over `all`: as the node gets
 * it (Store#funnelReport), and read each way (roll-ups or the whole history) whichever is cheaper.
 */
async function matchesBruteForce(
	store: Store,
	driver: SqlDriver,
	key: string,
	all: MetricTransition[],
	w: Window,
) {
	const chosen = (await store.funnelReport(key, w))!;
	for (const read of ['rollups', 'history'] as const) {
		const report = (await funnelReport(driver, new JourneyCache(), key, w, { read }))!;
		expect(report).toEqual(chosen);
	}
	const expected = bruteForceReport(parseJourney({ ...JOURNEY, key }), all, w);
	expect(chosen.to).toBe(Math.min(w.to, w.asOf));
	expect(chosen.stages).toEqual(expected.stages);
	expect(chosen.owners).toEqual(expected.owners);
}

const backends: Array<[string, (prefix: string) => Backend, boolean, number]> = [
	['embedded SQLite', sqliteBackend, true, 100],
	['PostgreSQL', postgresBackend, pgAvailable, 25],
];

describe.each(backends)('Funnel Report from roll-ups: %s', (_, make, available, runs) => {
	const maybe = available ? test : test.skip;
	let backend: Backend;
	let store: Store;
	let driver: SqlDriver;

	beforeAll(async () => {
		if (!available) return;
		backend = make('cs_rollups');
		({ store, driver } = await backend.open());
	});
	afterAll(async () => {
		if (!available) return;
		await store.close();
		await backend.cleanup();
	});

	maybe(
		'equals the brute force on random histories, at random instants, scopes and zones',
		async () => {
			await fc.assert(
				fc.asyncProperty(
					historyArb,
					fc.array(windowArb, { minLength: 1, maxLength: 4 }),
					fc.array(pinArb, { maxLength: 3 }),
					async (batches, windows, pins) => {
						const key = `p${run++}`;
						await store.saveJourney({ ...JOURNEY, key });
						await write(store, key, batches);
						const all = await transitionsOf(driver, key);
						seen.moves += all.length;
						for (const [i, t] of all.entries()) {
							const before = all[i - 1];
							if (before?.customer !== t.customer) continue;
							if (before.owner !== t.owner) seen.ownerChanges++;
						}
						seen.late += (
							await driver.query(
								`SELECT COUNT(*) AS n FROM transitions t JOIN journeys j ON j.id = t.journey_id
							 WHERE j.journey_key = ? AND t.event_occurred_at < t.occurred_at`,
								[key],
							)
						).map((row) => Number(row.n))[0];
						const reports = windows.map((w) => ({
							...w,
							to: w.from + w.lengthMinutes * MINUTE,
							asOf: w.asOf ?? START + 60 * DAY,
						}));
						// Each customer's last move: where a stay still runs at the instant (over SLA or not).
						const lastMoves = all.filter((t, i) => all[i + 1]?.customer !== t.customer);
						for (const pin of all.length > 0 ? pins : []) {
							const t = all[pin.move % all.length];
							const at = t.occurredAt + pin.delta;
							const w = { ...reports[0] };
							if (pin.what === 'from') w.from = at;
							if (pin.what === 'to') w.to = at;
							if (pin.what === 'asOf') w.asOf = at;
							if (pin.what === 'sla') {
								// The instant its stay reaches the SLA, for a period ending then or not.
								const last = lastMoves[pin.move % lastMoves.length];
								w.asOf =
									last.occurredAt +
									((SLA_DAYS[last.toStage] ?? 1) + pin.extraDays) * DAY +
									pin.delta;
								reports.push({ ...w, from: w.asOf - 10 * DAY, to: w.asOf });
							}
							reports.push(w);
						}
						for (const w of reports) await matchesBruteForce(store, driver, key, all, w);
					},
				),
				{ numRuns: runs },
			);
			expect(seen.moves).toBeGreaterThan(runs * 5);
			expect(seen.erased).toBeGreaterThan(runs / 5);
			expect(seen.late).toBeGreaterThan(runs / 5);
			expect(seen.ownerChanges).toBeGreaterThan(runs / 5);
			// Migration 11's backfill, from the same transitions, gives the roll-ups brought up to
			// date report by report (and once more here, for the moves since the last report).
			await catchUpRollups(driver);
			await driver.run(`CREATE TABLE funnel_days_rebuilt AS SELECT * FROM funnel_days WHERE 1 = 0`);
			await driver.run(
				backfillRollupsSql().replace('INSERT INTO funnel_days', 'INSERT INTO funnel_days_rebuilt'),
			);
			expect(await rollupRows(driver, 'funnel_days_rebuilt')).toEqual(await rollupRows(driver));
			expect((await rollupRows(driver)).length).toBeGreaterThan(100);
		},
		600_000,
	);

	maybe('two readers bringing the roll-ups up to date at once book every move once', async () => {
		const key = 'race';
		await store.saveJourney({ ...JOURNEY, key });
		for (let round = 0; round < 5; round++) {
			const moves = Array.from({ length: 30 }, (_, i) => ({
				journey: key,
				customerId: `r${i % 9}`,
				stage: `s${(i + round) % 3}`,
				occurredAt: new Date(START + (round * 30 + i) * 3_600_000).toISOString(),
			}));
			for (const move of moves) done(await store.setStages([move]));
			// A second connection (another n8n worker) reports at the same moment. node:sqlite is
			// synchronous, so two SQLite connections of one process cannot wait on each other's
			// lock: there the second follows the first (its BEGIN IMMEDIATE is what orders them).
			const other = await backend.open();
			try {
				// One of them books in steps of 7 moves (a step boundary splits customers' moves).
				const stepwise = catchUpRollups(driver, { movesPerTransaction: 7 });
				if (driver.dialect.name === 'postgres')
					await Promise.all([stepwise, catchUpRollups(other.driver)]);
				else await stepwise.then(() => catchUpRollups(other.driver));
			} finally {
				await other.store.close();
			}
			await driver.run(`DROP TABLE IF EXISTS funnel_days_rebuilt`);
			await driver.run(`CREATE TABLE funnel_days_rebuilt AS SELECT * FROM funnel_days WHERE 1 = 0`);
			await driver.run(
				backfillRollupsSql().replace('INSERT INTO funnel_days', 'INSERT INTO funnel_days_rebuilt'),
			);
			expect(await rollupRows(driver, 'funnel_days_rebuilt')).toEqual(await rollupRows(driver));
		}
		await driver.run(`DROP TABLE funnel_days_rebuilt`);
	});

	maybe('history total counts a customer once per group, whoever they entered under', async () => {
		// m enters s0 and s1 three times: under ann (east), bob (east), bob (west); n once, cai.
		const key = 'mixed';
		await store.saveJourney({ ...JOURNEY, key });
		const iso = (day: number, hour = 10) =>
			new Date(START + day * DAY + hour * 3_600_000).toISOString();
		const move = async (customerId: string, stage: string, day: number) =>
			done(await store.setStages([{ journey: key, customerId, stage, occurredAt: iso(day) }]));
		const owner = async (customerId: string, owner: string, department: string) =>
			done(await store.importCustomers([{ customerId, owner, department }]));
		await owner('m', 'ann', 'east');
		await move('m', 's0', 1);
		await move('m', 's1', 2);
		await owner('m', 'bob', 'east');
		await move('m', 's0', 3);
		await move('m', 's1', 4);
		await owner('m', 'bob', 'west');
		await move('m', 's0', 5);
		await move('m', 's1', 6);
		await owner('n', 'cai', 'west');
		await move('n', 's0', 2);
		const all = await transitionsOf(driver, key);
		const scopes: Array<Scope | undefined> = [
			undefined,
			{ kind: 'departments', departments: ['east'] },
			{ kind: 'departments', departments: ['west'] },
			{ kind: 'owners', owners: ['bob'] },
			{ kind: 'departments', departments: ['west', 'east'] },
			{ kind: 'owners', owners: ['ann', 'bob'] },
		];
		for (const scope of scopes) {
			for (const [from, asOf] of [
				[START, START + 10 * DAY],
				[START + 4 * DAY, START + 10 * DAY],
				[START + 2 * DAY + 12 * 3_600_000, START + 5 * DAY + 11 * 3_600_000],
			]) {
				await matchesBruteForce(store, driver, key, all, {
					from,
					to: asOf,
					asOf,
					timeZone: 'UTC',
					scope,
				});
			}
		}
		const report = (await store.funnelReport(key, {
			from: START,
			to: START + 10 * DAY,
			asOf: START + 10 * DAY,
			timeZone: 'UTC',
		}))!;
		const bob = report.owners.find((o) => o.owner === 'bob')!;
		expect(report.stages.map((s) => s.historyTotal)).toEqual([2, 1, 0, 0, 0, 0]);
		expect(bob.stages.map((s) => s.historyTotal)).toEqual([1, 1, 0, 0, 0, 0]);
	});
});
