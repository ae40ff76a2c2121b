import type { FeedFilter, FeedTransition, Store } from '../store/Store';

/** When delivered moves count as handled: the cursor moves past them only then. */
export type AdvanceWhen = 'finished' | 'succeeded' | 'started';

/** What an execution did with the moves it was given. */
export type Outcome = 'succeeded' | 'failed' | 'unfinished';

export interface DeliveryOptions {
	workflowId: string;
	nodeId: string;
	filter: FeedFilter;
	/** Moves per execution: 1 = one execution per move. */
	batchSize: number;
	advanceWhen: AdvanceWhen;
	/** How often a failed delivery is tried again (advanceWhen 'succeeded') before moving on. */
	retries: number;
	/** Milliseconds between checks when nothing wakes the loop. */
	pollMs: number;
	/** Milliseconds before a failed delivery is tried again (doubling each time, at most 60 s). */
	retryMs?: number;
}

/**
 * Starts one execution with `transitions` (in order). Resolves with how it ended, or 'unfinished'
 * when that cannot be known (the execution could not start).
 */
export type Deliver = (transitions: FeedTransition[], waitForEnd: boolean) => Promise<Outcome>;

export interface Log {
	warn(message: string): void;
	error(message: string): void;
}

/** Moves read per page when delivering one per execution. */
const PAGE = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stage Trigger's loop: read the moves after the durable cursor, start executions with them in
 * order, and move the cursor past them when they count as handled (options.advanceWhen). A crash
 * or a stop before then delivers them again on the next start: at least once, in commit order.
 * Between pages it sleeps until woken (a PostgreSQL NOTIFY) or the poll interval has passed, so
 * an idle trigger costs one cheap indexed query per interval.
 */
export class FeedLoop {
	private stopped = false;
	private running: Promise<void> | null = null;
	private wakeUp: (() => void) | null = null;
	private woken = false;

	constructor(
		private readonly store: Store,
		private position: number,
		private readonly notBefore: number,
		private readonly options: DeliveryOptions,
		private readonly deliver: Deliver,
		private readonly log: Log,
	) {}

	/** Runs until stop(); errors reading the store are logged and retried on the next tick. */
	start(): void {
		this.running = (async () => {
			while (!this.stopped) {
				try {
					await this.drain();
				} catch (error) {
					this.log.error(`Stage Trigger could not read the store: ${(error as Error).message}`);
				}
				await this.idle(this.options.pollMs);
			}
		})();
	}

	/** A commit may have brought new moves: check now. */
	wake(): void {
		this.woken = true;
		this.wakeUp?.();
	}

	/** Stops after the current step; undelivered or unfinished moves stay after the cursor. */
	async stop(): Promise<void> {
		this.stopped = true;
		this.wakeUp?.();
		// An execution still running is not waited for: its moves are delivered again next time.
		await Promise.race([this.running, sleep(100)]);
	}

	private async idle(ms: number): Promise<void> {
		if (this.woken || this.stopped) {
			this.woken = false;
			return;
		}
		await new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, ms);
			this.wakeUp = () => {
				clearTimeout(timer);
				resolve();
			};
		});
		this.wakeUp = null;
		this.woken = false;
	}

	/** Delivers every page after the cursor. */
	async drain(): Promise<void> {
		const { batchSize } = this.options;
		while (!this.stopped) {
			const limit = batchSize > 1 ? batchSize : PAGE;
			const page = await this.store.readFeed(
				this.position,
				this.options.filter,
				limit,
				this.notBefore,
			);
			const groups =
				batchSize > 1 ? [page.transitions] : page.transitions.map((transition) => [transition]);
			for (const group of groups) {
				if (group.length === 0) continue;
				if (!(await this.deliverGroup(group))) return;
				await this.advance(group[group.length - 1].id);
			}
			if (page.position === this.position) return;
			await this.advance(page.position);
		}
	}

	/** One execution, tried again as the options say. False: stopped before it counted as handled. */
	private async deliverGroup(group: FeedTransition[]): Promise<boolean> {
		const { advanceWhen, retries } = this.options;
		const span =
			group.length === 1
				? `transition ${group[0].id}`
				: `transitions ${group[0].id}–${group[group.length - 1].id}`;
		for (let attempt = 0; ; attempt++) {
			const outcome = await this.deliver(group, advanceWhen !== 'started');
			if (this.stopped && outcome === 'unfinished') return false;
			if (advanceWhen === 'started' || outcome === 'succeeded') return true;
			if (advanceWhen === 'finished' && outcome === 'failed') return true;
			if (attempt >= retries) {
				this.log.error(
					`Stage Trigger gave up on ${span} after ${attempt + 1} attempts (the execution ${outcome === 'failed' ? 'failed' : 'did not finish'}); going on with the next moves`,
				);
				return true;
			}
			const wait = Math.min((this.options.retryMs ?? 1000) * 2 ** attempt, 60_000);
			this.log.warn(
				`Stage Trigger: the execution for ${span} ${outcome === 'failed' ? 'failed' : 'did not finish'}; delivering it again in ${wait} ms (retry ${attempt + 1} of ${retries})`,
			);
			await sleep(wait);
			if (this.stopped) return false;
		}
	}

	private async advance(position: number): Promise<void> {
		if (position <= this.position) return;
		this.position = position;
		await this.store.advanceFeedCursor(this.options.workflowId, this.options.nodeId, position);
	}
}
