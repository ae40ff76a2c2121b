/**
 * Evaluate 30-Day Activity benchmark: the daily run over a journey of 1M customers with 30M
 * events over a year, of whom 10k / 50k / 100k were active in the last 30 days, in the embedded
 * store. Each store is generated in SQL (one INSERT … SELECT per table: the events from the
 * customers crossed with a recursive series, the daily roll-ups aggregated from those events
 * exactly as ingest counts them: per customer, UTC day and type), and left in the state
 * yesterday's run left it (its last-run time; customers quiet for 91 days or more in Churned).
 * Then three daily runs, a day apart, each timed next to a baseline in the same process: a plain
 * read of every membership of the journey with its customer (what a run ∝ all customers would
 * at least pay). The store lives in the system's temporary folder and is deleted afterwards.
 *
 *   npm run bench:activity
 *   BENCH_CUSTOMERS=100000 BENCH_ACTIVE=1000,5000,10000 npm run bench:activity   # smaller
 *   BENCH_EVENTS_PER_CUSTOMER=30 BENCH_RUNS=3 (defaults)
 *
 * BENCH_DB=/some/folder keeps the generated stores there (one file per customer, event and
 * active count) and reuses them on the next run: each run times a copy, so every session starts
 * from the same state yesterday's run left, and re-timing a change costs no generation.
 */
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	renameSync,
	rmSync,
	statSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createDriver } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const PER_CUSTOMER = Number(process.env.BENCH_EVENTS_PER_CUSTOMER ?? 30);
const ACTIVE = (process.env.BENCH_ACTIVE ?? '10000,50000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const KEEP = process.env.BENCH_DB;
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const NOW = Date.parse('2026-11-02T02:00:00Z');
const TODAY = Math.floor(NOW / DAY);

const journey = {
	key: 'bench',
	name: 'Bench',
	stages: [
		{ key: 'active', name: 'Active' },
		{ key: 'engaged', name: 'Engaged' },
		{ key: 'churned', name: 'Churned', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'visit', stage: 'active' },
		{ eventType: 'buy', stage: 'active' },
	],
	automationRules: [
		{
			id: 'busy',
			stage: 'engaged',
			fromStages: ['active'],
			conditions: [{ kind: 'activityLevel', operator: 'gte', value: 'high' }],
		},
		{
			id: 'quiet',
			stage: 'churned',
			fromStages: ['active', 'engaged'],
			conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 }],
		},
	],
	activity: { windowDays: 30, weights: { buy: 5 } },
};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
	const start = process.hrtime.bigint();
	const result = await work();
	return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Generated {
	events: number;
	rollups: number;
	seconds: number;
	megabytes: number;
}

/**
 * The data set, in SQL. Customer i has PER_CUSTOMER events (every third a `buy`, the rest
 * `visit`), at hour (i + 5j) mod 24 of its day:
 * - the first `active` customers: 3, 5, 7 or 9 of them (by i mod 4) on distinct days among the
 *   29 before today (so 1/4 reach level High), the others spread over the 30–364 days before;
 * - everyone else: the last on day today − 30 − (i mod 330) (so about 1/330 of them cross 90
 *   quiet days each day, and as many had their last event on the day that just left the
 *   window), the others spread over the year before it.
 * Roll-ups: the events grouped by customer, UTC day (occurred_at / 86 400 000) and type, the
 * same rows ingest keeps. Yesterday's run: customers quiet for 91 days or more are in Churned
 * (entered 90 days after their last event), everyone else in Active.
 */
function generate(file: string, active: number): Generated {
	const started = process.hrtime.bigint();
	const db = new DatabaseSync(file);
	// A bulk load: no journal (WAL must be left for DELETE first), indexes built afterwards.
	db.exec('PRAGMA journal_mode = DELETE');
	db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000');
	db.exec('DROP INDEX events_customer_time; DROP INDEX activity_days_day');
	const [{ id: journeyId }] = db.prepare('SELECT id FROM journeys').all() as Array<{ id: number }>;
	db.exec('BEGIN');
	db.prepare(
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		 INSERT INTO customers (id, external_id, created_at, updated_at)
		 SELECT i, 'customer-' || i, ?, ? FROM n`,
	).run(CUSTOMERS, NOW - 400 * DAY, NOW - 400 * DAY);
	db.prepare(
		`WITH RECURSIVE s(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM s WHERE j < ${PER_CUSTOMER - 1}),
		 c(i, last_day) AS (
		   SELECT id, CASE WHEN id <= :active THEN NULL ELSE :today - 30 - (id % 330) END FROM customers
		 )
		 INSERT INTO events (journey_id, customer_id, event_key, event_type, channel, occurred_at, recorded_at, properties)
		 SELECT :journey, i, NULL, CASE WHEN j % 3 = 1 THEN 'buy' ELSE 'visit' END, NULL,
		   (CASE
		      WHEN i <= :active AND j < 3 + (i % 4) * 2 THEN :today - 1 - ((i + 7 * j) % 29)
		      WHEN i <= :active THEN :today - 30 - ((i * 13 + j * 11) % 335)
		      WHEN j = 0 THEN last_day
		      ELSE last_day - ((i * 13 + j * 11) % (335 - (i % 330)))
		    END) * ${DAY} + ((i + 5 * j) % 24) * ${HOUR} + j * 60000,
		   :recorded, '{}'
		 FROM c CROSS JOIN s`,
	).run({ active, today: TODAY, journey: journeyId, recorded: NOW - DAY });
	db.exec(`CREATE INDEX events_customer_time ON events (journey_id, customer_id, occurred_at)`);
	db.exec(
		`INSERT INTO activity_days (journey_id, customer_id, day, event_type, event_count)
		 SELECT journey_id, customer_id, occurred_at / ${DAY}, event_type, COUNT(*) FROM events
		 GROUP BY journey_id, customer_id, occurred_at / ${DAY}, event_type`,
	);
	db.exec(
		`UPDATE customers SET last_event_at = (SELECT MAX(occurred_at) FROM events
		   WHERE journey_id = ${journeyId} AND customer_id = customers.id), updated_at = ${NOW - DAY}`,
	);
	db.prepare(
		`INSERT INTO memberships (journey_id, customer_id, stage_key, entered_at, updated_at)
		 SELECT :journey, id,
		   CASE WHEN last_event_at <= :churned THEN 'churned' ELSE 'active' END,
		   CASE WHEN last_event_at <= :churned THEN last_event_at + ${90 * DAY} ELSE :entered END,
		   :updated
		 FROM customers`,
	).run({
		journey: journeyId,
		churned: NOW - 91 * DAY,
		entered: NOW - 365 * DAY,
		updated: NOW - DAY,
	});
	db.prepare('INSERT INTO activity_runs (journey_id, evaluated_at) VALUES (?, ?)').run(
		journeyId,
		NOW - DAY,
	);
	db.exec('COMMIT');
	db.exec(`CREATE INDEX activity_days_day ON activity_days (journey_id, day)`);
	db.exec('ANALYZE');
	const [{ events }] = db.prepare('SELECT COUNT(*) AS events FROM events').all() as Array<{
		events: number;
	}>;
	const [{ rollups, counted }] = db
		.prepare('SELECT COUNT(*) AS rollups, SUM(event_count) AS counted FROM activity_days')
		.all() as Array<{ rollups: number; counted: number }>;
	const [{ inWindow }] = db
		.prepare(
			`SELECT COUNT(DISTINCT customer_id) AS inWindow FROM activity_days WHERE day > ${TODAY - 30}`,
		)
		.all() as Array<{ inWindow: number }>;
	db.close();
	if (events !== CUSTOMERS * PER_CUSTOMER || counted !== events) {
		throw new Error(`generated ${events} events, roll-ups count ${counted}`);
	}
	if (inWindow !== active) throw new Error(`${inWindow} customers active in the window`);
	return {
		events,
		rollups,
		seconds: Number(process.hrtime.bigint() - started) / 1e9,
		megabytes: statSync(file).size / 1e6,
	};
}

function readAllMemberships(file: string): number {
	const db = new DatabaseSync(file);
	const rows = db
		.prepare(
			`SELECT m.customer_id, m.stage_key, c.last_event_at FROM memberships m
			 JOIN customers c ON c.id = m.customer_id WHERE m.journey_id = 1`,
		)
		.all();
	db.close();
	return rows.length;
}

async function main() {
	const load = () =>
		loadavg()
			.map((l) => l.toFixed(2))
			.join(' ');
	console.log(
		`Evaluate 30-Day Activity, ${CUSTOMERS.toLocaleString('en')} customers × ${PER_CUSTOMER} events, embedded store, Node ${process.versions.node}, ${RUNS} daily runs each (median), load average ${load()}`,
	);
	for (const active of ACTIVE) {
		const dir = mkdtempSync(join(tmpdir(), 'cs-bench-activity-'));
		const file = join(dir, 'store.sqlite');
		try {
			const kept = KEEP && join(KEEP, `activity-${CUSTOMERS}-${PER_CUSTOMER}-${active}.sqlite`);
			if (kept && existsSync(kept)) {
				copyFileSync(kept, file);
				console.log(`\nactive ${active.toLocaleString('en')}: the store kept in ${kept}`);
			} else {
				const setup = await Store.open(createDriver({ backend: 'embedded', filePath: file }));
				await setup.saveJourney(journey);
				await setup.close();
				const generated = generate(file, active);
				console.log(
					`\nactive ${active.toLocaleString('en')}: ${generated.events.toLocaleString('en')} events, ${generated.rollups.toLocaleString('en')} roll-up rows, ${generated.megabytes.toFixed(0)} MB, generated in ${generated.seconds.toFixed(0)} s`,
				);
				if (kept) {
					// Copied under another name first, so a run stopped half-way leaves no partial store.
					mkdirSync(KEEP, { recursive: true });
					copyFileSync(file, `${kept}.part`);
					renameSync(`${kept}.part`, kept);
				}
			}
			console.log(
				'day   daily run   (CPU)   looked at   moved   read every membership   load average',
			);
			const runMs: number[] = [];
			const runCpu: number[] = [];
			const lookedAt: number[] = [];
			const baseMs: number[] = [];
			const store = await Store.open(createDriver({ backend: 'embedded', filePath: file }));
			for (let day = 0; day < RUNS; day++) {
				const asOf = NOW + day * DAY;
				const cpu = process.cpuUsage();
				const [run, ms] = await timed(() => store.evaluateActivity({ journey: 'bench', asOf }));
				const used = process.cpuUsage(cpu);
				const cpuMs = (used.user + used.system) / 1000;
				const moved = run!.results.filter((r) => r.moved).length;
				const [all, allMs] = await timed(async () => readAllMemberships(file));
				if (all !== CUSTOMERS) throw new Error(`read ${all} memberships`);
				runMs.push(ms);
				runCpu.push(cpuMs);
				lookedAt.push(run!.evaluated);
				baseMs.push(allMs);
				console.log(
					`${String(day).padStart(3)}  ${ms.toFixed(0).padStart(7)} ms  ${cpuMs.toFixed(0).padStart(6)} ms  ${String(run!.evaluated).padStart(10)}  ${String(moved).padStart(6)}  ${allMs.toFixed(0).padStart(19)} ms   ${load()}`,
				);
			}
			await store.close();
			console.log(
				`median: daily run ${median(runMs).toFixed(0)} ms (CPU ${median(runCpu).toFixed(0)} ms) for ${median(lookedAt)} customers looked at (${((median(runMs) / median(lookedAt)) * 1000).toFixed(1)} µs each); read every membership ${median(baseMs).toFixed(0)} ms`,
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}
}

void main();
