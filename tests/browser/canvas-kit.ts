import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { dragBetween } from './harness';

/**
 * What browser tests do on the canvas as a person does it: drop a node from the palette, wire two ports,
 * select a node, wait for the autosave.
 */

/** Drags a node kind from the palette onto the canvas at (x, y) of the pane. */
export async function dropFromPalette(page: Page, kind: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${kind}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/**
 * Wires two ports (by their test ids); retried should the viewport still be settling. A second wire into
 * an input asks what it means: `join` answers (default any: the branches are alternatives), and `onAsked`
 * may look at the dialog first.
 */
export async function wire(page: Page, from: string, to: string, options: { join?: 'any' | 'all'; onAsked?: () => Promise<void> } = {}): Promise<void> {
  const before = await page.locator('.react-flow__edge').count();
  for (let attempt = 0; attempt < 3; attempt++) {
    await dragBetween(page, `[data-testid="${from}"]`, `[data-testid="${to}"]`);
    const asked = await page.getByTestId('join-dialog').waitFor({ timeout: 800 }).then(() => true, () => false);
    if (asked) {
      await options.onAsked?.();
      await page.getByTestId(`join-${options.join ?? 'any'}`).click();
      await page.getByTestId('join-ok').click();
    }
    const ok = await expect
      .poll(() => page.locator('.react-flow__edge').count(), { timeout: 1500 })
      .toBe(before + 1)
      .then(() => true, () => false);
    if (ok) return;
    // A missed drag pans the canvas: bring every node back into view before trying again.
    await page.getByTestId('fit-view').click();
  }
  throw new Error(`could not wire ${from} → ${to}`);
}

/** Clicks a node's head and waits for its panel. */
export async function selectNode(page: Page, id: string): Promise<void> {
  await page.getByTestId(`node-${id}`).locator('.mf-node-head').click();
  await page.getByTestId('inspector').waitFor();
}

/**
 * Deletes a wire as a person does (click it, press Delete), retried until it is gone: fit-view animates
 * the canvas after a load, so one click can land beside the moving wire.
 */
export async function deleteWire(page: Page, id: string): Promise<void> {
  const edge = page.locator(`.react-flow__edge[data-id="${id}"]`);
  await edge.waitFor();
  await expect
    .poll(async () => {
      await edge.locator('.react-flow__edge-interaction').click({ force: true, timeout: 2000 }).catch(() => undefined);
      await page.keyboard.press('Delete');
      return edge.count();
    })
    .toBe(0);
}

/** Waits until the draft is saved. */
export async function waitSaved(page: Page): Promise<void> {
  await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
}
