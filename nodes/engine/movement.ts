import { findStage, pathIndex, type JourneyDefinition } from './journey';

export type Direction = 'initial' | 'advance' | 'regress' | 'exit' | 're-entry';

/** Automatic moves come from rules and obey the movement rules; manual moves go anywhere. */
export type MoveKind = 'automatic' | 'manual';

export type MoveDecision =
	| { moved: true; from: string | null; to: string; direction: Direction; explanation: string }
	| { moved: false; from: string | null; to: string | null; explanation: string };

export function directionOf(
	journey: JourneyDefinition,
	from: string | null,
	to: string,
): Direction {
	if (from === null) return 'initial';
	const target = findStage(journey, to);
	if (target?.kind === 'exit') return 'exit';
	if (findStage(journey, from)?.kind === 'exit') return 're-entry';
	return pathIndex(journey, to) > pathIndex(journey, from) ? 'advance' : 'regress';
}

/**
 * Decides whether a customer at `current` (null: not in the journey yet) moves to `target`.
 * Pure: the store applies what this returns. The movement rules, in order:
 *  - a customer not yet in the journey enters it at the target ('initial');
 *  - manual moves may go anywhere, backwards included;
 *  - automatic moves go only forward along path stages;
 *  - automatic moves into an exit stage are allowed (a rule asked for it), but not from one
 *    exit to another: the first exit reached stands;
 *  - leaving an exit automatically ('re-entry') needs the journey to allow it.
 */
export function decideMove(
	journey: JourneyDefinition,
	current: string | null,
	target: string,
	kind: MoveKind,
): MoveDecision {
	const targetStage = findStage(journey, target);
	if (!targetStage) {
		return {
			moved: false,
			from: current,
			to: current,
			explanation: `stage '${target}' is not in journey '${journey.name}'`,
		};
	}
	const make = (explanation: string): MoveDecision => ({
		moved: true,
		from: current,
		to: target,
		direction: directionOf(journey, current, target),
		explanation,
	});
	if (current === null) return make(`entered ${targetStage.name}`);
	const currentStage = findStage(journey, current);
	const currentName = stageLabel(journey, current)!;
	const stay = (explanation: string): MoveDecision => ({
		moved: false,
		from: current,
		to: current,
		explanation,
	});

	if (current === target) return stay(`already in ${currentName}`);
	if (kind === 'manual') return make(`moved manually from ${currentName} to ${targetStage.name}`);

	if (currentStage?.kind === 'exit') {
		if (targetStage.kind === 'exit') return stay(`already left the path: ${currentName}`);
		if (!journey.allowReentry)
			return stay(`in exit stage ${currentName}; this journey does not allow re-entry`);
		return make(`re-entered at ${targetStage.name} from ${currentName}`);
	}
	if (targetStage.kind === 'exit') return make(`left the path for ${targetStage.name}`);
	if (pathIndex(journey, target) < pathIndex(journey, current))
		return stay(`already further: ${currentName}`);
	return make(`advanced from ${currentName} to ${targetStage.name}`);
}

export type ReasonKind = 'event' | 'rule' | 'manual' | 'import' | 'activity';

/** A customer's place in one journey. */
export interface StageState {
	stage: string;
	/** The sales-facing status the stage set (RevOps stage → lead status), if any. */
	status: string | null;
	enteredAt: number;
}

/** Why a move is asked for: what the history row will say besides from/to. */
export interface MoveCause {
	reasonKind: ReasonKind;
	eventType?: string;
	eventId?: string;
	ruleId?: string;
	actor?: string;
	note?: string;
	occurredAt: number;
}

/** One row of the customer's timeline, complete: the store appends it as given. */
export interface HistoryRecord {
	fromStage: string | null;
	toStage: string;
	direction: Direction;
	reasonKind: ReasonKind;
	reason: string;
	eventType: string | null;
	eventId: string | null;
	ruleId: string | null;
	actor: string | null;
	note: string | null;
	/**
	 * The move's effective time: the later of the event's own time and the time the customer
	 * entered the stage it leaves, so a timeline never runs backwards (rule 7).
	 */
	occurredAt: number;
	/** The time the cause itself carried (the event's own time, or the manual move's). */
	eventOccurredAt: number;
	/** When the customer entered the stage this move leaves; null for an initial move. */
	fromEnteredAt: number | null;
}

/**
 * What one input does to a customer in one journey, as data (the shape of a reducer): the
 * decision, the state after it, and the history record to append when it moved.
 */
export interface Step {
	decision: MoveDecision;
	before: StageState | null;
	after: StageState | null;
	record: HistoryRecord | null;
}

/** Stage → status sync: a stage with a status sets it; one without keeps the last status. */
export function statusAfter(
	journey: JourneyDefinition,
	stageKey: string,
	previous: string | null,
): string | null {
	return findStage(journey, stageKey)?.status ?? previous ?? null;
}

/**
 * When a move takes effect (rule 7): the later of the cause's own time and the time the customer
 * entered the stage it leaves. A late webhook (stamped before the current stage was entered) and
 * a back-dated manual move both take effect at that entry time, so no stay is negative and no
 * stage is entered before the one it was left from.
 */
export function effectiveTime(before: StageState | null, occurredAt: number): number {
	return before ? Math.max(occurredAt, before.enteredAt) : occurredAt;
}

/** Applies a decision to a customer's state: the new state and the record, or no change. */
export function applyDecision(
	journey: JourneyDefinition,
	before: StageState | null,
	decision: MoveDecision,
	cause: MoveCause,
): Step {
	if (!decision.moved) return { decision, before, after: before, record: null };
	const at = effectiveTime(before, cause.occurredAt);
	const after: StageState = {
		stage: decision.to,
		status: statusAfter(journey, decision.to, before?.status ?? null),
		enteredAt: at,
	};
	const record: HistoryRecord = {
		fromStage: decision.from,
		toStage: decision.to,
		direction: decision.direction,
		reasonKind: cause.reasonKind,
		reason: decision.explanation,
		eventType: cause.eventType ?? null,
		eventId: cause.eventId ?? null,
		ruleId: cause.ruleId ?? null,
		actor: cause.actor ?? null,
		note: cause.note ?? null,
		occurredAt: at,
		eventOccurredAt: cause.occurredAt,
		fromEnteredAt: before?.enteredAt ?? null,
	};
	return { decision, before, after, record };
}

/**
 * A move made by a person (Set Stage) or an import: anywhere, backwards included. The reason
 * says it was imported and by whom. Back-dated before the current stage was entered, it takes
 * effect at that entry time (rule 7); the time given is kept as eventOccurredAt.
 */
export function manualStep(
	journey: JourneyDefinition,
	before: StageState | null,
	target: string,
	cause: MoveCause & { reasonKind: 'manual' | 'import' },
): Step {
	const decision = decideMove(journey, before?.stage ?? null, target, 'manual');
	if (decision.moved) {
		if (cause.reasonKind === 'import') decision.explanation = `imported: ${decision.explanation}`;
		if (cause.actor) decision.explanation += ` by ${cause.actor}`;
	}
	return applyDecision(journey, before, decision, cause);
}

/** An event id already recorded in the journey: reported, and it changes nothing. */
export function duplicateStep(before: StageState | null, eventId: string | undefined): Step {
	const stage = before?.stage ?? null;
	return {
		decision: {
			moved: false,
			from: stage,
			to: stage,
			explanation: `duplicate: event id '${eventId}' was already recorded in this journey; nothing changed`,
		},
		before,
		after: before,
		record: null,
	};
}

/** The reason an import without a journey reports: it only saved the customer's details. */
export function customerSavedReason(created: boolean): string {
	return created ? 'customer created' : 'customer updated';
}

/** A stage's display name; the key itself for a stage the journey no longer has. */
export function stageLabel(journey: JourneyDefinition, stageKey: string | null): string | null {
	return stageKey === null ? null : (findStage(journey, stageKey)?.name ?? stageKey);
}

/** A status's name in the journey's status list; a status not in it names itself. */
export function statusLabel(journey: JourneyDefinition, statusKey: string | null): string | null {
	if (statusKey === null) return null;
	return journey.statuses?.find((status) => status.key === statusKey)?.name ?? statusKey;
}

/** How one item ended in one journey, as every move-shaped result reports it. */
export interface MoveOutcome {
	customerId: string;
	journey: string;
	previousStage: string | null;
	previousStageName: string | null;
	stage: string | null;
	stageName: string | null;
	/** The sales-facing status the stage maps to (RevOps stage → lead status), if any. */
	status: string | null;
	moved: boolean;
	direction: Direction | null;
	/** Why it moved, or why it did not. */
	reason: string;
}

export function moveOutcome(
	journey: JourneyDefinition,
	customerId: string,
	step: Step,
): MoveOutcome {
	const previous = step.before?.stage ?? null;
	const stage = step.after?.stage ?? null;
	return {
		customerId,
		journey: journey.key,
		previousStage: previous,
		previousStageName: stageLabel(journey, previous),
		stage,
		stageName: stageLabel(journey, stage),
		status: step.after?.status ?? null,
		moved: step.decision.moved,
		direction: step.decision.moved ? step.decision.direction : null,
		reason: step.decision.explanation,
	};
}
