import { createHash } from 'node:crypto';
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { checkStoreFile } from '../../nodes/store/driver/filePolicy';
import { closeAllStores, openStore } from '../../nodes/store/openStore';

/**
 * Where the embedded store may live (credential File Path). Every refusal names its rule and
 * leaves the disk exactly as it was: no folder made, no file created or changed.
 */
const ENV_KEYS = [
	'N8N_USER_FOLDER',
	'N8N_RESTRICT_FILE_ACCESS_TO',
	'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES',
] as const;

let root: string;
let saved: Record<string, string | undefined>;

/** Every file and folder under `root` with its size, mtime and content hash. */
function snapshot(dir: string): Record<string, string> {
	const result: Record<string, string> = {};
	const walk = (at: string) => {
		for (const name of readdirSync(at)) {
			const path = join(at, name);
			const stats = statSync(path);
			if (stats.isDirectory()) {
				result[path] = 'dir';
				walk(path);
			} else {
				const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
				result[path] = `${stats.size}:${stats.mtimeMs}:${hash}`;
			}
		}
	};
	walk(dir);
	return result;
}

function sqliteFile(path: string, sql: string) {
	mkdirSync(join(path, '..'), { recursive: true });
	const db = new DatabaseSync(path);
	db.exec(sql);
	db.close();
}

beforeEach(() => {
	saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
	for (const key of ENV_KEYS) delete process.env[key];
	root = mkdtempSync(join(tmpdir(), 'cs-files-'));
	process.env.N8N_USER_FOLDER = join(root, 'home');
	// n8n's own database and config, as n8n leaves them in its user folder.
	sqliteFile(
		join(root, 'home', '.n8n', 'database.sqlite'),
		'CREATE TABLE migrations (id INTEGER); CREATE TABLE workflow_entity (id TEXT)',
	);
	writeFileSync(join(root, 'home', '.n8n', 'config'), '{"encryptionKey":"x"}');
	mkdirSync(join(root, 'allowed'));
	mkdirSync(join(root, 'elsewhere'));
	writeFileSync(join(root, 'elsewhere', 'notes.txt'), 'hello, not a database\n');
	sqliteFile(join(root, 'elsewhere', 'foreign.sqlite'), 'CREATE TABLE accounts (id INTEGER)');
});

afterEach(async () => {
	await closeAllStores();
	for (const key of ENV_KEYS) {
		if (saved[key] === undefined) delete process.env[key];
		else process.env[key] = saved[key];
	}
	rmSync(root, { recursive: true, force: true });
});

async function expectRefused(filePath: string, rule: string) {
	const before = snapshot(root);
	await expect(openStore({ backend: 'embedded', filePath })).rejects.toThrow(
		expect.objectContaining({ rule, message: expect.stringContaining(`(${rule})`) }),
	);
	expect(() => checkStoreFile(filePath)).toThrow(filePath);
	expect(snapshot(root)).toEqual(before);
}

async function expectAccepted(filePath: string) {
	const store = await openStore({ backend: 'embedded', filePath });
	expect((await store.info()).location).toBe(filePath);
}

test("n8n's own database, config and anything else in .n8n: refused (N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES)", async () => {
	const n8n = join(root, 'home', '.n8n');
	await expectRefused(join(n8n, 'database.sqlite'), 'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES');
	await expectRefused(join(n8n, 'config'), 'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES');
	await expectRefused(join(n8n, 'mine', 'new.sqlite'), 'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES');
	await expectRefused(join(n8n, 'customer-stage-x.sqlite'), 'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES');
	// Through a relative path and a symbolic link too.
	await expectRefused(
		join(n8n, 'customer-stage', '..', 'database.sqlite'),
		'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES',
	);
	symlinkSync(join(n8n, 'database.sqlite'), join(root, 'elsewhere', 'link.sqlite'));
	await expectRefused(join(root, 'elsewhere', 'link.sqlite'), 'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES');
});

test('our own folder in .n8n is fine; with the block switched off, n8n does not stop it either', async () => {
	await expectAccepted(join(root, 'home', '.n8n', 'customer-stage', 'customer-stage.sqlite'));
	await expectAccepted(join(root, 'home', '.n8n', 'customer-stage', 'second.sqlite'));
	process.env.N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES = 'false';
	await expectAccepted(join(root, 'home', '.n8n', 'elsewhere.sqlite'));
});

test('N8N_RESTRICT_FILE_ACCESS_TO: only inside the listed folders (the default path stays ours)', async () => {
	process.env.N8N_RESTRICT_FILE_ACCESS_TO = ` ${join(root, 'nothing')} ; ${join(root, 'allowed')};`;
	await expectRefused(
		join(root, 'elsewhere', 'new', 'store.sqlite'),
		'N8N_RESTRICT_FILE_ACCESS_TO',
	);
	await expectRefused(join(root, 'allowed-not', 'store.sqlite'), 'N8N_RESTRICT_FILE_ACCESS_TO');
	await expectAccepted(join(root, 'allowed', 'new', 'store.sqlite'));
	await expectAccepted(join(root, 'home', '.n8n', 'customer-stage', 'customer-stage.sqlite'));
});

test('a directory, a text file, a foreign SQLite database: refused, untouched', async () => {
	await expectRefused(join(root, 'elsewhere'), 'a directory');
	await expectRefused(join(root, 'elsewhere', 'notes.txt'), 'not a Customer Stage store');
	await expectRefused(join(root, 'elsewhere', 'foreign.sqlite'), 'not a Customer Stage store');
	expect(readdirSync(join(root, 'elsewhere')).sort()).toEqual(['foreign.sqlite', 'notes.txt']);
});

test('our own existing store, an empty file and a new path in an allowed folder: accepted', async () => {
	const own = join(root, 'allowed', 'own.sqlite');
	await expectAccepted(own);
	await closeAllStores();
	await expectAccepted(own);
	writeFileSync(join(root, 'allowed', 'empty.sqlite'), '');
	await expectAccepted(join(root, 'allowed', 'empty.sqlite'));
	// An SQLite file with no tables yet: what another process of ours is creating at this moment.
	sqliteFile(join(root, 'allowed', 'blank.sqlite'), 'CREATE TABLE x (a); DROP TABLE x');
	await expectAccepted(join(root, 'allowed', 'blank.sqlite'));
	await expectAccepted(join(root, 'allowed', 'brand', 'new.sqlite'));
});
