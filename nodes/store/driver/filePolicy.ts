import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

/**
 * Where the embedded store may live. Checked before anything is created or opened, so a refused
 * path leaves no trace: no folder made, no file created or changed. The rules follow n8n's own
 * file nodes (n8n-core's file-system helpers), read from the same environment variables:
 *
 *  (a) N8N_RESTRICT_FILE_ACCESS_TO (folders separated by `;`, `~` for the home folder): when
 *      set, the store file must be inside one of them;
 *  (b) unless N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES is `false`: never inside n8n's own folder
 *      (`<user folder>/.n8n`, except our `customer-stage/` folder in it), n8n's static cache,
 *      N8N_CONFIG_FILES, N8N_CUSTOM_EXTENSIONS or N8N_BINARY_DATA_STORAGE_PATH;
 *  (c) not a directory;
 *  (d) an existing file must be one of our stores (SQLite with a `schema_migrations` table), an
 *      SQLite file with no tables yet (a store another process is creating) or empty (0 bytes):
 *      never another program's database or any other file.
 *
 * The default path (`<user folder>/.n8n/customer-stage/customer-stage.sqlite`) is ours and is
 * not subject to (a): no workflow chose it. Paths are compared after resolving symbolic links.
 */

type Env = Record<string, string | undefined>;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export class StoreFileRefused extends Error {
	constructor(
		message: string,
		readonly rule: string,
	) {
		super(message);
		this.name = 'StoreFileRefused';
	}
}

/** n8n's user folder's `.n8n` directory, as n8n's InstanceSettings computes it. */
export function n8nFolder(env: Env = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n');
}

export function defaultStorePath(env: Env = process.env): string {
	return join(n8nFolder(env), 'customer-stage', 'customer-stage.sqlite');
}

function expandHome(path: string): string {
	return path.startsWith('~') ? path.replace('~', homedir()) : path;
}

/** The path with symbolic links resolved as far as it exists (the rest appended as given). */
function realPath(path: string): string {
	const absolute = resolve(expandHome(path));
	const missing: string[] = [];
	let existing = absolute;
	for (;;) {
		try {
			return join(realpathSync(existing), ...missing.reverse());
		} catch {
			const parent = dirname(existing);
			if (parent === existing) return absolute;
			missing.push(basename(existing));
			existing = parent;
		}
	}
}

function isWithin(parent: string, child: string): boolean {
	return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

function list(value: string | undefined, separator: string): string[] {
	return (value ?? '')
		.split(separator)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

function refuse(path: string, why: string, rule: string): never {
	throw new StoreFileRefused(
		`The store file ${path} ${why} (${rule}). Nothing was created or changed; choose another File Path in the Customer Stage Store credential.`,
		rule,
	);
}

/** Reads the first bytes of a file without changing it. */
function header(path: string): Buffer {
	const buffer = Buffer.alloc(SQLITE_HEADER.length);
	const fd = openSync(path, 'r');
	try {
		const read = readSync(fd, buffer, 0, buffer.length, 0);
		return buffer.subarray(0, read);
	} finally {
		closeSync(fd);
	}
}

/**
 * The tables of an SQLite file. Opened read-only and immutable, so SQLite takes no lock and
 * writes no journal or shared-memory file beside it; when a write-ahead log exists (a database
 * in use) or the immutable read failed (a file being written this moment), read again through
 * SQLite's locks, read-only. Null: not readable as a database.
 */
function tablesOf(path: string): string[] | null {
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const look = (immutable: boolean) => {
		const url = new URL('file://');
		url.pathname = path;
		if (immutable) url.searchParams.set('immutable', '1');
		let db: DatabaseSync | undefined;
		try {
			// Waits (like the store itself) while another process holds the file's lock.
			db = new DatabaseSync(url, { readOnly: true, timeout: 10_000 });
			return db
				.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
				.all()
				.map((row) => String(row.name));
		} catch {
			return null;
		} finally {
			db?.close();
		}
	};
	const tables = look(true);
	if (tables?.includes('schema_migrations')) return tables;
	return existsSync(`${path}-wal`) || tables === null ? look(false) : tables;
}

/** Throws a StoreFileRefused naming the rule if the embedded store may not use `filePath`. */
export function checkStoreFile(filePath: string, env: Env = process.env): void {
	const path = realPath(filePath);
	const ownFolder = realPath(join(n8nFolder(env), 'customer-stage'));
	const isDefault = path === realPath(defaultStorePath(env));

	const allowed = list(env.N8N_RESTRICT_FILE_ACCESS_TO, ';').map(realPath);
	if (!isDefault && allowed.length > 0 && !allowed.some((folder) => isWithin(folder, path))) {
		refuse(
			filePath,
			`is outside the folders n8n may use: ${allowed.join('; ')}`,
			'N8N_RESTRICT_FILE_ACCESS_TO',
		);
	}

	if (env.N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES !== 'false' && !isWithin(ownFolder, path)) {
		const n8nOwn = [
			n8nFolder(env),
			join(homedir(), '.cache', 'n8n'),
			...list(env.N8N_CONFIG_FILES, ','),
			...list(env.N8N_CUSTOM_EXTENSIONS, ';'),
			...list(env.N8N_BINARY_DATA_STORAGE_PATH, ';'),
		].map(realPath);
		const inside = n8nOwn.find((folder) => isWithin(folder, path));
		if (inside !== undefined) {
			refuse(
				filePath,
				`is inside n8n's own files (${inside}); only its customer-stage folder (${ownFolder}) may hold the store`,
				'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES',
			);
		}
	}

	let stats;
	try {
		stats = statSync(path);
	} catch {
		return; // Does not exist yet: it will be created as a new store.
	}
	if (stats.isDirectory()) refuse(filePath, 'is a directory, not a file', 'a directory');
	if (!stats.isFile()) refuse(filePath, 'is not a regular file', 'not a regular file');
	if (stats.size === 0) return;
	if (!header(path).equals(SQLITE_HEADER)) {
		refuse(
			filePath,
			'already exists and is not an SQLite database (it does not start with "SQLite format 3")',
			'not a Customer Stage store',
		);
	}
	// No tables at all: a store another process of ours is creating this moment, or an empty
	// database; either way there is nothing of anyone else's to harm.
	const tables = tablesOf(path);
	if (tables === null || (tables.length > 0 && !tables.includes('schema_migrations'))) {
		refuse(
			filePath,
			'is an SQLite database of another program (it has no schema_migrations table)',
			'not a Customer Stage store',
		);
	}
}
