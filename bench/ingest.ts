/**
 * Ingest benchmark: Record Event with 10,000 events for 2,000 customers in one go, against a raw
 * batched insert of the same rows into node:sqlite in the same process (the floor any store on
 * this machine pays). Prints events/s and ratios; figures go to BENCHMARKS.md.
 *
 *   npm run bench:ingest                 # embedded; PostgreSQL too when a server answers
 *   BENCH_ROUNDS=5 npm run bench:ingest
 *   BENCH_EMBEDDED_ONLY=1 npm run bench:ingest   # skip the PostgreSQL rows
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { presetJourneys } from '../nodes/engine/presets';
import { createDriver, type StoreConfig } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';
import { brokenChains, type TransitionRow } from '../test/store/history';
import { PG_URL, pgReachable, withSchema } from './postgres';
import { processCpuMs, threadCpuMs } from './cpu';
import { runNodeIngest, runPassThrough } from './nodeIngest';

const EVENTS = 10_000;
const CUSTOMERS = 2_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const benchJourney = presetJourneys('marketingHub')[0];
const journey = benchJourney;

/** Five events per customer across the marketing hub's stages, ids unique, a small payload. */
export function benchEvents(count = EVENTS, customers = CUSTOMERS) {
	const types = [
		'wechat.follow',
		'email.opened',
		'email.link_clicked',
		'form.submitted',
		'purchase.completed',
		'page.scrolled',
	];
	const start = Date.parse('2026-11-01T00:00:00Z');
	return Array.from({ length: count }, (_, i) => ({
		journey: journey.key,
		customerId: `customer-${i % customers}`,
		eventType: types[(i * 7 + Math.floor(i / customers)) % types.length],
		eventId: `evt-${i}`,
		channel: 'bench',
		occurredAt: new Date(start + i * 1000).toISOString(),
		properties: { campaign: 'black-friday', amount: i % 100 },
	}));
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function timed(work: () => Promise<void> | void): Promise<number> {
	const start = process.hrtime.bigint();
	await work();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The baseline: the same 10,000 rows, one prepared INSERT each, one transaction. Returns wall
 * milliseconds, and CPU milliseconds of the process and of the main thread as `cpuMs` and
 * `threadMs` (bench/ingestCpu.ts).
 */
export function rawInsert(file: string, events: ReturnType<typeof benchEvents>) {
	const db = new DatabaseSync(file);
	db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
	db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, journey_id BIGINT, customer_id TEXT, event_key TEXT,
		event_type TEXT, channel TEXT, occurred_at BIGINT, recorded_at BIGINT, properties TEXT, UNIQUE (journey_id, event_key))`);
	const insert = db.prepare(
		'INSERT INTO events (journey_id, customer_id, event_key, event_type, channel, occurred_at, recorded_at, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
	);
	const start = process.hrtime.bigint();
	const cpuStart = processCpuMs();
	const threadStart = threadCpuMs();
	db.exec('BEGIN IMMEDIATE');
	const now = Date.now();
	for (const e of events) {
		insert.run(
			1,
			e.customerId,
			e.eventId,
			e.eventType,
			e.channel,
			Date.parse(e.occurredAt),
			now,
			JSON.stringify(e.properties),
		);
	}
	db.exec('COMMIT');
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	const cpuMs = processCpuMs() - cpuStart;
	const threadMs = threadCpuMs() - threadStart;
	db.close();
	return { ms, cpuMs, threadMs };
}

async function storeIngest(
	config: StoreConfig,
	events: ReturnType<typeof benchEvents>,
): Promise<number> {
	const store = await Store.open(createDriver(config));
	await store.saveJourney(journey);
	const ms = await timed(async () => {
		const outcomes = await store.recordEvents(events);
		const failed = outcomes.filter((o) => !o.ok).length;
		if (failed) throw new Error(`${failed} events failed`);
	});
	await store.close();
	return ms;
}

/**
 * Four writers (own pools, so own connections) record 2,500 events each at once, in batches of
 * 250: either over the same 2,000 customers (overlapping: each writer takes every fourth event,
 * so all four wait on each other's customer row locks, the worst case) or over 500 customers of
 * their own (disjoint: the same events split by customer). Lost updates = history rows whose
 * from-stage is not the stage the previous row for that customer moved to (a broken chain),
 * which serial order forbids.
 */
async function pgFourWriters(
	events: ReturnType<typeof benchEvents>,
	split: 'overlapping' | 'disjoint',
) {
	return withSchema('cs_bench', async (schema) => {
		const config: StoreConfig = { backend: 'postgres', connectionString: PG_URL, schema };
		const setup = await Store.open(createDriver(config));
		await setup.saveJourney(journey);
		const writers = await Promise.all([0, 1, 2, 3].map(() => Store.open(createDriver(config))));
		const writerOf = (i: number) =>
			split === 'overlapping' ? i % 4 : Math.floor((i % CUSTOMERS) / (CUSTOMERS / 4));
		const shares = [0, 1, 2, 3].map((w) => events.filter((_, i) => writerOf(i) === w));
		const ms = await timed(async () => {
			await Promise.all(
				writers.map(async (store, w) => {
					for (let i = 0; i < shares[w].length; i += 250) {
						const outcomes = await store.recordEvents(shares[w].slice(i, i + 250));
						if (outcomes.some((o) => !o.ok)) throw new Error('an event failed');
					}
				}),
			);
		});
		const driver = createDriver(config);
		const rows = await driver.query<TransitionRow & Record<string, unknown>>(
			'SELECT customer_id, from_stage, to_stage FROM transitions ORDER BY customer_id, id',
		);
		const [{ count }] = await driver.query<{ count: number }>(
			'SELECT count(*)::int AS count FROM events',
		);
		if (count !== events.length) throw new Error(`${count} events stored of ${events.length}`);
		const lost = brokenChains(rows);
		await driver.close();
		await Promise.all([setup, ...writers].map((s) => s.close()));
		return { ms, lost };
	});
}

function line(label: string, ms: number, baselineMs: number) {
	const rate = Math.round(EVENTS / (ms / 1000));
	console.log(
		`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms ${rate.toLocaleString('en-US').padStart(10)} events/s   ratio ${(baselineMs / ms).toFixed(2)}`,
	);
}

async function main() {
	const events = benchEvents();
	const dir = mkdtempSync(join(tmpdir(), 'cs-bench-'));
	const results: Record<string, number[]> = {
		raw: [],
		embedded: [],
		node: [],
		passThrough: [],
		postgres: [],
		pgNode: [],
		pg4: [],
		pg4Disjoint: [],
	};
	let lostUpdates = 0;
	// BENCH_EMBEDDED_ONLY=1: the embedded rows only (quicker, and no PostgreSQL load meanwhile).
	const hasPg = !process.env.BENCH_EMBEDDED_ONLY && (await pgReachable());
	try {
		for (let round = 0; round < ROUNDS; round++) {
			results.raw.push(rawInsert(join(dir, `raw-${round}.sqlite`), events).ms);
			results.embedded.push(
				await storeIngest(
					{ backend: 'embedded', filePath: join(dir, `store-${round}.sqlite`) },
					events,
				),
			);
			results.node.push(
				(
					await runNodeIngest(
						{ backend: 'embedded', filePath: join(dir, `node-${round}.sqlite`) },
						events,
						journey,
					)
				).ms,
			);
			results.passThrough.push(await runPassThrough(events));
			if (hasPg) {
				results.postgres.push(
					await withSchema('cs_bench', (schema) =>
						storeIngest({ backend: 'postgres', connectionString: PG_URL, schema }, events),
					),
				);
				results.pgNode.push(
					(
						await withSchema('cs_bench', (schema) =>
							runNodeIngest(
								{ backend: 'postgres', connectionString: PG_URL, schema },
								events,
								journey,
							),
						)
					).ms,
				);
				const four = await pgFourWriters(events, 'overlapping');
				results.pg4.push(four.ms);
				const disjoint = await pgFourWriters(events, 'disjoint');
				results.pg4Disjoint.push(disjoint.ms);
				lostUpdates += four.lost + disjoint.lost;
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	const raw = median(results.raw);
	console.log(
		`\ningest: ${EVENTS.toLocaleString('en-US')} events, ${CUSTOMERS.toLocaleString('en-US')} customers, median of ${ROUNDS} rounds, Node ${process.versions.node}\n`,
	);
	line('raw batched insert (node:sqlite, baseline)', raw, raw);
	line('store.recordEvents, embedded SQLite', median(results.embedded), raw);
	line('Advance Stage node in WorkflowExecute', median(results.node), raw);
	line('  (a pass-through node in WorkflowExecute)', median(results.passThrough), raw);
	if (hasPg) {
		line('store.recordEvents, PostgreSQL (1 writer)', median(results.postgres), raw);
		line('Advance Stage node, PostgreSQL', median(results.pgNode), raw);
		line('PostgreSQL, 4 writers, overlapping customers', median(results.pg4), raw);
		line('PostgreSQL, 4 writers, disjoint customers', median(results.pg4Disjoint), raw);
		console.log(`\nlost updates in 4-writer runs: ${lostUpdates}`);
	} else {
		console.log('\n(PostgreSQL not reachable: PostgreSQL rows skipped)');
	}
	if (lostUpdates > 0) process.exitCode = 1;
}

// Only when run, not when bench/ingestCpu.ts borrows the workload.
if (require.main === module) void main();
