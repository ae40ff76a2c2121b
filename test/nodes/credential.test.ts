import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
import { Client } from 'pg';
import { CustomerStageStoreApi } from '../../credentials/CustomerStageStoreApi.credentials';
import { testStoreCredential } from '../../nodes/shared/methods/credentialTest';
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
			new RegExp(`^Connected to SQLite 3\\.\\d+.* at ${dir}/x\\.sqlite; schema version 2$`),
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
				new RegExp(`^Connected to PostgreSQL \\d+.* \\(schema ${schema}\\); schema version 2$`),
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
