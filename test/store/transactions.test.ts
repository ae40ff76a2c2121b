import { insertRows, type SqlDriver, type SqlExecutor } from '../../nodes/store/driver/sql';
import { JourneyCache } from '../../nodes/store/journeys';
import type { Store } from '../../nodes/store/Store';
import { writeBatch } from '../../nodes/store/writeBatch';
import { bothBackends, type Backend } from './backends';

/**
 * A batch sends some statements without awaiting each (PostgreSQL works while the process
 * decides): nothing may run outside its transaction, whatever fails and when.
 */
for (const { name, available, make } of bothBackends('transactions')) {
	(available ? describe : describe.skip)(`transactions, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let driver: SqlDriver;

		beforeEach(async () => {
			backend = make();
			({ store, driver } = await backend.open());
			await driver.run('CREATE TABLE scratch (n BIGINT NOT NULL)');
		});
		afterEach(async () => {
			await store.close();
			await backend.cleanup();
		});

		const scratchRows = async () =>
			Number((await driver.query(`SELECT COUNT(*) AS n FROM scratch`))[0].n);

		test('a statement sent after its transaction ended is refused, committed or rolled back', async () => {
			let kept: SqlExecutor | undefined;
			await driver.transaction(async (tx) => {
				kept = tx;
				await tx.run('INSERT INTO scratch (n) VALUES (1)');
			});
			await expect(kept!.run('INSERT INTO scratch (n) VALUES (2)')).rejects.toThrow(
				'A statement was sent after its transaction had ended',
			);
			await expect(
				driver.transaction(async (tx) => {
					kept = tx;
					throw new Error('undone');
				}),
			).rejects.toThrow('undone');
			await expect(kept!.query('SELECT n FROM scratch')).rejects.toThrow(/after its transaction/);
			expect(await scratchRows()).toBe(1);
		});

		test('a batch whose deciding fails leaves nothing of what it had sent to be written meanwhile', async () => {
			// 1,000 rows: five statements on SQLite, each awaited in turn by insertRows.
			const rows = Array.from({ length: 1000 }, (_, i) => [i]);
			const attempt = writeBatch(
				driver,
				new JourneyCache(),
				Date.now(),
				[{ customerId: 'decide-fails' }],
				{},
				{
					prepare: async (tx) => {
						await insertRows(tx, 'scratch', [['n', 'bigint']], rows);
					},
					decide: () => {
						throw new Error('deciding failed');
					},
				},
			);
			await expect(attempt).rejects.toThrow('deciding failed');
			expect(await scratchRows()).toBe(0);
			expect(await driver.query(`SELECT id FROM customers`)).toEqual([]);
			// The connection is clean: the next transaction writes what it is given, nothing more.
			await driver.transaction((tx) => insertRows(tx, 'scratch', [['n', 'bigint']], [[7]]));
			expect(await scratchRows()).toBe(1);
		});
	});
}
