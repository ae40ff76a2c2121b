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
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
import { Client } from 'pg';
import { CustomerStageStoreApi } from '../../credentials/CustomerStageStoreApi.credentials';
import { testStoreCredential } from '../../nodes/shared/methods/credentialTest';
import { SCHEMA_VERSION } from '../../nodes/store/migrations';
import { closeAllStores } from '../../nodes/store/openStore';
import { PG_URL, pgAvailable, uniqueSchema } from '../store/pgTarget';

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
				`^Connected to SQLite 3\\.\\d+.* at ${dir}/x\\.sqlite; schema version ${SCHEMA_VERSION}$`,
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

(pgAvailable ? describe : describe.skip)('PostgreSQL', () => {
	const schema = uniqueSchema('cs_cred');
	afterAll(async () => {
		await closeAllStores();
		const client = new Client({ connectionString: PG_URL });
		await client.connect();
		await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await client.end();
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
					`^Connected to PostgreSQL \\d+.* \\(schema ${schema}\\); schema version ${SCHEMA_VERSION}$`,
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
		expect(result.message).toMatch(/ECONNREFUSED 127\.0\.0\.1:1/);
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
