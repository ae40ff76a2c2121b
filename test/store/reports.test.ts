import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scope } from '../../nodes/engine/inputs';
import type { ReportWindow, StageMetrics } from '../../nodes/engine/metrics';
import { PostgresDriver } from '../../nodes/store/driver/postgres';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import type { SqlDriver, SqlExecutor } from '../../nodes/store/driver/sql';
import { JourneyCache } from '../../nodes/store/journeys';
import { funnelReport, type JourneyReport } from '../../nodes/store/reports';
import { MIGRATIONS } from '../../nodes/store/migrations';
import { Store } from '../../nodes/store/Store';
import { dropSchemas, PG_URL, pgAvailable, uniqueSchema } from './pgTarget';
import { at, loadReportFixture } from './reportFixture';

const DAY = 24 * 60 * 60 * 1000;
const utc = (iso: string) => Date.parse(iso);
const MARCH = { from: utc('2026-03-01T00:00:00Z'), to: utc('2026-04-01T00:00:00Z') };
const APRIL = { from: utc('2026-04-01T00:00:00Z'), to: utc('2026-05-01T00:00:00Z') };

/**
 * One stage row, hand-counted, in this order: current, history total, transfers in, transfers
 * out, customers in, customers out, cohort customers, cohort converted, customers at start, flow
 * converted, stays ended, median days, p90 days, over SLA, funnel customers. The rates are the
 * quotients of these counts (DESIGN §6), checked from them.
 */
type Counts = [
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number | null,
	number | null,
	number | null,
	number | null,
];
const STAGES = ['lead', 'mql', 'sql', 'won', 'lost'] as const;
const SLA: Record<string, number | null> = { lead: null, mql: 17, sql: 21, won: null, lost: null };

function expected(table: Counts[]): Array<Partial<StageMetrics>> {
	let previousFunnel: number | null = null;
	return table.map((c, i) => {
		const isPath = STAGES[i] !== 'lost';
		const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
		const step = c[14] === null || previousFunnel === null ? null : rate(c[14], previousFunnel);
		if (isPath) previousFunnel = c[14];
		return {
			stage: STAGES[i],
			current: c[0],
			historyTotal: c[1],
			transfersIn: c[2],
			transfersOut: c[3],
			customersIn: c[4],
			customersOut: c[5],
			cohortCustomers: c[6],
			cohortConverted: c[7],
			cohortConversion: isPath ? rate(c[7], c[6]) : null,
			customersAtStart: c[8],
			flowConverted: c[9],
			flowConversion: isPath ? rate(c[9], c[8] + c[4]) : null,
			staysEnded: c[10],
			medianTimeInStageMs: c[11] === null ? null : c[11] * DAY,
			p90TimeInStageMs: c[12] === null ? null : c[12] * DAY,
			overSla: c[13],
			slaDays: SLA[STAGES[i]],
			funnelCustomers: c[14],
			stepConversion: step,
		};
	});
}

function rows(metrics: StageMetrics[]) {
	return metrics.map(({ stageName, kind, ...rest }) => rest);
}

const APRIL_TOTAL: Counts[] = [
	[0, 11, 4, 7, 4, 7, 4, 4, 3, 7, 7, 7, 34, null, 9],
	[5, 11, 6, 3, 6, 3, 6, 2, 2, 3, 3, 8, 10, 4, 9],
	[3, 7, 4, 2, 4, 2, 4, 0, 1, 1, 2, 17, 22, 2, 5],
	[3, 3, 1, 0, 1, 0, 1, 0, 2, 0, 0, null, null, null, 1],
	[1, 2, 1, 1, 1, 1, 0, 0, 1, 0, 1, 16, 16, null, null],
];
const APRIL_BY_OWNER: Array<[string | null, Counts[]]> = [
	[
		'ann',
		[
			[0, 4, 1, 2, 1, 2, 1, 1, 1, 2, 2, 12.5, 18, null, 3],
			[1, 3, 2, 1, 2, 1, 2, 1, 0, 1, 1, 8, 8, 1, 3],
			[1, 2, 1, 1, 1, 1, 1, 0, 1, 1, 1, 22, 22, 0, 2],
			[1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, null, null, null, 1],
			[0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 16, 16, null, null],
		],
	],
	[
		'bob',
		[
			[0, 3, 2, 3, 2, 3, 2, 2, 1, 3, 3, 5, 28, null, 3],
			[1, 3, 2, 1, 2, 1, 2, 1, 0, 1, 1, 2, 2, 1, 3],
			[1, 3, 2, 1, 2, 1, 2, 0, 0, 0, 1, 12, 12, 1, 2],
			[1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, null, null, null, 0],
			[1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, null, null, null, null],
		],
	],
	[
		'cai',
		[
			[0, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1, 6, 6, null, 2],
			[2, 4, 1, 1, 1, 1, 1, 0, 2, 1, 1, 10, 10, 2, 2],
			[1, 2, 1, 0, 1, 0, 1, 0, 0, 0, 0, null, null, 1, 1],
			[1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, null, null, null, 0],
			[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null],
		],
	],
	[
		null,
		[
			[0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 34, 34, null, 1],
			[1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, null, null, 0, 1],
			[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, 0, 0],
			[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, 0],
			[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null],
		],
	],
];

/** March as it stood on 20 March 00:00: the period is read up to then. */
const MARCH_AS_OF_20TH: Counts[] = [
	[5, 8, 8, 4, 7, 4, 7, 3, 1, 4, 4, 5, 10, null, 9],
	[1, 5, 5, 4, 5, 4, 5, 3, 0, 3, 4, 5.5, 7, 1, 5],
	[2, 3, 3, 1, 3, 1, 3, 1, 0, 1, 1, 9, 9, 0, 3],
	[1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, null, null, null, 1],
	[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null],
];

/** April as it stood on 15 April 00:00: c06 has not left SQL for Lost yet. */
const APRIL_AS_OF_15TH: Counts[] = [
	[0, 11, 4, 7, 4, 7, 4, 4, 3, 7, 7, 7, 34, null, 9],
	[5, 11, 6, 3, 6, 3, 6, 2, 2, 3, 3, 8, 10, 1, 9],
	[4, 7, 4, 1, 4, 1, 4, 0, 1, 1, 1, 22, 22, 0, 5],
	[3, 3, 1, 0, 1, 0, 1, 0, 2, 0, 0, null, null, null, 1],
	[0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 16, 16, null, null],
];

interface Backend {
	open(): Promise<SqlDriver>;
	/** A second, empty location, not migrated yet. */
	fresh(): SqlDriver;
	cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
	const dir = mkdtempSync(join(tmpdir(), 'cs-report-'));
	return {
		open: async () => new SqliteDriver(join(dir, 'store.sqlite')),
		fresh: () => new SqliteDriver(join(dir, 'old.sqlite')),
		cleanup: async () => rmSync(dir, { recursive: true, force: true }),
	};
}

function postgresBackend(): Backend {
	const schema = uniqueSchema('cs_report');
	return {
		open: async () => new PostgresDriver({ connectionString: PG_URL }, schema),
		fresh: () => new PostgresDriver({ connectionString: PG_URL }, `${schema}_old`),
		cleanup: () => dropSchemas(schema, `${schema}_old`),
	};
}

const backends: Array<[string, () => Backend, boolean]> = [
	['embedded SQLite', sqliteBackend, true],
	['PostgreSQL', postgresBackend, pgAvailable],
];

describe.each(backends)('Funnel Report on the hand-counted fixture: %s', (_, make, available) => {
	const maybe = available ? test : test.skip;
	let backend: Backend;
	let driver: SqlDriver;
	let store: Store;

	beforeAll(async () => {
		if (!available) return;
		backend = make();
		driver = await backend.open();
		store = await Store.open(driver);
		await loadReportFixture(store);
	});
	afterAll(async () => {
		if (!available) return;
		await store.close();
		await backend.cleanup();
	});

	const report = async (
		period: { from: number; to: number },
		asOf: number,
		scope?: Scope,
	): Promise<JourneyReport> => {
		const result = await store.funnelReport('sales', { ...period, asOf, timeZone: 'UTC', scope });
		if (!result) throw new Error('no report');
		return result;
	};

	maybe('April: every metric of every stage', async () => {
		const april = await report(APRIL, APRIL.to);
		expect(april.activeCustomers).toBe(9);
		expect(rows(april.stages)).toEqual(expected(APRIL_TOTAL));
		expect(april.stages.map((s) => [s.stageName, s.kind])).toEqual([
			['Lead', 'path'],
			['MQL', 'path'],
			['SQL', 'path'],
			['Won', 'path'],
			['Lost', 'exit'],
		]);
	});

	maybe('April per employee, by the owner on each transition; unassigned last', async () => {
		const april = await report(APRIL, APRIL.to);
		expect(april.owners.map((o) => o.owner)).toEqual(APRIL_BY_OWNER.map(([owner]) => owner));
		for (const [owner, table] of APRIL_BY_OWNER) {
			const row = april.owners.find((o) => o.owner === owner)!;
			expect({ owner, stages: rows(row.stages) }).toEqual({ owner, stages: expected(table) });
		}
	});

	maybe('as of 20 March: March up to then, rebuilt from history', async () => {
		const march = await report(MARCH, utc('2026-03-20T00:00:00Z'));
		expect(march.to).toBe(utc('2026-03-20T00:00:00Z'));
		expect(rows(march.stages)).toEqual(expected(MARCH_AS_OF_20TH));
	});

	maybe('as of 15 April: April up to then; c06 still in SQL', async () => {
		const april = await report(APRIL, utc('2026-04-15T00:00:00Z'));
		expect(rows(april.stages)).toEqual(expected(APRIL_AS_OF_15TH));
	});

	maybe('a department scope is exactly its owners’ rows; an owner scope sums them', async () => {
		const west = await report(APRIL, APRIL.to, { kind: 'departments', departments: ['west'] });
		expect(rows(west.stages)).toEqual(expected(APRIL_BY_OWNER[2][1]));
		expect(west.owners.map((o) => o.owner)).toEqual(['cai']);
		const annAndBob = await report(APRIL, APRIL.to, { kind: 'owners', owners: ['ann', 'bob'] });
		expect(annAndBob.stages.map((s) => s.transfersIn)).toEqual([3, 4, 3, 1, 1]);
		expect(annAndBob.stages.map((s) => s.current)).toEqual([0, 2, 2, 2, 1]);
		expect(annAndBob.owners.map((o) => o.owner)).toEqual(['ann', 'bob']);
	});

	maybe('the late event counts at the time c12 entered Lead, never before it', async () => {
		const history = await store.getHistory('c12');
		expect(history.map((h) => [h.toStage, h.occurredAt, h.eventOccurredAt])).toEqual([
			['lead', utc(at('A02')), utc(at('A02'))],
			['sql', utc(at('A02')), utc(at('M30'))],
		]);
		const march = await report(MARCH, APRIL.to);
		// The demo happened in March, but the move counts in April (c01, c04, c07 only in March).
		expect(march.stages.find((s) => s.stage === 'sql')!.transfersIn).toBe(3);
	});

	maybe(
		'time in stage per customer: latest and cumulative, with dates entered and left',
		async () => {
			const times = await store.customerStageTimes(['c02', 'nobody'], APRIL.to);
			expect(times.has('nobody')).toBe(false);
			expect(times.get('c02')!.get('sales')).toEqual([
				{
					stage: 'lead',
					entries: 2,
					firstEnteredAt: utc(at('M03')),
					lastEnteredAt: utc(at('M15')),
					lastExitedAt: utc(at('A02')),
					latestMs: 18 * DAY,
					cumulativeMs: 25 * DAY,
				},
				{
					stage: 'mql',
					entries: 2,
					firstEnteredAt: utc(at('M10')),
					lastEnteredAt: utc(at('A02')),
					lastExitedAt: utc(at('A10')),
					latestMs: 8 * DAY,
					cumulativeMs: 13 * DAY,
				},
				{
					stage: 'sql',
					entries: 1,
					firstEnteredAt: utc(at('A10')),
					lastEnteredAt: utc(at('A10')),
					lastExitedAt: null,
					latestMs: APRIL.to - utc(at('A10')),
					cumulativeMs: APRIL.to - utc(at('A10')),
				},
			]);
		},
	);

	maybe('a stage the journey no longer has still counts in the moves around it', async () => {
		const trimmed = {
			key: 'trimmed',
			name: 'Trimmed',
			stages: [
				{ key: 'a', name: 'A' },
				{ key: 'b', name: 'B' },
				{ key: 'c', name: 'C' },
			],
			eventRules: [
				{ eventType: 'go.b', stage: 'b' },
				{ eventType: 'go.c', stage: 'c' },
			],
		};
		await store.saveJourney(trimmed);
		const moves: Array<[string, string, string]> = [
			['x', 'go.b', '2026-06-02T10:00:00Z'],
			['x', 'go.c', '2026-06-05T10:00:00Z'],
			['y', 'go.b', '2026-06-03T10:00:00Z'],
			['y', 'go.c', '2026-06-03T10:00:00Z'],
		];
		await store.importCustomers(
			['x', 'y'].map((customerId) => ({
				customerId,
				journey: 'trimmed',
				stage: 'a',
				stageEnteredAt: '2026-06-01T10:00:00Z',
			})),
		);
		for (const [customerId, eventType, occurredAt] of moves) {
			await store.recordEvents([{ journey: 'trimmed', customerId, eventType, occurredAt }]);
		}
		// Nobody is in B any more, so the journey may drop it; its moves stay in the history.
		await store.saveJourney({
			...trimmed,
			stages: trimmed.stages.filter((s) => s.key !== 'b'),
			eventRules: [{ eventType: 'go.c', stage: 'c' }],
		});
		const june = { from: utc('2026-06-01T00:00:00Z'), to: utc('2026-07-01T00:00:00Z') };
		const window = { ...june, asOf: june.to, timeZone: 'UTC' };
		const read = async (how: 'rollups' | 'history') =>
			(await funnelReport(driver, new JourneyCache(), 'trimmed', window, {
				read: how,
			}))!;
		// The store's own way first: it brings the roll-ups up to date.
		const report = (await store.funnelReport('trimmed', window))!;
		expect(await read('rollups')).toEqual(report);
		expect(await read('history')).toEqual(report);
		expect(
			report.stages.map((s) => [s.stage, s.transfersIn, s.transfersOut, s.current, s.staysEnded]),
		).toEqual([
			['a', 2, 2, 0, 2],
			['c', 2, 0, 2, 0],
		]);
		// The stays in A ended on entering B, a day and two days after 1 June.
		expect(report.stages[0].medianTimeInStageMs).toBe(1.5 * DAY);
		expect(report.stages.map((s) => s.funnelCustomers)).toEqual([2, 2]);
	});

	maybe('an unknown journey gives no report', async () => {
		expect(
			await store.funnelReport('nope', { ...APRIL, asOf: APRIL.to, timeZone: 'UTC' }),
		).toBeNull();
	});

	maybe(
		'migration 3 gives rows from before version 2 the time their left stage was entered',
		async () => {
			const old = backend.fresh();
			await old.migrationLock(async (tx) => {
				await tx.run(
					`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
				);
				for (const migration of MIGRATIONS.slice(0, 2)) {
					for (const sql of migration.statements(tx.dialect)) await tx.run(sql);
					await tx.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, [
						migration.version,
					]);
				}
				await tx.run(
					`INSERT INTO journeys (journey_key, name, display_order, version, definition, created_at, updated_at)
				 VALUES ('old', 'Old', 0, 1, '{}', 0, 0)`,
				);
				await tx.run(
					`INSERT INTO customers (external_id, created_at, updated_at) VALUES ('x', 0, 0), ('y', 0, 0)`,
				);
				// x: a → b → c at 10, 20, 30; y: a at 15, then b at 40 (a row that already has its time).
				const rows: Array<[string, string | null, string, number, number | null]> = [
					['x', null, 'a', 10, null],
					['y', null, 'a', 15, null],
					['x', 'a', 'b', 20, null],
					['x', 'b', 'c', 30, null],
					['y', 'a', 'b', 40, 15],
				];
				for (const [customer, from, to, at, entered] of rows) {
					await tx.run(
						`INSERT INTO transitions (journey_id, journey_version, customer_id, from_stage, to_stage, direction,
					   reason_kind, reason, occurred_at, recorded_at, from_entered_at)
					 SELECT j.id, 1, c.id, ?, ?, 'advance', 'manual', 'moved', ?, ?, ?
					 FROM journeys j, customers c WHERE c.external_id = ?`,
						[from, to, at, at, entered, customer],
					);
				}
			});
			const migrated = await Store.open(old);
			try {
				const rows = await old.query(
					`SELECT c.external_id, t.to_stage, t.from_entered_at FROM transitions t
				 JOIN customers c ON c.id = t.customer_id ORDER BY t.id`,
				);
				expect(
					rows.map((r) => [
						r.external_id,
						r.to_stage,
						r.from_entered_at === null ? null : Number(r.from_entered_at),
					]),
				).toEqual([
					['x', 'a', null],
					['y', 'a', null],
					['x', 'b', 10],
					['x', 'c', 20],
					['y', 'b', 15],
				]);
			} finally {
				await migrated.close();
			}
		},
	);
});

describe('Funnel Report reads the history from its indexes alone (embedded SQLite)', () => {
	let dir: string;
	let driver: SqliteDriver;
	let store: Store;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'cs-report-plan-'));
		driver = new SqliteDriver(join(dir, 'store.sqlite'));
		store = await Store.open(driver);
		await loadReportFixture(store);
		await store.funnelReport('sales', { ...APRIL, asOf: APRIL.to, timeZone: 'UTC' });
	});
	afterAll(async () => {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	});

	/** Every step of every plan of the statements one report runs, read both ways. */
	async function planSteps(window: ReportWindow, read: 'rollups' | 'history') {
		const statements: Array<[string, readonly unknown[]]> = [];
		const traced: SqlExecutor = {
			dialect: driver.dialect,
			query: (sql, params = []) => (statements.push([sql, params]), driver.query(sql, params)),
			values: (sql, params = []) => (statements.push([sql, params]), driver.values(sql, params)),
			run: (sql, params) => driver.run(sql, params),
		};
		await funnelReport(traced, new JourneyCache(), 'sales', window, { read });
		const steps: string[] = [];
		for (const [sql, params] of statements) {
			for (const row of await driver.query(`EXPLAIN QUERY PLAN ${sql}`, params)) {
				steps.push(String(row.detail));
			}
		}
		return steps;
	}

	test('the period, the furthest stage before it and the whole history never visit the table', async () => {
		const steps = [
			...(await planSteps({ ...APRIL, asOf: APRIL.to, timeZone: 'UTC' }, 'rollups')),
			...(await planSteps(
				{ ...MARCH, asOf: utc('2026-03-20T00:00:00Z'), timeZone: 'UTC' },
				'rollups',
			)),
			...(await planSteps({ from: 0, to: APRIL.to, asOf: APRIL.to, timeZone: 'UTC' }, 'history')),
		];
		const historyIndexes = steps.filter((s) => /INDEX transitions_journey_/.test(s));
		expect(historyIndexes.filter((s) => !s.includes('COVERING'))).toEqual([]);
		expect(historyIndexes.some((s) => s.includes('COVERING INDEX transitions_journey_time'))).toBe(
			true,
		);
		expect(
			historyIndexes.some((s) => s.includes('COVERING INDEX transitions_journey_customer')),
		).toBe(true);
		expect(steps.filter((s) => /^SCAN (t|transitions)\b/.test(s))).toEqual([]);
		// A per-customer lookup never walks the history before a bound (no statistics here).
		expect(
			steps.filter((s) =>
				/^SEARCH [tn] .*transitions_journey_time \(journey_id=\? AND occurred_at<\?\)/.test(s),
			),
		).toEqual([]);
	});
});
