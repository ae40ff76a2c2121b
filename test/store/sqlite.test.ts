import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../nodes/store/Store';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { describeStoreContract, type StoreFixture } from './contract';

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
