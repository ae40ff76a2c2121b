import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type IRun,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';
import { parseTime } from '../engine/time';
import { themedIcon } from '../shared/descriptions';
import { credentialTest } from '../shared/methods/credentialTest';
import { loadOptions } from '../shared/methods/loadOptions';
import { Names, stageChangeJson } from '../shared/output';
import { getStore } from '../shared/store';
import type { FeedFilter, FeedStart, FeedTransition, Store } from '../store/Store';
import { commaList, scopeOf } from '../shared/scope';
import { FeedLoop, type AdvanceWhen, type Outcome } from './delivery';
import { properties } from './description';

/** How long the test step waits for a first matching move when there is none yet. */
const TEST_WAIT_MS = 60_000;

function filterOf(context: ITriggerFunctions): FeedFilter {
	const scope = scopeOf(context.getNode(), (name, fallback) =>
		context.getNodeParameter(name, fallback),
	);
	// A list picked in the form, or an expression giving an array or comma-separated text.
	const list = (name: string) => {
		const value = context.getNodeParameter(name, []) as unknown;
		return Array.isArray(value) ? value.map(String).filter(Boolean) : commaList(value);
	};
	return {
		journeys: list('journeys'),
		toStages: list('toStages'),
		fromStages: list('fromStages'),
		directions: list('directions') as FeedFilter['directions'],
		reasonKinds: list('reasonKinds') as FeedFilter['reasonKinds'],
		scope,
	};
}

function startOf(context: ITriggerFunctions): FeedStart {
	const from = context.getNodeParameter('startFrom', 'now') as FeedStart['from'];
	if (from !== 'date') return { from };
	const date = parseTime(context.getNodeParameter('startDate', ''), 'Start Date', {
		timeZone: context.getTimezone(),
	});
	return { from, date };
}

/** Whether an execution that ended succeeded (n8n resolves the done promise with its run). */
function outcomeOf(run: IRun | undefined): Outcome {
	if (!run) return 'unfinished';
	return run.status === 'success' || (!run.status && !run.data?.resultData?.error)
		? 'succeeded'
		: 'failed';
}

/**
 * A key the node names but the store does not have (a sample workflow opened before its journey
 * is created) is listed as itself, so the editor shows it rather than "not supported".
 */
function withNamedKeys(options: INodePropertyOptions[], named: unknown): INodePropertyOptions[] {
	const known = new Set(options.map((option) => option.value));
	const missing = (Array.isArray(named) ? named : [])
		.map(String)
		.filter((key) => key && !key.startsWith('=') && !known.has(key));
	return [
		...options,
		...[...new Set(missing)].map((key) => ({
			name: key,
			value: key,
			description: 'Not in the store yet',
		})),
	];
}

export class StageTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stage Trigger',
		name: 'stageTrigger',
		icon: themedIcon('customerStage'),
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["delivery"] === "batch" ? "Moves in batches" : "Each move" }}',
		description:
			'Start a workflow when a customer changes stage: in order, none lost across restarts',
		defaults: { name: 'Stage Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'customerStageStoreApi', required: false, testedBy: 'customerStageStoreTest' },
		],
		properties,
	};

	methods = {
		loadOptions: {
			...loadOptions,
			/** The journeys, plus any key the node names that the store does not have yet. */
			async getFeedJourneys(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const journeys = await (await getStore(this)).listJourneys();
				const options = journeys.map((journey) => ({ name: journey.name, value: journey.key }));
				return withNamedKeys(options, this.getCurrentNodeParameter('journeys'));
			},
			/** The stages of the chosen journeys (all journeys if none), named with their journey. */
			async getFeedStages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const chosen = this.getCurrentNodeParameter('journeys') as string[] | undefined;
				const journeys = (await (await getStore(this)).listJourneys()).filter(
					(journey) => !Array.isArray(chosen) || !chosen.length || chosen.includes(journey.key),
				);
				const seen = new Map<string, INodePropertyOptions>();
				for (const journey of journeys) {
					for (const stage of journey.definition.stages) {
						const known = seen.get(stage.key);
						if (known) known.description = `${known.description}, ${journey.name}`;
						else
							seen.set(stage.key, {
								name: stage.name,
								value: stage.key,
								description: journey.name,
							});
					}
				}
				const named = [
					this.getCurrentNodeParameter('toStages'),
					this.getCurrentNodeParameter('fromStages'),
				].flatMap((value) => (Array.isArray(value) ? value : []));
				return withNamedKeys([...seen.values()], named);
			},
		},
		credentialTest,
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const store = await getStore(this);
		const filter = filterOf(this);
		const names = async () => Names.of(store);
		const items = async (transitions: FeedTransition[]) => {
			const known = await names();
			return transitions.map((transition) => ({ json: stageChangeJson(transition, known) }));
		};

		if (this.getMode() === 'manual') return testStep(this, store, filter, items);

		const options = this.getNodeParameter('options', {}) as {
			advanceWhen?: AdvanceWhen;
			retries?: number;
			pollSeconds?: number;
		};
		const workflowId = String(this.getWorkflow().id ?? '');
		const nodeId = this.getNode().id;
		const cursor = await store.openFeedCursor(workflowId, nodeId, startOf(this));
		const advanceWhen = options.advanceWhen ?? 'finished';
		const pollMs = Math.max(200, (options.pollSeconds ?? 1) * 1000);

		let loop: FeedLoop | undefined;
		const unlisten = await store
			.onFeedCommit(() => loop?.wake())
			.catch((error: Error) => {
				this.logger.warn(
					`Stage Trigger cannot listen for commits (${error.message}); polling every ${pollMs} ms`,
				);
				return null;
			});
		loop = new FeedLoop(
			store,
			cursor.position,
			cursor.notBefore,
			{
				workflowId,
				nodeId,
				filter,
				batchSize:
					this.getNodeParameter('delivery', 'each') === 'batch'
						? (this.getNodeParameter('batchSize', 50) as number)
						: 1,
				advanceWhen,
				retries: options.retries ?? 3,
				// Also with a PostgreSQL wake-up: a dropped LISTEN connection then costs no more latency.
				pollMs,
			},
			async (transitions, waitForEnd) => {
				const data = [await items(transitions)];
				if (!waitForEnd) {
					this.emit(data);
					return 'unfinished';
				}
				const done = this.helpers.createDeferredPromise<IRun>();
				this.emit(data, undefined, done);
				return done.promise.then(outcomeOf, () => 'unfinished' as const);
			},
			{
				warn: (message) => this.logger.warn(message, { workflowId, nodeId }),
				error: (message) => this.logger.error(message, { workflowId, nodeId }),
			},
		);
		loop.start();

		return {
			closeFunction: async () => {
				await loop?.stop();
				await unlisten?.();
			},
		};
	}
}

/**
 * The editor's test step: the newest matching move at once, or else the first one to come
 * within a minute (checked every half second).
 */
async function testStep(
	context: ITriggerFunctions,
	store: Store,
	filter: FeedFilter,
	items: (transitions: FeedTransition[]) => Promise<Array<{ json: IDataObject }>>,
): Promise<ITriggerResponse> {
	let closed = false;
	const manualTriggerFunction = async () => {
		const latest = await store.latestInFeed(filter);
		if (latest) {
			context.emit([await items([latest])]);
			return;
		}
		let after = await store.feedHead();
		const until = Date.now() + TEST_WAIT_MS;
		while (!closed && Date.now() < until) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			const page = await store.readFeed(after, filter, 1);
			if (page.transitions.length) {
				context.emit([await items(page.transitions)]);
				return;
			}
			after = page.position;
		}
		if (!closed) {
			throw new NodeOperationError(context.getNode(), 'No matching stage change yet', {
				description:
					'Nothing matched the filters in the history, and no matching move came within a minute. Move a customer (Advance Stage) and test again.',
			});
		}
	};
	return {
		manualTriggerFunction,
		closeFunction: async () => {
			closed = true;
		},
	};
}
