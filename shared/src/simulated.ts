/**
 * Whether a run was answered by the built-in simulator. The engine records it on the run as it happens
 * (each model call's trace carries `simulated: true`, `run.finished` / `run.failed` and the run result
 * carry `simulated`); a stored run's `model` column lists the names of the clients that answered, and the
 * simulator's client is always named {@link SIMULATOR_CLIENT}, so a stored row tells it without events.
 */

/** The name the in-process simulator's model client answers under (`ModelClient.name`). */
export const SIMULATOR_CLIENT = 'simulator';

/**
 * True when the `model` recorded on a run (the client names that answered, `, `-separated, e.g.
 * `simulator` or `qwen@10.0.0.5:8000, simulator`) names the simulator. Null or empty: false.
 */
export function simulatedModel(model: string | null | undefined): boolean {
  if (!model) return false;
  return model.split(',').some((name) => name.trim() === SIMULATOR_CLIENT);
}
