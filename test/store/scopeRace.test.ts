import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { presetJourneys } from '../../nodes/engine/presets';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import type { StoreConfig } from '../../nodes/store/openStore';
import type { Store } from '../../nodes/store/Store';
import type { ItemOutcome } from '../../nodes/store/types';
import { bothBackends, type Backend } from './backends';
import { countRows, failed, ok, TEST_JOURNEY } from './contract';
import { PG_URL } from './pgTarget';

/**
 * Scope under concurrency: another execution moves customer 'acme' from li.wei to wang.fang
 * (what Customer → Update does) while a write scoped to li.wei's customers is on its way. The
 * owner change is held open in a transaction of its own until the scoped write has started
 * (PostgreSQL: until the write waits on the row; SQLite: the write starts while the other
 * process holds the file's write lock), then committed. A check made before the write's
 * transaction would still see li.wei and let the write through; every scoped write must see
 * wang.fang on the row it locks and refuse 'acme' on its own, while li.wei's other customer in
 * the same batch is written.
 */

const LI_WEI = { scope: 'owners', owners: 'li.wei' };
const REFUSED =
	"Customer 'acme' is outside this node's scope (owners li.wei); nothing was read or changed";
/** How long the SQLite holder keeps the file's write lock once it has it. */
const HOLD_MS = 1500;

/** Each scoped write, for 'acme' (moved away meanwhile) and 'abe' (li.wei's throughout). */
const WRITES: Record<string, (store: Store) => Promise<Array<ItemOutcome<unknown>>>> = {
	'Set Status': (store) =>
		store.setStatuses(
			['acme', 'abe'].map((customerId) => ({
				journey: 'revops_lifecycle',
				customerId,
				status: 'contacted',
				scope: LI_WEI,
			})),
		),
	'Set Stage': (store) =>
		store.setStages(
			['acme', 'abe'].map((customerId) => ({
				journey: 'test_journey',
				customerId,
				stage: 'b',
				scope: LI_WEI,
			})),
		),
	Import: (store) =>
		store.importCustomers(
			['acme', 'abe'].map((customerId) => ({
				customerId,
				rating: 3,
				journey: 'test_journey',
				scope: LI_WEI,
			})),
		),
	'Log Contact': (store) =>
		store.logContacts(
			['acme', 'abe'].map((customerId) => ({ customerId, employee: 'li.wei', scope: LI_WEI })),
		),
	Update: (store) =>
		store.updateCustomers(
			['acme', 'abe'].map((customerId) => ({ customerId, rating: 3, scope: LI_WEI })),
		),
	Delete: (store) =>
		store.eraseCustomers(['acme', 'abe'].map((customerId) => ({ customerId, scope: LI_WEI }))),
};

/** The owner change as Update makes it: the owner, and a row of the history of owners. */
const OWNER_CHANGE = [
	`UPDATE customers SET owner = 'wang.fang', updated_at = 2 WHERE external_id = 'acme'`,
	`INSERT INTO owner_changes (customer_id, from_owner, to_owner, reason_kind, actor, changed_at)
	 SELECT id, 'li.wei', 'wang.fang', 'update', 'other', 2 FROM customers WHERE external_id = 'acme'`,
];

/** Waits until `count` statements wait, directly or in line, on the transaction of `holder`. */
async function blockedBy(driver: SqlDriver, holder: number, count: number): Promise<void> {
	for (let waited = 0; ; waited += 20) {
		// Asked outside the held transaction: inside it, pg_stat_activity stays a snapshot.
		const [{ n }] = await driver.query<{ n: number }>(
			`WITH RECURSIVE blocked(pid) AS (
			   SELECT pid FROM pg_stat_activity WHERE ?::int = ANY(pg_blocking_pids(pid))
			   UNION
			   SELECT a.pid FROM pg_stat_activity a JOIN blocked b ON b.pid = ANY(pg_blocking_pids(a.pid))
			 ) SELECT count(*)::int AS n FROM blocked`,
			[holder],
		);
		if (n >= count) return;
		if (waited > 10_000) throw new Error(`never saw ${count} statement(s) waiting on the held row`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** A transaction of another connection, its process id, and `sql` run in it. */
async function holdOnPostgres(schema: string, sql: string[]) {
	const other = new Client({ connectionString: PG_URL });
	await other.connect();
	await other.query(`SET search_path TO "${schema}"`);
	const [{ pid }] = (await other.query('SELECT pg_backend_pid() AS pid')).rows;
	await other.query('BEGIN');
	for (const statement of sql) await other.query(statement);
	return {
		pid: Number(pid),
		async commit(): Promise<void> {
			try {
				await other.query('COMMIT');
			} finally {
				await other.end();
			}
		},
	};
}

/**
 * SQLite: the owner change in another process, which holds the file's write lock for HOLD_MS
 * after saying so, then commits; `release` resolves with the commit time.
 */
async function holdOnSqlite(filePath: string) {
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const db = new DatabaseSync(process.argv[1]);
		db.exec('PRAGMA busy_timeout = 10000');
		db.exec('BEGIN IMMEDIATE');
		for (const sql of JSON.parse(process.argv[2])) db.exec(sql);
		process.stdout.write('held\\n');
		setTimeout(() => {
			db.exec('COMMIT');
			process.stdout.write('committed ' + Date.now() + '\\n');
			db.close();
		}, Number(process.argv[3]));`;
	const child = spawn(process.execPath, [
		'-e',
		script,
		filePath,
		JSON.stringify(OWNER_CHANGE),
		String(HOLD_MS),
	]);
	let errors = '';
	child.stderr.on('data', (chunk) => (errors += String(chunk)));
	const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
	const first = await lines.next();
	if (first.value !== 'held') throw new Error(`the holder did not start: ${errors}`);
	return {
		async release(): Promise<number> {
			const line = await lines.next();
			const match = /^committed (\d+)$/.exec(String(line.value));
			if (!match) throw new Error(`the holder did not commit: ${errors}`);
			return Number(match[1]);
		},
	};
}

for (const { name, available, make } of bothBackends('scope-race')) {
	(available ? describe : describe.skip)(`scope and a concurrent owner change, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let driver: SqlDriver;
		let config: StoreConfig;

		beforeEach(async () => {
			backend = make();
			({ store, driver, config } = await backend.open());
			await store.saveJourney(TEST_JOURNEY);
			for (const journey of presetJourneys('revopsLifecycle')) await store.saveJourney(journey);
			(
				await store.importCustomers([
					{ customerId: 'acme', owner: 'li.wei' },
					{ customerId: 'abe', owner: 'li.wei' },
				])
			).forEach(ok);
		});

		afterEach(async () => {
			await store.close();
			await backend.cleanup();
		});

		/** Runs a scoped write while the owner change is held, then lets the change commit. */
		async function duringOwnerChange(
			write: (store: Store) => Promise<Array<ItemOutcome<unknown>>>,
		) {
			if (config.backend === 'postgres') {
				const hold = await holdOnPostgres(config.schema!, OWNER_CHANGE);
				const writing = write(store);
				// Committed once the write waits on 'acme': it has started, and cannot have locked them.
				await blockedBy(driver, hold.pid, 1).finally(() => hold.commit());
				return writing;
			}
			const hold = await holdOnSqlite(config.filePath!);
			const started = Date.now();
			const outcomes = await write(store);
			// The write began while the change was held: it had to wait for it, or decide without it.
			expect(started).toBeLessThan(await hold.release());
			return outcomes;
		}

		for (const [operation, write] of Object.entries(WRITES)) {
			test(`${operation} refuses the customer moved out of its scope meanwhile, and only them`, async () => {
				const outcomes = await duringOwnerChange(write);
				expect(failed(outcomes[0])).toMatchObject({ field: 'customerId', message: REFUSED });
				ok(outcomes[1]);
				// Nothing of the refused item: 'acme' is as the other execution left them.
				const [acme] = await store.getCustomers(['acme']);
				expect(acme).toMatchObject({
					owner: 'wang.fang',
					rating: null,
					lastContactAt: null,
					journeys: [],
				});
				expect(await store.getHistory('acme')).toEqual([]);
				expect(
					await countRows(
						driver,
						`contacts WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'acme')`,
					),
				).toBe(0);
				// ... and the other customer of the batch was written.
				const [abe] = await store.getCustomers(['abe']);
				if (operation === 'Delete') expect(abe).toBeNull();
				else expect(abe).not.toBeNull();
			});
		}

		test('Assign shares out only the customers still inside its scope', async () => {
			const hold =
				config.backend === 'postgres'
					? await holdOnPostgres(config.schema!, OWNER_CHANGE)
					: await holdOnSqlite(config.filePath!);
			const started = Date.now();
			const assigning = store.assignCustomers({ employees: 'sun.li', scope: LI_WEI });
			if ('pid' in hold) await blockedBy(driver, hold.pid, 1).finally(() => hold.commit());
			else expect(started).toBeLessThan(await hold.release());
			expect((await assigning).map((a) => [a.customerId, a.previousOwner, a.owner])).toEqual([
				['abe', 'li.wei', 'sun.li'],
			]);
			expect((await store.getCustomers(['acme']))[0]!.owner).toBe('wang.fang');
			expect(await countRows(driver, `owner_changes WHERE to_owner = 'sun.li'`)).toBe(1);
		});

		// Only where two executions' transactions can be queued on one row from one process.
		if (name === 'PostgreSQL')
			test('Update and Set Status at once, in either order: Set Status never writes outside its scope', async () => {
				// Two executions on connections of their own, queued one after the other behind a lock
				// held on the customer, then let go: first Update then Set Status (for 'acme'), then the
				// other way round (for 'abe'). Whoever gets the row first, Set Status either wrote while
				// the customer was li.wei's, or refused them and wrote nothing.
				if (config.backend !== 'postgres') throw new Error('PostgreSQL only');
				const { schema } = config;
				const second = await backend.open();
				try {
					for (const [customerId, updateFirst] of [
						['acme', true],
						['abe', false],
					] as const) {
						const hold = await holdOnPostgres(schema!, [
							`SELECT id FROM customers WHERE external_id = '${customerId}' FOR UPDATE`,
						]);
						const update = () => second.store.updateCustomers([{ customerId, owner: 'wang.fang' }]);
						const setStatus = () =>
							store.setStatuses([
								{ journey: 'revops_lifecycle', customerId, status: 'contacted', scope: LI_WEI },
							]);
						const first = updateFirst ? update() : setStatus();
						await blockedBy(driver, hold.pid, 1);
						const then = updateFirst ? setStatus() : update();
						await blockedBy(driver, hold.pid, 2).finally(() => hold.commit());
						const [updated, [status]] = updateFirst
							? [await first, await then]
							: [await then, await first];
						ok(updated[0]);
						const history = await store.getHistory(customerId, { journey: 'revops_lifecycle' });
						if (status.ok) {
							expect(history.map((t) => [t.toStage, t.owner])).toEqual([['mql', 'li.wei']]);
						} else {
							expect(status.error.message).toBe(REFUSED.replace("'acme'", `'${customerId}'`));
							expect(history).toEqual([]);
						}
						expect((await store.getCustomers([customerId]))[0]!.owner).toBe('wang.fang');
					}
				} finally {
					await second.store.close();
				}
			});
	});
}
