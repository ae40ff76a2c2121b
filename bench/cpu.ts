/** CPU clocks for benchmarks: what other processes' load does not add to a figure. */

/** CPU time of this process (user + system) in ms: what other processes' load does not add. */
export function processCpuMs(): number {
	const used = process.cpuUsage();
	return (used.user + used.system) / 1000;
}

/**
 * CPU time of the main thread only: the same less V8's background garbage-collection threads,
 * whose share varies most from run to run on a busy machine.
 */
export function threadCpuMs(): number {
	const used = process.threadCpuUsage();
	return (used.user + used.system) / 1000;
}
