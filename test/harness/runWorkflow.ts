import 'reflect-metadata'; // n8n-core's dependency injection (@n8n/di) needs it before any n8n module loads
/**
 * Runs a real n8n workflow (JSON as exported by n8n) in-process with n8n-core's WorkflowExecute,
 * the same engine n8n uses for a manual execution, with the node classes the test passes in.
 *
 * N8N_USER_FOLDER: n8n-core's InstanceSettings reads it (lazily, on first use) to place its
 * `.n8n` folder, its config file (encryption key) and `this.helpers.getStoragePath()`
 * (`<N8N_USER_FOLDER>/.n8n/storage/<node type>`). If it is not set, this module sets it to a
 * fresh temp dir when loaded, so tests never touch the real ~/.n8n. Set it yourself before
 * importing this module if a test needs a known folder. Both are read lazily by n8n-core (on
 * first Container.get), so setting them here, after the imports, is early enough.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	Credentials,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	LoadOptionsContext,
	TriggerContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ExecutionBaseError,
	type ICredentialDataDecryptedObject,
	type IConnections,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypes,
	type IPinData,
	type IRun,
	type ITriggerFunctions,
	type ITriggerResponse,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
} from 'n8n-workflow';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-harness-'));
// n8n-core's ErrorReporter prints every node error (with stack) to stdout; the tests read them
// from the result instead. N8N_LOG_LEVEL=info (or debug) brings n8n's log lines back.
process.env.N8N_LOG_LEVEL ??= 'silent';

export interface HarnessCredential {
	id?: string;
	name?: string;
	type: string;
	data: Record<string, unknown>;
}

export interface RunOptions {
	/** Keyed by the full type name used in the workflow JSON, e.g. 'n8n-nodes-customer-stage.advanceStage'. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	/** Looked up by credential type (and by id if the workflow node references one). */
	credentials?: HarnessCredential[];
	/** Default: what n8n itself picks (a trigger, else the first node without inputs). */
	startNode?: string;
	/** Items the start node emits instead of running it (pinned, as in n8n). Default: it runs. */
	inputItems?: INodeExecutionData[];
	/**
	 * The caller hands `inputItems` over: they are pinned as they are, not copied first (the copy
	 * protects a caller that reuses them; benchmarks time n8n-core and the node, not the copy).
	 */
	handOverItems?: boolean;
}

export interface RunResult {
	run: IRun;
	/**
	 * run.data.resultData.error: a failing node does not make run() throw. n8n-core stores a
	 * plain-object copy ({ ...error, message, stack }), so `instanceof NodeOperationError` is
	 * false; check `error.name`, `error.message`, `error.node`, `error.context.itemIndex`.
	 */
	error?: ExecutionBaseError | Error;
	/** Items of that output (default main 0, last run); throws if the node did not run. */
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	json(nodeName: string, outputIndex?: number): IDataObject[];
}

export interface WorkflowJson {
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
}

/** UI-only nodes: never executed, and n8n-nodes-base (which defines them) is not installed. */
const STICKY_NOTE = 'n8n-nodes-base.stickyNote';

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: RunOptions['nodeTypes']) {}

	getByName(type: string) {
		const nodeType = this.types[type];
		if (!nodeType) throw new Error(`Node type "${type}" is not in options.nodeTypes`);
		return nodeType;
	}

	getByNameAndVersion(type: string, version?: number) {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes() {
		return {};
	}
}

/** Hands out options.credentials as already-decrypted data (no database, no encryption). */
class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: HarnessCredential[]) {
		super();
	}

	/** The credential with the id the node references; one without id stands in for any id. */
	private find(details: INodeCredentialsDetails, type: string): HarnessCredential {
		const ofType = this.credentials.filter((c) => c.type === type);
		const found = details.id
			? (ofType.find((c) => c.id === details.id) ?? ofType.find((c) => !c.id))
			: ofType[0];
		if (found) return found;
		throw new Error(
			`No credential of type "${type}"${details.id ? ` with id "${details.id}"` : ''} in options.credentials`,
		);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
	) {
		// A copy, so a node mutating its credentials cannot leak into the next run.
		return structuredClone(this.find(details, type).data) as ICredentialDataDecryptedObject;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string) {
		const found = this.find(details, type);
		const credentials = new Credentials({ id: found.id ?? null, name: found.name ?? type }, type);
		await credentials.setData(found.data as ICredentialDataDecryptedObject);
		return credentials;
	}

	// HTTP authentication is out of scope: requests go out as the node built them.
	async authenticate(_c: ICredentialDataDecryptedObject, _t: string, options: IHttpRequestOptions) {
		return options;
	}

	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	getParentTypes = () => [];
	isCredentialUsableByNode = () => true;
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties = (): INodeProperties[] => [];
}

const notInHarness = (what: string) => () => {
	throw new Error(`${what} is not supported by the test harness`);
};

let executionCounter = 0;

export async function runWorkflow(original: WorkflowJson, options: RunOptions): Promise<RunResult> {
	// A copy: the Workflow constructor writes parameter defaults into the nodes and the engine
	// changes nodes and items too; the caller may run the same workflow object again.
	const workflowJson = structuredClone(original);
	const nodes = workflowJson.nodes.filter((node) => node.type !== STICKY_NOTE);
	// Fail early and clearly; otherwise n8n-core reports an unknown type as a vague "workflow has issues".
	const missing = [...new Set(nodes.map((n) => n.type))].filter((type) => !options.nodeTypes[type]);
	if (missing.length)
		throw new Error(`runWorkflow: no node class for type(s) ${missing.join(', ')}`);

	const executionId = `harness-${++executionCounter}`;
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'harness workflow',
		nodes,
		connections: workflowJson.connections,
		active: false,
		nodeTypes: new HarnessNodeTypes(options.nodeTypes),
		// Workflows saved by current n8n carry executionOrder v1; without it n8n falls back to the legacy order.
		settings: { executionOrder: 'v1', ...workflowJson.settings },
		pinData: workflowJson.pinData,
	});

	const startNode = options.startNode
		? workflow.getNode(options.startNode)
		: workflow.getStartNode();
	if (!startNode)
		throw new Error(`runWorkflow: start node ${options.startNode ?? '(default)'} not found`);

	// inputItems become pinned data of the start node: n8n then outputs them instead of running
	// the node, exactly as when a user pins data on a trigger in the editor.
	const pinData: IPinData = { ...workflowJson.pinData };
	if (options.inputItems) {
		pinData[startNode.name] = options.handOverItems
			? options.inputItems
			: structuredClone(options.inputItems);
	}

	const additionalData = harnessAdditionalData(executionId, workflow, options.credentials ?? []);

	// run() resolves when the workflow has finished (after the 'workflowExecuteAfter' hook);
	// node errors are in run.data.resultData.error rather than thrown.
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode,
		pinData,
	});
	return toResult(run);
}

function toResult(run: IRun): RunResult {
	const output = (nodeName: string, outputIndex = 0, runIndex?: number): INodeExecutionData[] => {
		const runs = run.data.resultData.runData[nodeName];
		if (!runs?.length) throw new Error(`Node "${nodeName}" did not run`);
		const task = runs[runIndex ?? runs.length - 1];
		if (!task) throw new Error(`Node "${nodeName}" has no run ${runIndex}`);
		return task.data?.main?.[outputIndex] ?? [];
	};
	return {
		run,
		error: run.data.resultData.error,
		output,
		json: (nodeName, outputIndex) => output(nodeName, outputIndex).map((item) => item.json),
	};
}

export interface TriggerOptions {
	nodeTypes: RunOptions['nodeTypes'];
	credentials?: HarnessCredential[];
	/** 'trigger': an active workflow; 'manual': the editor's test step. */
	mode: 'trigger' | 'manual';
	workflowId?: string;
	/** What n8n would do with each emission: start an execution (and settle its done promise). */
	emit: ITriggerFunctions['emit'];
}

/**
 * Activates one trigger node as n8n does for an active workflow (or a test step): n8n-core's
 * TriggerContext over a one-node workflow, `emit` standing in for the executions n8n starts.
 * Returns the node's response; call its closeFunction to deactivate.
 */
export async function startTrigger(
	node: INode,
	options: TriggerOptions,
): Promise<ITriggerResponse> {
	const workflow = new Workflow({
		id: options.workflowId ?? 'harness-workflow',
		name: 'harness workflow',
		nodes: [structuredClone(node)],
		connections: {},
		active: options.mode === 'trigger',
		nodeTypes: new HarnessNodeTypes(options.nodeTypes),
		settings: { executionOrder: 'v1' },
	});
	const triggerNode = workflow.getNode(node.name)!;
	const additionalData = harnessAdditionalData(
		`harness-${++executionCounter}`,
		workflow,
		options.credentials ?? [],
	);
	const context = new TriggerContext(
		workflow,
		triggerNode,
		additionalData,
		options.mode,
		options.mode === 'trigger' ? 'activate' : 'manual',
		options.emit,
	);
	const nodeType = NodeHelpers.getVersionedNodeType(
		options.nodeTypes[node.type],
		node.typeVersion,
	) as INodeType;
	if (!nodeType.trigger) throw new Error(`${node.type} is not a trigger node`);
	return (await nodeType.trigger.call(context)) ?? {};
}

/** What n8n-core needs around an execution: hooks, credentials, base URLs. */
function harnessAdditionalData(
	executionId: string,
	workflow: Workflow,
	credentials: HarnessCredential[],
): IWorkflowExecuteAdditionalData {
	return {
		executionId,
		credentialsHelper: new HarnessCredentialsHelper(credentials),
		hooks: new ExecutionLifecycleHooks('manual', executionId, {
			id: workflow.id,
			name: workflow.name ?? '',
			nodes: Object.values(workflow.nodes),
			connections: workflow.connectionsBySourceNode,
			active: false,
			activeVersionId: null,
			isArchived: false,
			settings: workflow.settings,
			createdAt: new Date(),
			updatedAt: new Date(),
		}),
		// The expression engine builds $execution.resumeUrl etc. from these on every
		// getNodeParameter(); empty strings make it throw "Invalid URL".
		instanceBaseUrl: 'http://localhost:5678/',
		restApiUrl: 'http://localhost:5678/rest',
		formBaseUrl: 'http://localhost:5678/form',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		currentNodeExecutionIndex: 0,
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(), // no manager set: no external secrets
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: notInHarness('Executing a sub-workflow'),
		startRunnerTask: notInHarness('A task runner (Code node)'),
	};
}

/**
 * Calls a node's loadOptions method as the editor does when a dropdown opens: n8n-core's
 * LoadOptionsContext over a one-node workflow, with the node's current parameters.
 */
export async function loadOptions(
	nodeType: INodeType,
	node: INode,
	method: string,
	credentials: HarnessCredential[] = [],
	filter?: string,
): Promise<INodePropertyOptions[]> {
	const workflow = new Workflow({
		id: 'harness-load-options',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [node.type]: nodeType }),
	});
	// The editor sends the node's current (unsaved) parameters along; getCurrentNodeParameter reads them.
	const additionalData = {
		...harnessAdditionalData('harness-load-options', workflow, credentials),
		currentNodeParameters: node.parameters,
	};
	const context = new LoadOptionsContext(workflow, node, additionalData, `parameters.${method}`);
	const loader = nodeType.methods?.loadOptions?.[method];
	if (loader) return loader.call(context);
	// A resource locator's "From List" mode: its search method, results mapped to options.
	const search = nodeType.methods?.listSearch?.[method];
	if (!search) throw new Error(`loadOptions: ${node.type} has no method ${method}`);
	const { results } = await search.call(context, filter);
	return results.map((r) => ({ name: r.name, value: r.value }));
}

/** Reads a workflow exported from n8n (the editor's download, or `n8n export:workflow`, an array). */
export function workflowFromFile(path: string): WorkflowJson {
	const parsed = JSON.parse(readFileSync(path, 'utf8')) as WorkflowJson | WorkflowJson[];
	const workflow = Array.isArray(parsed) ? parsed[0] : parsed;
	if (!workflow || !Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') {
		throw new Error(`${path} is not an n8n workflow (needs nodes and connections)`);
	}
	return workflow;
}
