// Helpers that drive a real n8n (CLI and HTTP) for the end-to-end test and the demo.
// Runs under the n8n folder's own Node 24 (node:sqlite, global fetch). No dependencies.
import { spawn, spawnSync } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync,
	createWriteStream,
} from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PACKAGE_NAME = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).name;

const started = Date.now();
export function elapsed() {
	return ((Date.now() - started) / 1000).toFixed(1);
}
export function makeLog(tag) {
	return (message) => console.log(`[${tag} +${elapsed()}s] ${message}`);
}

/**
 * Runs a command to completion with a hard time limit. Output is captured (and teed to a log file
 * when given); a timeout kills the whole process group and rejects.
 */
export function run(
	command,
	args,
	{ cwd = REPO, env = process.env, timeoutMs = 120_000, logFile } = {},
) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, {
			cwd,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out = [];
		const err = [];
		const sink = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
		sink?.write(`\n$ ${command} ${args.join(' ')}\n`);
		child.stdout.on('data', (chunk) => {
			out.push(chunk);
			sink?.write(chunk);
		});
		child.stderr.on('data', (chunk) => {
			err.push(chunk);
			sink?.write(chunk);
		});
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			reject(new Error(`${command} ${args.join(' ')}: no result after ${timeoutMs / 1000} s`));
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			sink?.end();
			resolvePromise({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
			});
		});
	});
}

export async function mustRun(command, args, options) {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		const tail = (result.stderr + '\n' + result.stdout).trim().split('\n').slice(-25).join('\n');
		throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${tail}`);
	}
	return result;
}

/** A TCP port on 127.0.0.1 that nobody listens on right now. */
export function freePort() {
	return new Promise((resolvePromise, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolvePromise(port));
		});
	});
}

/** `bash scripts/install-n8n.sh` (idempotent) → the n8n folder. */
export async function ensureN8n(log) {
	const fromEnv = process.env.N8N_DIR;
	if (fromEnv && existsSync(join(fromEnv, 'node_modules/n8n/bin/n8n'))) return fromEnv;
	log('making sure n8n 2.41.1 is installed (scripts/install-n8n.sh; ~5 min the first time)');
	const result = await run('bash', [join(REPO, 'scripts/install-n8n.sh')], {
		timeoutMs: 20 * 60_000,
	});
	if (result.code !== 0)
		throw new Error(
			`scripts/install-n8n.sh failed:\n${result.stderr.split('\n').slice(-20).join('\n')}`,
		);
	const dir = result.stdout.trim().split('\n').pop();
	if (!existsSync(join(dir, 'node_modules/n8n/bin/n8n'))) throw new Error(`no n8n in ${dir}`);
	return dir;
}

/**
 * `npm pack` the repo (dist/ must be built) into `outDir`, then install the tarball into
 * `<userFolder>/.n8n/nodes` the way a user does (`cd ~/.n8n/nodes && npm install <package>`).
 * Peer dependencies are left out, as n8n's own community-package installer does: the package
 * then uses the n8n-workflow of the n8n that loads it.
 */
export async function packAndInstall({ n8nDir, userFolder, outDir, log }) {
	const env = withNodeOnPath(n8nDir, process.env);
	mkdirSync(outDir, { recursive: true });
	for (const old of readdirSync(outDir).filter((f) => f.endsWith('.tgz')))
		rmSync(join(outDir, old));
	const packed = await mustRun('npm', ['pack', '--pack-destination', outDir, '--loglevel=error'], {
		env,
		timeoutMs: 120_000,
	});
	const tarball = join(outDir, packed.stdout.trim().split('\n').pop());
	if (!existsSync(tarball)) throw new Error(`npm pack gave no tarball (${tarball})`);
	log(`packed ${tarball.split('/').pop()}`);
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json'))) {
		writeFileSync(
			join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	await mustRun(
		'npm',
		[
			'install',
			tarball,
			'--omit=peer',
			'--omit=dev',
			'--no-audit',
			'--no-fund',
			'--ignore-scripts',
			'--loglevel=error',
		],
		{ cwd: nodesDir, env, timeoutMs: 300_000 },
	);
	const installed = join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!existsSync(join(installed, 'package.json')))
		throw new Error(`the package did not land in ${installed}`);
	log(`installed into ${nodesDir}/node_modules/${PACKAGE_NAME}`);
	return { tarball, installed };
}

export function withNodeOnPath(n8nDir, env) {
	return { ...env, PATH: `${join(n8nDir, 'node_modules', '.bin')}:${env.PATH ?? ''}` };
}

/** A real n8n in one user folder: CLI commands, and `n8n start` as a child process. */
export class N8n {
	/** Workflow ids whose `n8n execute` finished its run, then crashed while exiting (see execute). */
	static crashesAtExit = [];

	constructor({ n8nDir, userFolder, port, brokerPort, logFile, extraEnv = {} }) {
		this.n8nDir = n8nDir;
		this.node = join(n8nDir, 'node_modules', '.bin', 'node');
		this.bin = join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
		this.userFolder = userFolder;
		this.port = port;
		this.logFile = logFile;
		this.server = undefined;
		const base = { ...process.env };
		// Settings of the caller's own n8n must not leak into this one.
		// (NODE_ENV=test would make n8n refuse to load nodes at all.)
		for (const name of Object.keys(base)) {
			if (
				name.startsWith('N8N_') ||
				name.startsWith('DB_') ||
				['EXECUTIONS_MODE', 'NODE_ENV', 'NODE_OPTIONS'].includes(name)
			)
				delete base[name];
		}
		this.env = withNodeOnPath(n8nDir, {
			...base,
			N8N_USER_FOLDER: userFolder,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PORT: String(port ?? 5678),
			// The internal task runner (Code node) listens on its own port: give every n8n its own.
			N8N_RUNNERS_BROKER_PORT: String(brokerPort ?? (port ?? 5678) + 1),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_LOG_LEVEL: 'info',
			...extraEnv,
		});
	}

	get baseUrl() {
		return `http://127.0.0.1:${this.port}`;
	}

	async cli(args, { timeoutMs = 180_000 } = {}) {
		return run(this.node, [this.bin, ...args], { env: this.env, timeoutMs, logFile: this.logFile });
	}

	async importWorkflow(file) {
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		if (
			result.code !== 0 ||
			!/Successfully imported 1 workflow/.test(result.stdout + result.stderr)
		) {
			throw new Error(`import:workflow ${file} failed (exit ${result.code}):\n${tail(result)}`);
		}
	}

	/** Marks the current version of a workflow published (active); takes effect at the next `n8n start`. */
	async publishWorkflow(id) {
		const result = await this.cli(['publish:workflow', `--id=${id}`]);
		if (result.code !== 0)
			throw new Error(`publish:workflow --id=${id} failed (exit ${result.code}):\n${tail(result)}`);
	}

	/**
	 * `n8n execute --id --rawOutput`. n8n prints its own log lines on stdout too, then the run as
	 * pretty JSON (an IRun: data.resultData.runData[node][run].data.main[output][item].json).
	 * On a failed run it exits 1 and logs the error instead.
	 */
	async execute(id) {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		const runData = parseExecuteOutput(result.stdout);
		if (result.signal === 'SIGSEGV' && runData?.data?.resultData) {
			// n8n 2.41's expression engine (isolated-vm) refills its isolate pool in the background
			// after a run; when `n8n execute` exits during that refill, isolated-vm's thread pool is
			// torn down under a running isolate and the process dies of SIGSEGV. The run itself had
			// finished and printed its complete result (stdout to a pipe is synchronous on Linux),
			// so the result is used, and the crash is counted and shown in the summary.
			N8n.crashesAtExit.push(id);
			return runData;
		}
		if (result.code !== 0 || !runData) {
			const err = new Error(
				`n8n execute --id=${id} failed (exit ${result.code}):\n${tail(result, 40)}`,
			);
			err.result = result;
			throw err;
		}
		return runData;
	}

	/** Starts `n8n start` and waits until /healthz answers and the given webhook is registered. */
	async start({ webhookPath, timeoutMs = 150_000 } = {}) {
		const out = createWriteStream(this.logFile ?? '/dev/null', { flags: 'a' });
		out.write(`\n$ n8n start (port ${this.port})\n`);
		const child = spawn(this.node, [this.bin, 'start'], {
			env: this.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout.pipe(out);
		child.stderr.pipe(out);
		this.server = child;
		this.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
		let exitedEarly;
		this.exited.then((status) => (exitedEarly = status));
		const deadline = Date.now() + timeoutMs;
		const ok = async (url, accept) => {
			try {
				const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
				return accept(response, await response.text());
			} catch {
				return false;
			}
		};
		let healthy = false;
		while (Date.now() < deadline) {
			if (exitedEarly)
				throw new Error(
					`n8n start exited early (${JSON.stringify(exitedEarly)}); see ${this.logFile}`,
				);
			if (!healthy) healthy = await ok(`${this.baseUrl}/healthz`, (r) => r.status === 200);
			// /healthz answers before the production webhooks are mounted: until then a request
			// gets Express's HTML "Cannot GET"; once mounted, n8n's own JSON 404 for the wrong method.
			if (
				healthy &&
				(!webhookPath ||
					(await ok(
						`${this.baseUrl}/webhook/${webhookPath}`,
						(r, body) => /not registered for GET|POST/i.test(body) && !/Cannot GET/.test(body),
					)))
			) {
				return;
			}
			await sleep(500);
		}
		throw new Error(
			`n8n did not become ready on ${this.baseUrl} within ${timeoutMs / 1000} s; see ${this.logFile}`,
		);
	}

	/** SIGTERM to the server's process group, SIGKILL if it lingers. Safe to call twice. */
	async stop(graceMs = 20_000) {
		const child = this.server;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			return;
		}
		const done = await Promise.race([this.exited, sleep(graceMs).then(() => undefined)]);
		if (!done) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			await this.exited;
		}
	}

	/** Synchronous last resort for exit handlers. */
	killNow() {
		const child = this.server;
		if (child && child.exitCode === null && child.signalCode === null) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}
	}
}

function tail({ stdout, stderr }, lines = 25) {
	return (stdout + '\n' + stderr).trim().split('\n').slice(-lines).join('\n');
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/** The JSON document `n8n execute --rawOutput` prints after its log lines. */
export function parseExecuteOutput(stdout) {
	const lines = stdout.split('\n');
	// The document starts with a line '{' and ends with a line '}'. Log lines may follow it: a
	// task runner that registers after the run finished still prints its line.
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j] !== '}') continue;
			try {
				const parsed = JSON.parse(lines.slice(i, j + 1).join('\n'));
				if (parsed?.data?.resultData) return parsed;
			} catch {
				// not this '}' (or not this '{'): keep looking
			}
		}
	}
	return undefined;
}

/** Items (json only) of one node's first run and output in an IRun. */
export function nodeItems(runResult, nodeName, output = 0) {
	const runs = runResult?.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) return undefined;
	return (runs[0].data?.main?.[output] ?? []).map((item) => item.json);
}

/** The error a failed node reported in an IRun, if any. */
export function runError(runResult) {
	const error = runResult?.data?.resultData?.error;
	return error
		? `${error.message}${error.description ? ` — ${error.description}` : ''}`
		: undefined;
}

/** Spawns a helper synchronously (used for the final SQLite read). */
export function runSync(command, args, options) {
	return spawnSync(command, args, { encoding: 'utf8', ...options });
}

export function padTable(rows, headers) {
	const widths = headers.map((h, i) =>
		Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)),
	);
	const line = (cells) =>
		cells
			.map((c, i) => String(c ?? '').padEnd(widths[i]))
			.join('  ')
			.trimEnd();
	return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** POSTs JSON and returns { status, body } (body parsed when it is JSON); status 0 on a network error. */
export async function postJson(url, payload, timeoutMs = 30_000) {
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(payload),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await response.text();
		try {
			return { status: response.status, body: JSON.parse(text) };
		} catch {
			return { status: response.status, body: text };
		}
	} catch (error) {
		return { status: 0, body: String(error) };
	}
}

/**
 * History rows (ordered by customer, then id) that do not start where the customer's previous
 * move ended. A lost update shows up here: two moves out of the same stage.
 */
export function brokenChains(rows) {
	let broken = 0;
	let previous;
	for (const row of rows) {
		const expectedFrom = previous && previous.customer === row.customer_id ? previous.stage : null;
		if (row.from_stage !== expectedFrom) broken++;
		previous = { customer: row.customer_id, stage: row.to_stage };
	}
	return broken;
}

/** Collects the transition ids a Stage Trigger workflow posts (`{ id }` bodies), in arrival order. */
export async function startCollector() {
	const received = [];
	const server = createHttpServer((request, response) => {
		let body = '';
		request.on('data', (chunk) => (body += chunk));
		request.on('end', () => {
			try {
				received.push(Number(JSON.parse(body).id));
			} catch {}
			response.end('{}');
		});
	});
	const port = await freePort();
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	return { received, url: `http://127.0.0.1:${port}/received`, close: () => server.close() };
}
