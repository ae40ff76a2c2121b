import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
	transactionExecutor,
	type Dialect,
	type Row,
	type SqlDriver,
	type SqlExecutor,
	type TransactionOptions,
} from './sql';

const dialect: Dialect = {
	name: 'sqlite',
	idColumn: 'INTEGER PRIMARY KEY AUTOINCREMENT',
	forUpdate: '',
	forShare: '',
};

/** node:sqlite ships with Node ≥ 22.5; older n8n builds ran on Node 20, so say what to do. */
function loadSqlite(): typeof import('node:sqlite') {
	try {
		return require('node:sqlite');
	} catch {
		throw new Error(
			`The embedded store needs Node.js 22.5 or newer (n8n is running on Node ${process.versions.node}). ` +
				'Run n8n on Node 24 as n8n 2.x recommends, or choose the PostgreSQL backend in the Customer Stage Store credential.',
		);
	}
}

type Bindable = string | number | bigint | null | Uint8Array;

/** node:sqlite binds numbers, strings, bigints, buffers and null; map the rest. */
function bindable(value: unknown): Bindable {
	if (value === undefined || value === null) return null;
	if (typeof value === 'boolean') return value ? 1 : 0;
	return value as Bindable;
}

/**
 * The parameters as node:sqlite binds them; copied only when one needs mapping (a multi-row
 * insert passes thousands, most of them already bindable).
 */
function bindAll(params: readonly unknown[]): readonly Bindable[] {
	for (let i = 0; i < params.length; i++) {
		const value = params[i];
		if (value === undefined || typeof value === 'boolean') return params.map(bindable);
	}
	return params as readonly Bindable[];
}

/** Each statement's result column names, read once. */
const columnNames = new WeakMap<StatementSync, string[]>();

/**
 * A query's rows as plain objects of one shape. node:sqlite builds its row objects in V8's
 * dictionary mode (null prototype, properties in a hash table), so every later read of a field
 * is a hash lookup: a store loop over thousands of rows ran about ten times slower on them. Rows
 * read as arrays and copied into objects built key by key in column order share one hidden
 * class, and cost less to make. Column names are the store's own SQL (none is `__proto__`); of
 * two columns with the same name the last one wins, as in node:sqlite's objects.
 */
function rowsOf(statement: StatementSync, params: readonly Bindable[]): Row[] {
	if (typeof statement.setReturnArrays !== 'function') return statement.all(...params) as Row[];
	const arrays = statement.all(...params) as unknown as unknown[][];
	let names = columnNames.get(statement);
	if (!names) columnNames.set(statement, (names = statement.columns().map((c) => c.name)));
	const rows: Row[] = new Array(arrays.length);
	for (let r = 0; r < arrays.length; r++) {
		const values = arrays[r];
		const row: Row = {};
		for (let c = 0; c < names.length; c++) row[names[c]] = values[c];
		rows[r] = row;
	}
	return rows;
}

/**
 * A query's rows as arrays of their values in the SELECT list's order (`values`). Node before 24
 * has no array mode: its row objects keep that order, so their values are taken.
 */
function arraysOf(statement: StatementSync, params: readonly Bindable[]): unknown[][] {
	const rows = statement.all(...params) as unknown[];
	if (typeof statement.setReturnArrays === 'function') return rows as unknown[][];
	return rows.map((row) => Object.values(row as Row));
}

/**
 * The embedded store: one connection per file per process, WAL so readers never wait for the
 * writer, `BEGIN IMMEDIATE` so a writer takes the file's write lock before reading what it
 * will change (no lost updates across processes sharing the file).
 */
export class SqliteDriver implements SqlDriver {
	readonly dialect = dialect;
	private readonly db: DatabaseSync;
	private readonly statements = new Map<string, StatementSync>();
	/** node:sqlite is synchronous but our transactions await; queue them on this connection. */
	private queue: Promise<unknown> = Promise.resolve();
	private readonly executor: SqlExecutor;

	constructor(readonly location: string) {
		const { DatabaseSync } = loadSqlite();
		try {
			if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
			this.db = new DatabaseSync(location);
		} catch (error) {
			throw new Error(
				`Cannot open the embedded store at ${location}: ${(error as Error).message}. Check the credential's File Path.`,
			);
		}
		this.db.exec('PRAGMA busy_timeout = 10000');
		this.db.exec('PRAGMA journal_mode = WAL');
		// NORMAL is crash-safe in WAL mode; it only may lose the last commits on power loss.
		this.db.exec('PRAGMA synchronous = NORMAL');
		this.db.exec('PRAGMA foreign_keys = ON');
		openDrivers.add(this);
		this.executor = {
			dialect,
			query: async <T extends Row>(sql: string, params: readonly unknown[] = []) =>
				rowsOf(this.prepare(sql), bindAll(params)) as T[],
			values: async <T extends unknown[]>(sql: string, params: readonly unknown[] = []) =>
				arraysOf(this.prepare(sql), bindAll(params)) as T[],
			run: async (sql: string, params: readonly unknown[] = []) =>
				Number(this.prepare(sql).run(...bindAll(params)).changes),
		};
	}

	private prepare(sql: string): StatementSync {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			// Rows come as arrays: query() copies them into plain objects, values() hands them over.
			statement.setReturnArrays?.(true);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private exclusive<T>(work: () => Promise<T>): Promise<T> {
		const result = this.queue.then(work);
		this.queue = result.catch(() => undefined);
		return result;
	}

	query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
		return this.exclusive(() => this.executor.query<T>(sql, params));
	}

	values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): Promise<T[]> {
		return this.exclusive(() => this.executor.values<T>(sql, params));
	}

	run(sql: string, params?: readonly unknown[]): Promise<number> {
		return this.exclusive(() => this.executor.run(sql, params));
	}

	transaction<T>(
		work: (tx: SqlExecutor) => Promise<T>,
		options: TransactionOptions = {},
	): Promise<T> {
		return this.exclusive(async () => {
			// The pragma is a no-op inside a transaction: set before BEGIN, restored after the end.
			const unchecked = options.foreignKeyChecks === false;
			if (unchecked) this.db.exec('PRAGMA foreign_keys = OFF');
			try {
				this.db.exec('BEGIN IMMEDIATE');
				try {
					const { tx, end } = transactionExecutor(this.executor);
					let result: T;
					try {
						result = await work(tx);
					} finally {
						end();
					}
					this.db.exec('COMMIT');
					return result;
				} catch (error) {
					if (this.db.isTransaction) this.db.exec('ROLLBACK');
					throw error;
				}
			} finally {
				if (unchecked) this.db.exec('PRAGMA foreign_keys = ON');
			}
		});
	}

	/** BEGIN IMMEDIATE already serialises every process that opens the file. */
	migrationLock<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		return this.transaction(work);
	}

	async serverVersion(): Promise<string> {
		const [row] = await this.query<{ version: string }>('SELECT sqlite_version() AS version');
		return `SQLite ${row.version} (node:sqlite, Node ${process.versions.node})`;
	}

	async close(): Promise<void> {
		await this.exclusive(async () => this.closeNow());
	}

	/** Closes the file at once: its statements are finalized first, by node:sqlite itself. */
	closeNow(): void {
		openDrivers.delete(this);
		this.statements.clear();
		if (this.db.isOpen) this.db.close();
	}
}

/**
 * Files still open when the process exits are closed first. n8n's CLI (e.g. `n8n execute`) ends
 * with process.exit(), which skips 'beforeExit'; left to process teardown, a database handle
 * and its cached statements can be destroyed in either order, and a statement finalized after
 * its database is gone crashes the process (seen as a SIGSEGV after a successful run).
 */
const openDrivers = new Set<SqliteDriver>();
process.on('exit', () => {
	for (const driver of [...openDrivers]) {
		try {
			driver.closeNow();
		} catch {
			// Exiting anyway; a file that cannot close now is recovered by SQLite on next open.
		}
	}
});
