import { findStage, pathIndex, type JourneyDefinition, type Stage } from './journey';

export type Direction = 'initial' | 'advance' | 'regress' | 'exit' | 're-entry';

/** Automatic moves come from rules and obey the movement rules; manual moves go anywhere. */
export type MoveKind = 'automatic' | 'manual';

export type MoveDecision =
	| { moved: true; from: string | null; to: string; direction: Direction; explanation: string }
	| { moved: false; from: string | null; to: string | null; explanation: string };

function label(stage: Stage | undefined, stageKey: string): string {
	return stage ? stage.name : stageKey;
}

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
	const currentName = label(currentStage, current);
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
