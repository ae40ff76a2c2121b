import { createHash } from 'node:crypto';
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
import { CustomerStageStoreApi } from '../../credentials/CustomerStageStoreApi.credentials';
import { SCHEMA_VERSION } from '../../nodes/store/migrations';
import { testStoreCredential } from '../../nodes/shared/methods/credentialTest';
import { closeAllStores } from '../../nodes/store/openStore';
import { dropSchemas, PG_URL, pgAvailable, uniqueSchema } from '../store/pgTarget';
import { TestStore } from './workflow';

/** The credential's Test button: it opens the store, migrates it, and says where and which version. */
const test_ = (data: ICredentialDataDecryptedObject) =>
	testStoreCredential.call({} as ICredentialTestFunctions, {
		id: 't',
		name: 't',
		type: 'customerStageStoreApi',
		data,
	});

afterAll(() => closeAllStores());

test('the credential offers both backends, PostgreSQL fields only for PostgreSQL', () => {
	const properties = new CustomerStageStoreApi().properties;
	expect(
		properties
			.find((p) => p.name === 'backend')
			?.options?.map((o) => (o as { value: string }).value),
	).toEqual(['embedded', 'postgres']);
	expect(properties.find((p) => p.name === 'password')?.typeOptions?.password).toBe(true);
	expect(properties.find((p) => p.name === 'schema')).toMatchObject({
		default: 'customer_stage',
		displayOptions: { show: { backend: ['postgres'] } },
	});
});

test('embedded: reports SQLite, the file and the schema version', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'cs-cred-'));
	try {
		const result = await test_({ backend: 'embedded', filePath: join(dir, 'x.sqlite') });
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(
			new RegExp(
				new RegExp(
					`^Embedded store at ${dir}/x\\.sqlite; SQLite 3\\.\\d+.*; schema version ${SCHEMA_VERSION}$`,
				),
			),
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('embedded: a path that cannot be a file is a clear error', async () => {
	const result = await test_({ backend: 'embedded', filePath: '/proc/version/store.sqlite' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(
		/^Cannot open the embedded store at \/proc\/version\/store\.sqlite: .+ Check the credential's File Path\.$/,
	);
});

describe('embedded: where the store file may live', () => {
	let dir: string;
	let saved: string | undefined;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'cs-cred-files-'));
		saved = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = dir;
	});
	afterEach(() => {
		if (saved === undefined) delete process.env.N8N_USER_FOLDER;
		else process.env.N8N_USER_FOLDER = saved;
		rmSync(dir, { recursive: true, force: true });
	});

	test("n8n's own database is refused naming the rule, and left exactly as it was", async () => {
		const database = join(dir, '.n8n', 'database.sqlite');
		mkdirSync(join(dir, '.n8n'));
		writeFileSync(database, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080)]));
		const before = statSync(database);
		const result = await test_({ backend: 'embedded', filePath: database });
		expect(result.status).toBe('Error');
		expect(result.message).toContain(`The store file ${database} is inside n8n's own files`);
		expect(result.message).toContain('(N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES)');
		const after = statSync(database);
		expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
		expect(readdirSync(join(dir, '.n8n'))).toEqual(['database.sqlite']);
	});

	test('a text file is refused as not a store; a path in a restricted-out folder creates nothing', async () => {
		const text = join(dir, 'notes.txt');
		writeFileSync(text, 'keep me');
		const refused = await test_({ backend: 'embedded', filePath: text });
		expect(refused.message).toMatch(/is not an SQLite database .*\(not a Customer Stage store\)/);
		expect(readFileSync(text, 'utf8')).toBe('keep me');
		process.env.N8N_RESTRICT_FILE_ACCESS_TO = join(dir, 'allowed');
		try {
			const outside = await test_({ backend: 'embedded', filePath: join(dir, 'out', 's.sqlite') });
			expect(outside.message).toContain('(N8N_RESTRICT_FILE_ACCESS_TO)');
			expect(readdirSync(dir).sort()).toEqual(['notes.txt']);
			const inside = await test_({
				backend: 'embedded',
				filePath: join(dir, 'allowed', 's.sqlite'),
			});
			expect(inside.status).toBe('OK');
		} finally {
			delete process.env.N8N_RESTRICT_FILE_ACCESS_TO;
		}
	});
});

/** Every file and folder under `dir` with its size, mtime and bytes: equal only if nothing changed. */
function snapshot(dir: string): Record<string, string> {
	const result: Record<string, string> = {};
	for (const name of readdirSync(dir, { recursive: true }) as string[]) {
		const path = join(dir, name);
		const stats = statSync(path);
		result[name] = stats.isDirectory()
			? 'dir'
			: `${stats.size}:${stats.mtimeMs}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
	}
	return result;
}

/** A TestStore whose credential points at a path of the test's choosing. */
class StoreAt extends TestStore {
	constructor(override readonly filePath: string) {
		super();
	}
}

describe('the credential test and the node refuse the same places, naming the rule', () => {
	let dir: string;
	const saved = { ...process.env };
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'cs-cred-rules-'));
		process.env.N8N_USER_FOLDER = join(dir, 'home');
		delete process.env.N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES;
		process.env.N8N_RESTRICT_FILE_ACCESS_TO = `${join(dir, 'home')};${join(dir, 'allowed')}`;
		mkdirSync(join(dir, 'home', '.n8n'), { recursive: true });
		// n8n's settings file, as every n8n has one (n8n-core writes it on first use otherwise).
		writeFileSync(join(dir, 'home', '.n8n', 'config'), '{"encryptionKey":"test-key"}', {
			mode: 0o600,
		});
		const n8nDb = new DatabaseSync(join(dir, 'home', '.n8n', 'database.sqlite'));
		n8nDb.exec('CREATE TABLE workflow_entity (id TEXT); INSERT INTO workflow_entity VALUES (1)');
		n8nDb.close();
		mkdirSync(join(dir, 'allowed', 'folder'), { recursive: true });
		const foreign = new DatabaseSync(join(dir, 'allowed', 'foreign.sqlite'));
		foreign.exec('CREATE TABLE accounts (id INTEGER); INSERT INTO accounts VALUES (7)');
		foreign.close();
		writeFileSync(join(dir, 'allowed', 'notes.txt'), 'keep me\n');
		mkdirSync(join(dir, 'outside'));
	});
	afterEach(async () => {
		await closeAllStores();
		for (const key of ['N8N_USER_FOLDER', 'N8N_RESTRICT_FILE_ACCESS_TO'] as const) {
			if (saved[key] === undefined) delete process.env[key];
			else process.env[key] = saved[key];
		}
		rmSync(dir, { recursive: true, force: true });
	});

	test.each([
		["n8n's own database", 'home/.n8n/database.sqlite', 'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES'],
		[
			'a folder outside N8N_RESTRICT_FILE_ACCESS_TO',
			'outside/store.sqlite',
			'N8N_RESTRICT_FILE_ACCESS_TO',
		],
		['a directory', 'allowed/folder', 'a directory'],
		['a foreign SQLite database', 'allowed/foreign.sqlite', 'not a Customer Stage store'],
		['a text file', 'allowed/notes.txt', 'not a Customer Stage store'],
	])('%s: refused (%s), nothing created or changed', async (_what, relative, rule) => {
		const filePath = join(dir, ...relative.split('/'));
		const before = snapshot(dir);
		const tested = await test_({ backend: 'embedded', filePath });
		expect(tested.status).toBe('Error');
		expect(tested.message).toContain(filePath);
		expect(tested.message).toContain(`(${rule})`);
		expect(snapshot(dir)).toEqual(before);

		const run = await new StoreAt(filePath).run({ resource: 'journey', operation: 'list' });
		expect(run.error?.message).toContain(`(${rule})`);
		expect(run.error?.message).toContain(filePath);
		expect(snapshot(dir)).toEqual(before);
	});

	test('inside the allowed folders, the same node and test create the store', async () => {
		const filePath = join(dir, 'allowed', 'stores', 'customer-stage.sqlite');
		expect((await test_({ backend: 'embedded', filePath })).status).toBe('OK');
		const run = await new StoreAt(filePath).run({ resource: 'journey', operation: 'list' });
		expect(run.error).toBeUndefined();
		expect(statSync(filePath).size).toBeGreaterThan(0);
	});
});

(pgAvailable ? describe : describe.skip)('PostgreSQL', () => {
	const schema = uniqueSchema('cs_cred');
	afterAll(async () => {
		await closeAllStores();
		await dropSchemas(schema);
	});

	test('reports the server version, the schema and its version', async () => {
		const url = new URL(PG_URL);
		const result = await test_({
			backend: 'postgres',
			host: url.hostname,
			port: Number(url.port),
			database: url.pathname.slice(1),
			user: url.username,
			password: '',
			ssl: 'disable',
			schema,
		});
		expect(result).toEqual({
			status: 'OK',
			message: expect.stringMatching(
				new RegExp(
					`^PostgreSQL store at postgres://\\S*@\\S+:\\d+/\\S+ \\(schema ${schema}\\); PostgreSQL \\d+.*; schema version ${SCHEMA_VERSION}$`,
				),
			),
		});
	});

	test('a server that does not answer is an error naming the address', async () => {
		const result = await test_({
			backend: 'postgres',
			host: '127.0.0.1',
			port: 1,
			database: 'x',
			user: 'x',
			schema: 'customer_stage',
		});
		expect(result.status).toBe('Error');
		// What failed, where, and what to check first; the driver's own words last.
		expect(result.message).toMatch(
			/^Cannot reach the PostgreSQL server at 127\.0\.0\.1:1: connection refused\. Check the credential's Host and Port, .+ \(.*ECONNREFUSED 127\.0\.0\.1:1.*\)$/,
		);
	});

	test('a schema name that could inject SQL is refused before connecting', async () => {
		const result = await test_({
			backend: 'postgres',
			connectionString: PG_URL,
			schema: 'x"; DROP SCHEMA public; --',
		});
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^Schema name .* is not valid/),
		});
	});
});
