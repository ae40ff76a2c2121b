import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { lockFeed } from '../../nodes/store/feed';
import type { SqlExecutor } from '../../nodes/store/driver/sql';
import type { StoreConfig } from '../../nodes/store/openStore';
import type { Store } from '../../nodes/store/Store';
import { bothBackends, postgresBackend, type Backend } from './backends';
import { PG_URL, pgAvailable } from './pgTarget';

/**
 * Stage Trigger's feed on both backends: matching history after a durable cursor, in commit
 * order, every transition exactly once per cursor — also while four writer processes commit at
 * once and a fifth writer holds its transaction open on purpose.
 */
const run = promisify(execFile);
const writerScript = join(__dirname, 'concurrent-writer.js');

const JOURNEY = {
	key: 'feed',
	name: 'Feed',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'mql', name: 'Marketing Qualified' },
		{ key: 'sql', name: 'Confirmed Lead' },
		{ key: 'customer', name: 'Customer' },
		{ key: 'churned', name: 'Churned', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'visit', stage: 'lead' },
		{ eventType: 'form', stage: 'mql' },
		{ eventType: 'call', stage: 'sql' },
		{ eventType: 'buy', stage: 'customer' },
		{ eventType: 'quit', stage: 'churned' },
	],
};

const ids = (page: { transitions: Array<{ id: number }> }) => page.transitions.map((t) => t.id);

for (const { name, available, make } of bothBackends('feed')) {
	(available ? describe : describe.skip)(`Stage Trigger feed, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let config: StoreConfig;
		let executor: SqlExecutor;

		beforeAll(async () => {
			backend = make();
			const opened = await backend.open();
			store = opened.store;
			config = opened.config;
			executor = opened.driver;
			await store.saveJourney(JOURNEY);
			const imported = await store.importCustomers([
				{
					customerId: 'ann',
					name: 'Ann',
					email: 'ann@example.com',
					owner: 'li.wei',
					department: 'North',
					tags: ['vip'],
					rating: 3,
				},
				{ customerId: 'bob', name: 'Bob', owner: 'wang.fang', department: 'South' },
			]);
			expect(imported.map((o) => o.ok)).toEqual([true, true]);
		});

		afterAll(async () => {
			await store.close();
			await backend.cleanup();
		});

		it('reads the history in order, with the customer, and filters it', async () => {
			const start = (await store.readFeed(0, {}, 1000)).position;
			const at = Date.parse('2026-11-20T10:00:00Z');
			const outcomes = await store.recordEvents([
				{ journey: 'feed', customerId: 'ann', eventType: 'visit', eventId: 'a1', occurredAt: at },
				{
					journey: 'feed',
					customerId: 'ann',
					eventType: 'call',
					eventId: 'a2',
					occurredAt: at + 1000,
				},
				{ journey: 'feed', customerId: 'bob', eventType: 'visit', eventId: 'b1', occurredAt: at },
				{
					journey: 'feed',
					customerId: 'bob',
					eventType: 'quit',
					eventId: 'b2',
					occurredAt: at + 3000,
				},
			]);
			expect(outcomes.map((o) => (o.ok ? o.moved : o.error.message))).toEqual([
				true,
				true,
				true,
				true,
			]);
			// Events only move forward; a person moves Ann back (a manual move, after Bob's exit).
			const [back] = await store.setStages([
				{ journey: 'feed', customerId: 'ann', stage: 'mql', actor: 'zhang.min' },
			]);
			expect(back.ok && back.moved).toBe(true);

			const all = await store.readFeed(start, {}, 100);
			expect(
				all.transitions.map((t) => [t.customerId, t.fromStage, t.toStage, t.direction]),
			).toEqual([
				['ann', null, 'lead', 'initial'],
				['ann', 'lead', 'sql', 'advance'],
				['bob', null, 'lead', 'initial'],
				['bob', 'lead', 'churned', 'exit'],
				['ann', 'sql', 'mql', 'regress'],
			]);
			expect(all.position).toBe(all.transitions[4].id);
			const first = all.transitions[0];
			expect(first.customer).toEqual({
				name: 'Ann',
				email: 'ann@example.com',
				owner: 'li.wei',
				department: 'North',
				tags: ['vip'],
				rating: 3,
			});
			expect(first).toMatchObject({
				journey: 'feed',
				reasonKind: 'event',
				eventId: 'a1',
				eventType: 'visit',
			});
			expect(first.occurredAt).toBe(at);

			const pick = async (filter: object) =>
				(await store.readFeed(start, filter, 100)).transitions.map(
					(t) => `${t.customerId}:${t.toStage}`,
				);
			expect(await pick({ toStages: ['lead'] })).toEqual(['ann:lead', 'bob:lead']);
			expect(await pick({ fromStages: ['lead'] })).toEqual(['ann:sql', 'bob:churned']);
			expect(await pick({ directions: ['regress', 'exit'] })).toEqual(['bob:churned', 'ann:mql']);
			expect(await pick({ reasonKinds: ['manual'] })).toEqual(['ann:mql']);
			expect(await pick({ reasonKinds: ['import', 'rule'] })).toEqual([]);
			expect(await pick({ journeys: ['other'] })).toEqual([]);
			expect(await pick({ scope: { kind: 'owners', owners: ['wang.fang'] } })).toEqual([
				'bob:lead',
				'bob:churned',
			]);
			expect(
				await pick({
					scope: { kind: 'departments', departments: ['North'] },
					directions: ['advance'],
				}),
			).toEqual(['ann:sql']);

			// A filtered page still moves the cursor past the rows it passed over.
			const filtered = await store.readFeed(start, { toStages: ['nowhere'] }, 100);
			expect(filtered).toEqual({ transitions: [], position: all.position });
			// A short page stops at its last row; the next one goes on from there.
			const short = await store.readFeed(start, {}, 2);
			expect(short.position).toBe(short.transitions[1].id);
			expect(ids(await store.readFeed(short.position, {}, 100))).toEqual(ids(all).slice(2));

			expect((await store.latestInFeed({ toStages: ['lead'] }))?.customerId).toBe('bob');
			expect(await store.latestInFeed({ toStages: ['nowhere'] })).toBeNull();
		});

		it('keeps a durable cursor per workflow and node, started from now, the beginning or a date', async () => {
			const head = (await store.readFeed(0, {}, 100000)).position;
			expect(head).toBeGreaterThan(0);
			const fromNow = await store.openFeedCursor('wf1', 'node-a', { from: 'now' });
			expect(fromNow).toEqual({ position: head, notBefore: 0 });
			const fromStart = await store.openFeedCursor('wf1', 'node-b', { from: 'beginning' });
			expect(fromStart).toEqual({ position: 0, notBefore: 0 });

			await store.advanceFeedCursor('wf1', 'node-b', 3);
			await store.advanceFeedCursor('wf1', 'node-b', 2); // late and stale: ignored
			expect(await store.openFeedCursor('wf1', 'node-b', { from: 'beginning' })).toEqual({
				position: 3,
				notBefore: 0,
			});
			// Another workflow's node of the same id has its own cursor.
			expect((await store.openFeedCursor('wf2', 'node-b', { from: 'beginning' })).position).toBe(0);
			// A changed start setting starts again from it.
			expect((await store.openFeedCursor('wf1', 'node-b', { from: 'now' })).position).toBe(head);

			// From a date: only what was recorded then or later.
			const cut = Date.now() + 1;
			await new Promise((resolve) => setTimeout(resolve, 5));
			await store.recordEvents([
				{ journey: 'feed', customerId: 'carl', eventType: 'visit', eventId: 'c1' },
			]);
			const fromDate = await store.openFeedCursor('wf1', 'node-c', { from: 'date', date: cut });
			expect(fromDate).toEqual({ position: 0, notBefore: cut });
			const page = await store.readFeed(fromDate.position, {}, 100, fromDate.notBefore);
			expect(page.transitions.map((t) => t.customerId)).toEqual(['carl']);
			await store.dropFeedCursor('wf1', 'node-c');
			expect((await store.openFeedCursor('wf1', 'node-c', { from: 'beginning' })).notBefore).toBe(
				0,
			);
		});

		it('gives every transition exactly once per cursor, in commit order, under 4 writers and a held transaction', async () => {
			const before = (await store.readFeed(0, {}, 1_000_000)).position;
			const dir = mkdtempSync(join(tmpdir(), 'cs-feed-writers-'));
			// Two writers share each customer; each customer goes visit → form → call (3 moves).
			const types = ['visit', 'form', 'call'];
			const plans = Array.from({ length: 4 }, (_, w) =>
				Array.from({ length: 240 }, (_, i) => ({
					journey: 'feed',
					customerId: `race-${w % 2}-${i % 80}`,
					eventType: types[Math.floor(i / 80)],
					eventId: `w${w}-${i}`,
				})),
			);
			let cleanupDelays = async () => {};
			if (name === 'PostgreSQL') cleanupDelays = await delayCommits(config);

			// Three readers poll throughout, each its own cursor and page size.
			let writing = true;
			const readers = [1, 7, 500].map(async (limit) => {
				const seen: number[] = [];
				let after = before;
				const step = async () => {
					const page = await store.readFeed(after, {}, limit);
					seen.push(...ids(page));
					after = page.position;
				};
				while (writing) {
					await step();
					await new Promise((resolve) => setTimeout(resolve, 3));
				}
				for (let i = 0; i < 10_000; i++) {
					const was = after;
					await step();
					if (after === was) break;
				}
				return seen;
			});
			try {
				const holder = holdTransactions(config, executor);
				const writers = plans.map(async (events, w) => {
					const file = join(dir, `writer-${w}.json`);
					writeFileSync(file, JSON.stringify(events));
					const { stdout } = await run(
						process.execPath,
						[writerScript, JSON.stringify(config), file, '4'],
						{
							maxBuffer: 16 * 1024 * 1024,
						},
					);
					return JSON.parse(stdout) as { errors: string[] };
				});
				const summaries = await Promise.all(writers);
				const held = await holder;
				writing = false;
				const seenByReader = await Promise.all(readers);
				expect(summaries.flatMap((s) => s.errors)).toEqual([]);
				expect(held).toBeGreaterThanOrEqual(5);

				const stored = (
					await executor.query<{ id: number }>(
						`SELECT id FROM transitions WHERE id > ? ORDER BY id`,
						[before],
					)
				).map((row) => Number(row.id));
				expect(stored.length).toBe(2 * 80 * 3 + held);
				for (const seen of seenByReader) {
					// Exactly once each, none missing, in id (= commit) order.
					expect(seen).toEqual(stored);
				}
			} finally {
				writing = false;
				await cleanupDelays();
				rmSync(dir, { recursive: true, force: true });
			}
		}, 120_000);
	});
}

/**
 * PostgreSQL: every batch waits a random few milliseconds before its lock (after saving stages)
 * and again after inserting its history, inside the lock, just before committing.
 */
async function delayCommits(config: StoreConfig): Promise<() => Promise<void>> {
	const schema = (config as { schema: string }).schema;
	const client = new Client({ connectionString: PG_URL });
	await client.connect();
	await client.query(`SET search_path TO "${schema}"`);
	await client.query(`CREATE FUNCTION feed_test_delay() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN PERFORM pg_sleep(random() * 0.02); RETURN NULL; END $$`);
	await client.query(`CREATE TRIGGER feed_test_delay_m AFTER INSERT OR UPDATE ON memberships
		FOR EACH STATEMENT EXECUTE FUNCTION feed_test_delay()`);
	await client.query(`CREATE TRIGGER feed_test_delay_t AFTER INSERT ON transitions
		FOR EACH STATEMENT EXECUTE FUNCTION feed_test_delay()`);
	return async () => {
		await client.query(`DROP TRIGGER feed_test_delay_m ON memberships`);
		await client.query(`DROP TRIGGER feed_test_delay_t ON transitions`);
		await client.query(`DROP FUNCTION feed_test_delay()`);
		await client.end();
	};
}

/**
 * A writer outside the store that holds its transaction open on purpose: it inserts a
 * transition and waits 30–90 ms before committing, again and again while the writers run. On
 * PostgreSQL it takes the feed's lock first, as appendHistory does. Returns how many it wrote.
 */
async function holdTransactions(config: StoreConfig, executor: SqlExecutor): Promise<number> {
	const [row] = await executor.query<{ journey_id: number; customer_id: number }>(
		`SELECT j.id AS journey_id, c.id AS customer_id FROM journeys j, customers c
		 WHERE j.journey_key = 'feed' AND c.external_id = 'ann'`,
	);
	const insert = `INSERT INTO transitions (journey_id, journey_version, customer_id, to_stage, direction,
		reason_kind, reason, occurred_at, recorded_at) VALUES (${Number(row.journey_id)}, 1, ${Number(row.customer_id)},
		'lead', 'reentry', 'manual', 'held open on purpose', 0, 0)`;
	const pause = () => new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 60));
	let written = 0;
	if (config.backend === 'embedded') {
		const db = new DatabaseSync(config.filePath);
		db.exec('PRAGMA busy_timeout = 10000');
		for (let i = 0; i < 8; i++) {
			db.exec('BEGIN IMMEDIATE');
			db.exec(insert);
			await pause();
			db.exec('COMMIT');
			written++;
			await pause();
		}
		db.close();
		return written;
	}
	const client = new Client({ connectionString: PG_URL });
	await client.connect();
	await client.query(`SET search_path TO "${config.schema}"`);
	const tx: SqlExecutor = {
		dialect: { name: 'postgres', idColumn: '', forUpdate: '', forShare: '' },
		query: async (sql: string) => (await client.query(sql)).rows,
		run: async (sql: string) => (await client.query(sql)).rowCount ?? 0,
	} as SqlExecutor;
	for (let i = 0; i < 8; i++) {
		await client.query('BEGIN');
		await lockFeed(tx);
		await client.query(insert);
		await pause();
		await client.query('COMMIT');
		written++;
		await pause();
	}
	await client.end();
	return written;
}

(pgAvailable ? describe : describe.skip)('Why the feed takes a lock on PostgreSQL', () => {
	const backend = postgresBackend('cs_feed_lock');
	let store: Store;
	let schema: string;
	const clients: Client[] = [];

	beforeAll(async () => {
		const opened = await backend.open();
		store = opened.store;
		schema = (opened.config as { schema: string }).schema;
		await store.saveJourney(JOURNEY);
		await store.recordEvents([
			{ journey: 'feed', customerId: 'ann', eventType: 'visit', eventId: 'x' },
		]);
		for (let i = 0; i < 2; i++) {
			const client = new Client({ connectionString: PG_URL });
			await client.connect();
			await client.query(`SET search_path TO "${schema}"`);
			clients.push(client);
		}
	});

	afterAll(async () => {
		for (const client of clients) await client.end();
		await store.close();
		await backend.cleanup();
	});

	const insert = `INSERT INTO transitions (journey_id, journey_version, customer_id, to_stage, direction,
		reason_kind, reason, occurred_at, recorded_at)
		SELECT journey_id, 1, customer_id, 'lead', 'reentry', 'manual', 'test', 0, 0 FROM transitions LIMIT 1 RETURNING id`;
	const executorOf = (client: Client): SqlExecutor =>
		({
			dialect: { name: 'postgres' },
			query: async (sql: string) => (await client.query(sql)).rows,
		}) as unknown as SqlExecutor;

	it('without it, a lower id committed late is skipped; with it, the later batch waits', async () => {
		const [a, b] = clients;
		const start = (await store.readFeed(0, {}, 1000)).position;

		// Without the lock: A takes an id, B takes a higher one and commits first.
		await a.query('BEGIN');
		const idA = Number((await a.query(insert)).rows[0].id);
		await b.query('BEGIN');
		const idB = Number((await b.query(insert)).rows[0].id);
		await b.query('COMMIT');
		const seen = await store.readFeed(start, {}, 100);
		expect(ids(seen)).toEqual([idB]);
		await a.query('COMMIT');
		expect(ids(await store.readFeed(seen.position, {}, 100))).toEqual([]); // idA: lost
		expect(idA).toBeLessThan(idB);

		// With it (as appendHistory does): B cannot take an id until A has committed.
		const from = Math.max(idA, idB);
		await a.query('BEGIN');
		await lockFeed(executorOf(a));
		const idA2 = Number((await a.query(insert)).rows[0].id);
		await b.query('BEGIN');
		let idB2 = 0;
		const bDone = (async () => {
			await lockFeed(executorOf(b));
			idB2 = Number((await b.query(insert)).rows[0].id);
			await b.query('COMMIT');
		})();
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(idB2).toBe(0); // still waiting for A
		expect(ids(await store.readFeed(from, {}, 100))).toEqual([]);
		await a.query('COMMIT');
		await bDone;
		expect(idB2).toBeGreaterThan(idA2);
		expect(ids(await store.readFeed(from, {}, 100))).toEqual([idA2, idB2]);
	});

	it('wakes a listener when a batch that moved someone commits, not before', async () => {
		let wakes = 0;
		const stop = await store.onFeedCommit(() => wakes++);
		expect(stop).not.toBeNull();
		await store.recordEvents([
			{ journey: 'feed', customerId: 'zed', eventType: 'visit', eventId: 'z1' },
		]);
		await waitFor(() => wakes > 0);
		const after = wakes;
		// A duplicate moves no one: no history, no lock, no NOTIFY.
		await store.recordEvents([
			{ journey: 'feed', customerId: 'zed', eventType: 'visit', eventId: 'z1' },
		]);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(wakes).toBe(after);
		await stop!();
	});

	it('reopens a LISTEN connection that dropped, and wakes listeners once it is back', async () => {
		let wakes = 0;
		const stop = await store.onFeedCommit(() => wakes++);
		const admin = new Client({ connectionString: PG_URL });
		await admin.connect();
		const listenerPids = async () =>
			(
				await admin.query(
					`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state IS NOT NULL`,
					[`customer-stage listen ${schema}`.slice(0, 63)],
				)
			).rows.map((row) => Number(row.pid));
		try {
			const [first] = await listenerPids();
			expect(first).toBeGreaterThan(0);
			await admin.query('SELECT pg_terminate_backend($1)', [first]);
			// Reopened after about a second, as a new backend; the listeners are woken then.
			await waitFor(() => wakes > 0, 10_000);
			const [second] = await listenerPids();
			expect(second).toBeGreaterThan(0);
			expect(second).not.toBe(first);
			const before = wakes;
			await store.recordEvents([
				{ journey: 'feed', customerId: 'relisten', eventType: 'visit', eventId: 'r1' },
			]);
			await waitFor(() => wakes > before);
		} finally {
			await admin.end();
			await stop!();
		}
		// Stopped: the connection is closed and not reopened.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const remaining = new Client({ connectionString: PG_URL });
		await remaining.connect();
		const { rows } = await remaining.query(
			`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
			[`customer-stage listen ${schema}`.slice(0, 63)],
		);
		await remaining.end();
		expect(rows[0].n).toBe(0);
	});
});

async function waitFor(condition: () => boolean, ms = 5000) {
	const until = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > until) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
