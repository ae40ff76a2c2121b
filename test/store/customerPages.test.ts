import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseCustomerQuery } from '../../nodes/engine/inputs';
import { PAGE_SIZE } from '../../nodes/store/customerQueries';
import { placeholders, type SqlDriver } from '../../nodes/store/driver/sql';
import type { Store } from '../../nodes/store/Store';
import { bothBackends, type Backend } from './backends';

/** A full garbage collection, without starting node with --expose-gc. */
const collectGarbage: () => void = (() => {
	setFlagsFromString('--expose-gc');
	return runInNewContext('gc');
})();

/**
 * Customer → Get Many over 100,000 customers: every matching customer comes back once, in
 * order, and no query ever returns more than a page — memory stays flat however big the table.
 */
const CUSTOMERS = 100_000;

async function fill(driver: SqlDriver) {
	const now = Date.now();
	const perStatement = 1000;
	await driver.transaction(async (tx) => {
		for (let start = 0; start < CUSTOMERS; start += perStatement) {
			const params: unknown[] = [];
			for (let i = start; i < start + perStatement; i++) {
				const id = `c${String(i).padStart(6, '0')}`;
				params.push(id, i % 2 ? 'li.wei' : 'wang.fang', JSON.stringify(['vip']), now + i, now);
			}
			await tx.run(
				`INSERT INTO customers (external_id, owner, tags, created_at, updated_at) VALUES ${placeholders(perStatement, 5)}`,
				params,
			);
		}
	});
}

for (const { name, available, make } of bothBackends('pages')) {
	(available ? describe : describe.skip)(`Get Many paging, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let driver: SqlDriver;

		beforeAll(async () => {
			backend = make();
			({ store, driver } = await backend.open());
			await fill(driver);
		}, 120_000);

		afterAll(async () => {
			await store.close();
			await backend.cleanup();
		});

		test('pages through 100k customers with at most one page per query and flat memory', async () => {
			let largestResult = 0;
			const query = driver.query.bind(driver);
			driver.query = (async (sql: string, params?: readonly unknown[]) => {
				const rows = await query(sql, params);
				largestResult = Math.max(largestResult, rows.length);
				return rows;
			}) as SqlDriver['query'];
			try {
				let seen = 0;
				let previous = '';
				let inOrder = true;
				let baseline = 0;
				let peak = 0;
				for await (const page of store.customerPages(
					parseCustomerQuery({ tagsAll: 'vip', sortBy: 'createdAt' }),
				)) {
					for (const customer of page) {
						if (customer.customerId <= previous) inOrder = false;
						previous = customer.customerId;
					}
					seen += page.length;
					// Memory kept, not garbage waiting for a collection: measured after a full GC.
					if (seen % (50 * PAGE_SIZE) === 10 * PAGE_SIZE) {
						collectGarbage();
						const heap = process.memoryUsage().heapUsed;
						if (!baseline) baseline = heap;
						peak = Math.max(peak, heap);
					}
				}
				expect(seen).toBe(CUSTOMERS);
				expect(inOrder).toBe(true);
				expect(largestResult).toBeLessThanOrEqual(PAGE_SIZE);
				// The whole table as customer objects would take well over 60 MB; what stays after
				// each collection does not grow with the pages read.
				expect((peak - baseline) / 1024 / 1024).toBeLessThan(16);
				// A filter half the table matches, newest first, limited: only what was asked.
				const newest: string[] = [];
				for await (const page of store.customerPages(
					parseCustomerQuery({
						owners: 'li.wei',
						sortBy: 'createdAt',
						sortDirection: 'descending',
						limit: 450,
					}),
				))
					newest.push(...page.map((c) => c.customerId));
				expect(newest).toHaveLength(450);
				expect(newest.slice(0, 2)).toEqual(['c099999', 'c099997']);
				expect(newest.at(-1)).toBe(`c${String(CUSTOMERS - 1 - 2 * 449).padStart(6, '0')}`);
			} finally {
				driver.query = query;
			}
		}, 180_000);
	});
}
