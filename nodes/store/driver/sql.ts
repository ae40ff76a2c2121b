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
	/**
	 * `query` with each row as an array of its values in the SELECT list's order: for reads of
	 * many thousand rows, where building one object per row is a good part of the cost. Column
	 * names must still be distinct and not numbers: Node before 24 reads rows as objects.
	 */
	values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): Promise<T[]>;
	/** Runs a statement and returns how many rows it changed. */
	run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/**
 * The executor a transaction's work gets: it refuses every statement once the transaction has
 * ended (`end`). Work may send statements without awaiting each at once (writeBatch overlaps
 * PostgreSQL's work with its own); one still on its way when the transaction commits or rolls
 * back would otherwise run outside it — on SQLite in autocommit or in the next transaction, on
 * PostgreSQL on a connection back in the pool.
 */
export function transactionExecutor(executor: SqlExecutor): { tx: SqlExecutor; end(): void } {
	let ended = false;
	const open = () => {
		if (ended) throw new Error('A statement was sent after its transaction had ended');
	};
	return {
		tx: {
			dialect: executor.dialect,
			query: async (sql, params) => {
				open();
				return executor.query(sql, params);
			},
			values: async (sql, params) => {
				open();
				return executor.values(sql, params);
			},
			run: async (sql, params) => {
				open();
				return executor.run(sql, params);
			},
		} as SqlExecutor,
		end: () => {
			ended = true;
		},
	};
}

/**
 * Waits for statements sent together (each a promise of a function that may send several) and
 * then throws the first failure: unlike Promise.all, nothing is still running when it throws, so
 * the transaction never ends under a statement (see transactionExecutor).
 */
export async function allSettled(work: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
	const results = await Promise.allSettled(work);
	for (const result of results) if (result.status === 'rejected') throw result.reason;
}

export interface TransactionOptions {
	/**
	 * false: SQLite does not check foreign keys in this transaction, for work that deletes every
	 * child row itself before its parent (Customer → Delete). Deleting a customer row otherwise
	 * makes SQLite look for children in each referencing table, a whole-table scan where the
	 * customer is not the first column of an index (events, the history). PostgreSQL ignores it.
	 */
	foreignKeyChecks?: false;
}

export interface SqlDriver extends SqlExecutor {
	/**
	 * Runs `work` in one write transaction: committed if it resolves, rolled back if it throws.
	 * Writers are serialised per customer (see lockCustomers in customers.ts), so the driver only has to give each
	 * transaction its own connection (PostgreSQL) or the file's write lock (SQLite).
	 */
	transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
	/** Runs `work` holding a lock that serialises schema migrations across processes. */
	migrationLock<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	serverVersion(): Promise<string>;
	/**
	 * Calls `onNotify` on each NOTIFY on `channel` carrying this store's schema (PostgreSQL), until
	 * the returned stop function runs. Absent where there is no such thing (SQLite): callers poll.
	 */
	listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
	readonly location: string;
	close(): Promise<void>;
}

/** Rows written per multi-row statement on SQLite: under its parameter cap. */
export const ROWS_PER_STATEMENT = 200;

const placeholderLists = new Map<string, string>();

/**
 * `(?, ?, ?), (?, ?, ?)` for a multi-row VALUES list. Kept per shape: a batch writes many
 * statements of the same size (10,000 events are 50 lists of 200 rows of 8 columns).
 */
export function placeholders(rows: number, columns: number): string {
	const shape = `${rows}x${columns}`;
	let list = placeholderLists.get(shape);
	if (list === undefined) {
		const row = `(${new Array(columns).fill('?').join(', ')})`;
		list = new Array(rows).fill(row).join(', ');
		if (placeholderLists.size < 1000) placeholderLists.set(shape, list);
	}
	return list;
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

/** PostgreSQL's type for a column written from JSON or matched as one array parameter. */
export type ArrayType = 'text' | 'bigint' | 'integer' | 'float8';

/**
 * How many values one statement takes: all of them on PostgreSQL (one array parameter per
 * column, so the statement's text and plan do not depend on the batch size), ROWS_PER_STATEMENT
 * on SQLite (a list of `?`, under its parameter cap).
 */
export function batchesOf<T>(d: Dialect, items: readonly T[]): T[][] {
	if (items.length === 0) return [];
	return d.name === 'postgres' ? [[...items]] : chunk(items, ROWS_PER_STATEMENT);
}

/** ` = ANY(?::text[])` (PostgreSQL) or ` IN (?, ?, …)` (SQLite), with its parameters. */
export function matchAny(
	d: Dialect,
	values: readonly unknown[],
	type: ArrayType,
): { sql: string; params: unknown[] } {
	return d.name === 'postgres'
		? { sql: ` = ANY(?::${type}[])`, params: [values] }
		: { sql: ` IN (${inList(values.length)})`, params: [...values] };
}

/**
 * Like matchAny, for a list of any length in one parameter: on SQLite a JSON array read by
 * json_each, since a list of `?` stops at its parameter cap (32,766) and costs one bind each.
 */
export function matchList(
	d: Dialect,
	values: readonly unknown[],
	type: ArrayType,
): { sql: string; params: unknown[] } {
	return d.name === 'postgres'
		? matchAny(d, values, type)
		: { sql: ` IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] };
}

/**
 * Inserts rows with as few statements as the backend allows: on PostgreSQL one
 * `INSERT … SELECT … FROM jsonb_array_elements(?::jsonb)` whatever the row count, the rows sent
 * as one JSON array of arrays (rows keep their order, so row locks are taken in it; JSON costs
 * less to build and to read than one array literal per column); on SQLite multi-row VALUES
 * lists. `tail` follows the rows (ON CONFLICT …, RETURNING …); the returned rows are every
 * statement's, in order. `before` (PostgreSQL only) is a SELECT the statement runs once before
 * it inserts any row, saving a round trip (see feed.ts).
 */
export async function insertRows<T extends Row = Row>(
	tx: SqlExecutor,
	table: string,
	columns: ReadonlyArray<readonly [name: string, type: ArrayType]>,
	rows: ReadonlyArray<readonly unknown[]>,
	tail = '',
	before?: string,
): Promise<T[]> {
	const returned: T[] = [];
	for (const [sql, params] of insertStatements(tx.dialect, table, columns, rows, tail, before)) {
		returned.push(...(await tx.query<T>(sql, params)));
	}
	return returned;
}

/** insertRows without RETURNING: how many rows went in (ON CONFLICT DO NOTHING may skip some). */
export async function insertRowsCounted(
	tx: SqlExecutor,
	table: string,
	columns: ReadonlyArray<readonly [name: string, type: ArrayType]>,
	rows: ReadonlyArray<readonly unknown[]>,
	tail = '',
): Promise<number> {
	let inserted = 0;
	for (const [sql, params] of insertStatements(tx.dialect, table, columns, rows, tail)) {
		inserted += await tx.run(sql, params);
	}
	return inserted;
}

function* insertStatements(
	d: Dialect,
	table: string,
	columns: ReadonlyArray<readonly [name: string, type: ArrayType]>,
	rows: ReadonlyArray<readonly unknown[]>,
	tail: string,
	before?: string,
): Generator<[sql: string, params: unknown[]]> {
	const names = columns.map(([name]) => name).join(', ');
	for (const part of batchesOf(d, rows)) {
		if (d.name === 'postgres') {
			const fields = columns
				.map(([, type], c) => (type === 'text' ? `r->>${c}` : `(r->>${c})::${type}`))
				.join(', ');
			yield [
				before
					? `WITH before_rows AS MATERIALIZED (${before}) INSERT INTO ${table} (${names}) SELECT ${fields} FROM before_rows, jsonb_array_elements(?::jsonb) r ${tail}`
					: `INSERT INTO ${table} (${names}) SELECT ${fields} FROM jsonb_array_elements(?::jsonb) r ${tail}`,
				[JSON.stringify(part)],
			];
		} else {
			yield [
				`INSERT INTO ${table} (${names}) VALUES ${placeholders(part.length, columns.length)} ${tail}`,
				part.flat(),
			];
		}
	}
}

/**
 * Sets columns of existing rows from a list, each row given by its key columns then its new
 * values, with as few statements as `insertRows` uses: one `UPDATE … FROM` a JSON array on
 * PostgreSQL, `UPDATE … FROM (VALUES …)` lists on SQLite (a join, not one CASE per row).
 */
export async function updateRows(
	tx: SqlExecutor,
	table: string,
	keys: ReadonlyArray<readonly [name: string, type: ArrayType]>,
	values: ReadonlyArray<readonly [name: string, type: ArrayType]>,
	rows: ReadonlyArray<readonly unknown[]>,
): Promise<void> {
	const columns = [...keys, ...values];
	for (const part of batchesOf(tx.dialect, rows)) {
		const postgres = tx.dialect.name === 'postgres';
		// The source's c-th field: r->>c on PostgreSQL, VALUES' column(c+1) on SQLite.
		const field = (c: number) =>
			postgres
				? columns[c][1] === 'text'
					? `r->>${c}`
					: `(r->>${c})::${columns[c][1]}`
				: `r.column${c + 1}`;
		const set = values.map(([name], v) => `${name} = ${field(keys.length + v)}`).join(', ');
		const match = keys.map(([name], k) => `${table}.${name} = ${field(k)}`).join(' AND ');
		const source = postgres
			? 'jsonb_array_elements(?::jsonb) r'
			: `(VALUES ${placeholders(part.length, columns.length)}) AS r`;
		await tx.run(
			`UPDATE ${table} SET ${set} FROM ${source} WHERE ${match}`,
			postgres ? [JSON.stringify(part)] : part.flat(),
		);
	}
}
