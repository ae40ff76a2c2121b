/**
 * The one place where SQLite and PostgreSQL differ. Queries above this layer are written once,
 * with `?` placeholders and SQL both databases accept (ON CONFLICT, RETURNING, CASE).
 */
export interface Dialect {
	name: 'sqlite' | 'postgres';
	/** Column type of an auto-increment primary key. */
	idColumn: string;
	/** Appended to a SELECT that must lock its rows until commit (SQLite's write lock covers it). */
	forUpdate: string;
	/** Appended to a SELECT whose rows must not change until commit (others may read them too). */
	forShare: string;
}

export type Row = Record<string, unknown>;

export interface SqlExecutor {
	readonly dialect: Dialect;
	query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
	/** Runs a statement and returns how many rows it changed. */
	run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
	/**
	 * Runs `work` in one write transaction: committed if it resolves, rolled back if it throws.
	 * Writers are serialised per customer (see lockCustomers in customers.ts), so the driver only has to give each
	 * transaction its own connection (PostgreSQL) or the file's write lock (SQLite).
	 */
	transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	/** Runs `work` holding a lock that serialises schema migrations across processes. */
	migrationLock<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	serverVersion(): Promise<string>;
	readonly location: string;
	close(): Promise<void>;
}

/** Rows written per multi-row statement: under SQLite's and PostgreSQL's parameter caps. */
export const ROWS_PER_STATEMENT = 200;

/** `(?, ?, ?), (?, ?, ?)` for a multi-row VALUES list. */
export function placeholders(rows: number, columns: number): string {
	const row = `(${new Array(columns).fill('?').join(', ')})`;
	return new Array(rows).fill(row).join(', ');
}

/** `?, ?, ?` for an IN (...) list. */
export function inList(count: number): string {
	return new Array(count).fill('?').join(', ');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
	return chunks;
}
