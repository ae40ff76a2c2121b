/**
 * Funnel Report benchmark: a mid-size company's history (1M customers, 5M transitions over two
 * years, 20 owners and an unassigned pool) in the embedded store, and the report for the last
 * 30 days (in UTC, and in Shanghai's time at 13:30 UTC, so both ends fall inside a UTC day), for
 * all time and as of a date a year back. Each is printed next to a naive baseline in the same
 * process: one scan over the journey's transitions through the same driver, counting moves into
 * each stage in the period (the least a report that reads history row by row pays). With
 * BENCH_COMPARE=1 the report from the whole history (the way before the roll-ups) is timed too,
 * and every number of both is checked equal.
 *
 *   npm run bench:funnel
 *   BENCH_CUSTOMERS=100000 npm run bench:funnel     # smaller, for a quick look
 *   BENCH_DB=/tmp/funnel.sqlite npm run bench:funnel # keep the generated store for the next run
 *   BENCH_COMPARE=1 npm run bench:funnel            # also the whole-history report, checked equal
 *   BENCH_ORDER=customer npm run bench:funnel       # history stored customer by customer
 *   BENCH_POSTGRES=1 npm run bench:funnel           # then the same history in PostgreSQL too
 *
 * The history is stored in time order by default, as ingest stores it (each move appended when
 * it happens), so a period's moves lie together. BENCH_ORDER=customer stores each customer's five
 * moves together instead, as an import of a whole history customer by customer would: then a
 * month's moves are spread over as many pages as it has moves (the worst case for a period).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isDeepStrictEqual } from 'node:util';
import { resolvePeriod, type ReportWindow } from '../nodes/engine/metrics';
import { SqliteDriver } from '../nodes/store/driver/sqlite';
import { JourneyCache } from '../nodes/store/journeys';
import { SCHEMA_VERSION } from '../nodes/store/migrations';
import { funnelReport } from '../nodes/store/reports';
import { backfillRollupsSql, MARK_BOOKED_SQL } from '../nodes/store/rollups';
import { Store } from '../nodes/store/Store';
import { createDriver } from '../nodes/store/openStore';
import { copyHistory } from './funnelPostgres';
import { PG_URL, pgReachable, withSchema } from './postgres';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const TRANSITIONS_PER_CUSTOMER = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COMPARE = process.env.BENCH_COMPARE === '1';
const ORDER = process.env.BENCH_ORDER === 'customer' ? 'customer' : 'time';
const POSTGRES = process.env.BENCH_POSTGRES === '1';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-22T00:00:00Z');
const SPAN = 730 * DAY;

const JOURNEY = {
	key: 'bench',
	name: 'Bench',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'mql', name: 'MQL' },
		{ key: 'sql', name: 'SQL' },
		{ key: 'opportunity', name: 'Opportunity' },
		{ key: 'won', name: 'Won' },
		{ key: 'lost', name: 'Lost', kind: 'exit' },
	],
	reminderRules: [
		{ id: 'mql_sla', stage: 'mql', kind: 'daysInStage', days: 14 },
		{ id: 'sql_sla', stage: 'sql', kind: 'daysInStage', days: 7 },
	],
};
const PATH = ['lead', 'mql', 'sql', 'opportunity', 'won'];

/** A deterministic generator, so every run counts the same history. */
function random(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

/**
 * Exactly TRANSITIONS_PER_CUSTOMER moves per customer: mostly forward, sometimes back or to Lost
 * (and back onto the path), 1–20 days apart, starting anywhere in the two years before NOW.
 */
function generate(file: string, journeyId: number) {
	const db = new DatabaseSync(file);
	db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF');
	const next = random(42);
	const insertCustomer = db.prepare(
		`INSERT INTO customers (id, external_id, owner, department, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
	);
	const columns = `journey_id, journey_version, customer_id, from_stage, to_stage, direction,
		 reason_kind, reason, owner, department, occurred_at, recorded_at, event_occurred_at, from_entered_at`;
	// Time order: the moves are generated customer by customer into a scratch table first.
	const target = ORDER === 'time' ? 'generated_moves' : 'transitions';
	if (ORDER === 'time') {
		db.exec(`CREATE TEMP TABLE generated_moves AS SELECT ${columns} FROM transitions WHERE 0`);
	}
	const insertMove = db.prepare(
		`INSERT INTO ${target} (${columns}) VALUES (?, 1, ?, ?, ?, ?, 'manual', 'bench', ?, ?, ?, ?, ?, ?)`,
	);
	const insertMembership = db.prepare(
		`INSERT INTO memberships (journey_id, customer_id, stage_key, entered_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
	);
	const perCommit = 50_000;
	db.exec('BEGIN');
	for (let c = 1; c <= CUSTOMERS; c++) {
		const ownerNumber = Math.floor(next() * 21);
		const owner = ownerNumber === 20 ? null : `owner-${ownerNumber}`;
		const department = owner === null ? null : `department-${ownerNumber % 4}`;
		let at = NOW - SPAN + Math.floor(next() * (SPAN - 20 * DAY));
		insertCustomer.run(c, `customer-${c}`, owner, department, at, at);
		let stage: string | null = null;
		let position = -1;
		let enteredAt: number | null = null;
		for (let m = 0; m < TRANSITIONS_PER_CUSTOMER; m++) {
			const roll = next();
			let target: string;
			let direction: string;
			if (stage === null) {
				position = roll < 0.8 ? 0 : 1;
				target = PATH[position];
				direction = 'initial';
			} else if (stage === 'lost') {
				position = 0;
				target = 'lead';
				direction = 're-entry';
			} else if (roll < 0.12) {
				target = 'lost';
				direction = 'exit';
			} else if (roll < 0.2 && position > 0) {
				position--;
				target = PATH[position];
				direction = 'regress';
			} else if (position < PATH.length - 1) {
				position++;
				target = PATH[position];
				direction = 'advance';
			} else {
				target = 'lost';
				direction = 'exit';
			}
			at = Math.min(NOW - 1, at + DAY + Math.floor(next() * 19 * DAY));
			insertMove.run(
				journeyId,
				c,
				stage,
				target,
				direction,
				owner,
				department,
				at,
				at,
				at,
				enteredAt,
			);
			stage = target;
			enteredAt = at;
		}
		insertMembership.run(journeyId, c, stage, enteredAt, enteredAt);
		if (c % perCommit === 0) {
			db.exec('COMMIT');
			db.exec('BEGIN');
		}
	}
	db.exec('COMMIT');
	if (ORDER === 'time') {
		// A customer's moves are 1+ days apart, so time order keeps each customer's own order.
		db.exec(
			`INSERT INTO transitions (${columns}) SELECT ${columns} FROM generated_moves ORDER BY occurred_at, customer_id`,
		);
		db.exec('DROP TABLE generated_moves');
	}
	db.exec('ANALYZE');
	db.close();
}

function schemaVersionOf(file: string): number {
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		const row = db.prepare(`SELECT MAX(version) AS version FROM schema_migrations`).get();
		return Number(row?.version ?? 0);
	} finally {
		db.close();
	}
}

async function timed(work: () => Promise<unknown>): Promise<number> {
	const start = process.hrtime.bigint();
	await work();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

type Report = Awaited<ReturnType<Store['funnelReport']>>;

/**
 * Times each case's report against the naive baseline (which returns the moves it counted in
 * the period), checks that they count the same moves, and prints a table row per case. With
 * `wholeHistory`, the report read from the whole history is timed too and checked equal.
 */
async function measure(
	cases: Array<[string, ReportWindow]>,
	report: (window: ReportWindow) => Promise<Report>,
	naiveScan: (window: ReportWindow) => Promise<number>,
	baseline: string,
	wholeHistory?: (window: ReportWindow) => Promise<Report>,
) {
	console.log(
		`\n| report | Funnel Report (median of ${ROUNDS}) | ${baseline} | ratio |${wholeHistory ? ' from the whole history | × faster |' : ''}`,
	);
	console.log(`| --- | ---: | ---: | ---: |${wholeHistory ? ' ---: | ---: |' : ''}`);
	for (const [name, window] of cases) {
		const reportTimes: number[] = [];
		const scanTimes: number[] = [];
		const wholeTimes: number[] = [];
		let transfersIn = 0;
		let scanned = 0;
		for (let round = 0; round < ROUNDS; round++) {
			scanTimes.push(
				await timed(async () => {
					scanned = await naiveScan(window);
				}),
			);
			let made: Report = null;
			reportTimes.push(
				await timed(async () => {
					made = await report(window);
					transfersIn = made!.stages.reduce((sum, s) => sum + s.transfersIn, 0);
				}),
			);
			if (wholeHistory) {
				let whole: Report = null;
				wholeTimes.push(
					await timed(async () => {
						whole = await wholeHistory(window);
					}),
				);
				if (!isDeepStrictEqual(made, whole)) {
					throw new Error(`${name}: the report differs from the one from the whole history`);
				}
			}
		}
		if (transfersIn !== scanned) {
			throw new Error(`${name}: report counts ${transfersIn} moves, the scan ${scanned}`);
		}
		const reportTime = median(reportTimes);
		const scanTime = median(scanTimes);
		const wholeTime = wholeHistory ? median(wholeTimes) : 0;
		console.log(
			`| ${name} (${transfersIn.toLocaleString('en')} moves in the period) | ${reportTime.toFixed(0)} ms | ${scanTime.toFixed(0)} ms | ${(reportTime / scanTime).toFixed(2)} |${wholeHistory ? ` ${wholeTime.toFixed(0)} ms | ${(wholeTime / reportTime).toFixed(1)} |` : ''}`,
		);
	}
}

/**
 * The same history in PostgreSQL (a throwaway schema, the kept store copied in, roll-ups built
 * as migration 11 does), the same cases; the baseline there is one pass in the server over the
 * journey's moves before the instant, counting those in the period (what a hand-written report
 * query would cost at least). Each report must equal the embedded store's.
 */
async function measureOnPostgres(file: string, cases: Array<[string, ReportWindow]>) {
	if (!(await pgReachable())) throw new Error(`BENCH_POSTGRES=1: no PostgreSQL at ${PG_URL}`);
	const embedded = await Store.open(new SqliteDriver(file));
	await withSchema('bench_funnel', async (schema) => {
		const driver = createDriver({ backend: 'postgres', connectionString: PG_URL, schema });
		const store = await Store.open(driver);
		try {
			await store.saveJourney(JOURNEY);
			const copying = Date.now();
			await copyHistory(file, driver);
			console.log(
				`\nPostgreSQL: history copied and its roll-ups built in ${((Date.now() - copying) / 1000).toFixed(1)} s`,
			);
			const [{ id }] = await driver.query(`SELECT id FROM journeys WHERE journey_key = 'bench'`);
			await measure(
				cases,
				(window) => store.funnelReport('bench', window),
				async (window) => {
					const [row] = await driver.query(
						`SELECT COUNT(*) FILTER (WHERE occurred_at >= ? AND occurred_at < ?) AS moves
						 FROM transitions WHERE journey_id = ? AND occurred_at < ?`,
						[window.from, window.to, id, window.asOf],
					);
					return Number(row.moves);
				},
				'one count in the server',
			);
			// The journey rows differ (ids, times saved); every number must not.
			const numbers = (report: Report) => report && { ...report, journey: null };
			for (const [name, window] of cases) {
				const made = await store.funnelReport('bench', window);
				const expected = await embedded.funnelReport('bench', window);
				if (!isDeepStrictEqual(numbers(made), numbers(expected))) {
					throw new Error(`${name}: the PostgreSQL report differs from the embedded store's`);
				}
			}
			console.log("every PostgreSQL report equals the embedded store's");
		} finally {
			await store.close();
			await embedded.close();
		}
	});
}

async function main() {
	const dir = mkdtempSync(join(tmpdir(), 'cs-bench-funnel-'));
	const file = process.env.BENCH_DB ?? join(dir, 'store.sqlite');
	const fresh = !existsSync(file);
	const storedVersion = fresh ? null : schemaVersionOf(file);
	const driver = new SqliteDriver(file);
	const opening = Date.now();
	const store = await Store.open(driver);
	if (storedVersion !== null && storedVersion < SCHEMA_VERSION) {
		// What an existing user pays once, on the first open after an update.
		console.log(
			`migrated the kept store from schema version ${storedVersion} to ${SCHEMA_VERSION} in ${((Date.now() - opening) / 1000).toFixed(1)} s`,
		);
	}
	try {
		if (fresh) {
			await store.saveJourney(JOURNEY);
			const [row] = await driver.query(`SELECT id FROM journeys WHERE journey_key = 'bench'`);
			const started = Date.now();
			generate(file, Number(row.id));
			console.log(
				`generated ${CUSTOMERS.toLocaleString('en')} customers, ${(CUSTOMERS * TRANSITIONS_PER_CUSTOMER).toLocaleString('en')} transitions (stored in ${ORDER} order) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
			);
			// The history went in behind the store's back: build its roll-ups as migration 11 does.
			const built = Date.now();
			await driver.run(backfillRollupsSql());
			await driver.run(MARK_BOOKED_SQL);
			await driver.run('ANALYZE');
			const [{ days }] = await driver.query(`SELECT COUNT(*) AS days FROM funnel_days`);
			console.log(
				`roll-ups built as migration 11 does: ${Number(days).toLocaleString('en')} rows in ${((Date.now() - built) / 1000).toFixed(1)} s`,
			);
		}
		const [{ n }] = await driver.query(`SELECT COUNT(*) AS n FROM transitions`);
		console.log(`store: ${file} (${Number(n).toLocaleString('en')} transitions)`);

		const cases: Array<[string, ReportWindow]> = [
			['last 30 days', { from: NOW - 30 * DAY, to: NOW, asOf: NOW, timeZone: 'UTC' }],
			[
				'last 30 days in Asia/Shanghai, at 13:30 UTC',
				{
					...resolvePeriod('last30Days', 'Asia/Shanghai', NOW + 13.5 * HOUR),
					asOf: NOW + 13.5 * HOUR,
					timeZone: 'Asia/Shanghai',
				},
			],
			['all time', { from: 0, to: NOW, asOf: NOW, timeZone: 'UTC' }],
			[
				'as of a year back (its last 30 days)',
				{ from: NOW - 395 * DAY, to: NOW - 365 * DAY, asOf: NOW - 365 * DAY, timeZone: 'UTC' },
			],
		];
		// The naive baseline: one pass over the journey's transitions before the instant, straight
		// from node:sqlite (row by row, nothing kept), counting moves into each stage in the period.
		// NOT INDEXED: the table in storage order, the cheapest pass (along the time index each row
		// would be a random read).
		const raw = new DatabaseSync(file, { readOnly: true });
		const scan = raw.prepare(
			`SELECT customer_id, from_stage, to_stage, occurred_at, from_entered_at, owner, department
			 FROM transitions NOT INDEXED WHERE journey_id = (SELECT id FROM journeys WHERE journey_key = 'bench')
			 AND occurred_at < ?`,
		);
		const naiveScan = async (window: ReportWindow) => {
			let moves = 0;
			for (const row of scan.iterate(window.asOf) as Iterable<Record<string, unknown>>) {
				const at = Number(row.occurred_at);
				if (at >= window.from && at < window.to) moves++;
			}
			return moves;
		};
		await measure(
			cases,
			(window) => store.funnelReport('bench', window),
			naiveScan,
			'naive single scan',
			COMPARE
				? (window) => funnelReport(driver, new JourneyCache(), 'bench', window, { read: 'history' })
				: undefined,
		);
		raw.close();
		if (POSTGRES) await measureOnPostgres(file, cases);
	} finally {
		await store.close();
		if (!process.env.BENCH_DB) rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
