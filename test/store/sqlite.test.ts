import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../nodes/store/Store';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { describeStoreContract, TEST_JOURNEY, type StoreFixture } from './contract';

let empties = 0;

function sqliteFixture(): StoreFixture {
	const dir = mkdtempSync(join(tmpdir(), 'cs-sqlite-'));
	return {
		async open() {
			const driver = new SqliteDriver(join(dir, 'store.sqlite'));
			return { store: await Store.open(driver), driver };
		},
		failingTriggerSql: [
			`CREATE TRIGGER fail_b BEFORE INSERT ON transitions WHEN NEW.to_stage = 'b'
			 BEGIN SELECT RAISE(ABORT, 'no moves into b'); END`,
		],
		emptyDriver: () => new SqliteDriver(join(dir, `empty-${++empties}.sqlite`)),
		async cleanup() {
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

describeStoreContract('embedded SQLite', sqliteFixture);

describe('embedded SQLite: foreign-key checks left out of one transaction', () => {
	const dir = mkdtempSync(join(tmpdir(), 'cs-sqlite-fk-'));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));
	const foreignKeys = async (driver: SqliteDriver) =>
		Number((await driver.query<{ foreign_keys: number }>('PRAGMA foreign_keys'))[0].foreign_keys);
	const orphanMembership = (driver: SqliteDriver) =>
		driver.transaction((tx) =>
			tx.run(
				`INSERT INTO memberships (journey_id, customer_id, stage_key, entered_at, updated_at)
				 VALUES (999, 999, 'a', 1, 1)`,
			),
		);

	test('come back on after it, whether it commits or fails; other transactions check them', async () => {
		const driver = new SqliteDriver(join(dir, 'store.sqlite'));
		const store = await Store.open(driver);
		try {
			await expect(
				driver.transaction(
					async (tx) => {
						// Off inside the work (read through the transaction: the driver queues other calls).
						const [inside] = await tx.query<{ foreign_keys: number }>('PRAGMA foreign_keys');
						expect(Number(inside.foreign_keys)).toBe(0);
						throw new Error('undone');
					},
					{ foreignKeyChecks: false },
				),
			).rejects.toThrow('undone');
			expect(await foreignKeys(driver)).toBe(1);
			await expect(orphanMembership(driver)).rejects.toThrow(/FOREIGN KEY/);
			await driver.transaction(async () => undefined, { foreignKeyChecks: false });
			expect(await foreignKeys(driver)).toBe(1);
			await expect(orphanMembership(driver)).rejects.toThrow(/FOREIGN KEY/);
		} finally {
			await store.close();
		}
	});

	test('Customer → Delete leaves no row pointing at an erased customer', async () => {
		const driver = new SqliteDriver(join(dir, 'erase.sqlite'));
		const store = await Store.open(driver);
		try {
			await store.saveJourney(TEST_JOURNEY);
			await store.recordEvents(
				['x', 'y'].flatMap((customerId) =>
					['go.a', 'go.b'].map((eventType, i) => ({
						journey: TEST_JOURNEY.key,
						customerId,
						eventType,
						eventId: `${customerId}-${i}`,
					})),
				),
			);
			const [erased] = await store.eraseCustomers([{ customerId: 'x' }]);
			expect(erased.ok && erased.removed).toMatchObject({
				customers: 1,
				events: 2,
				transitions: 2,
			});
			expect(await driver.query('PRAGMA foreign_key_check')).toEqual([]);
			expect(await foreignKeys(driver)).toBe(1);
			expect((await store.getHistory('y')).length).toBe(2);
		} finally {
			await store.close();
		}
	});
});
