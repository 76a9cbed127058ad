import type { zhDesigner } from './zh-designer';
import type { Messages } from './en';

/** UI strings of the designer's aids in English (the part of `en` in `en.ts`). */
export const enDesigner: Messages<typeof zhDesigner> = {
  simulated: {
    tag: 'Simulated',
    tip: 'The built-in simulator answered this run, not a real model: its outputs are made-up examples, not results. Configure a model endpoint and run again.',
    runAlert: 'Simulated: no model endpoint is configured, so the built-in simulator made up these outputs; they are not a model\'s judgement.',
    call: 'simulator',
  },
  runNode: {
    action: 'Run this node',
    tip: 'Run only this node, with its inputs taken from what its upstream nodes produced in the last test run',
    noLastRun: 'There is no test run yet: test-run the whole scenario once, then run this node alone.',
    openTestRun: 'Test run',
    notInLastRun: 'The last test run did not run this node\'s upstream ({{missing}}), so its inputs are unknown.',
    running: 'Running the node…',
    done: 'The node ran alone (inputs from run {{runId}})',
    failed: 'Running the node failed: {{message}}',
    entry: 'The start node has no upstream: test-run the whole scenario instead.',
  },
  draft: {
    differs: 'Draft differs from live version v{{version}}',
    tip: 'Click to see what the draft changed against the live version',
  },
  runForm: {
    required: '"{{name}}" is required',
    badJson: '"{{name}}" is not valid JSON (near line {{line}}, column {{column}}): check the brackets, quotes and commas',
    badJsonNoPos: '"{{name}}" is not valid JSON: check the brackets, quotes and commas',
    notNumber: '"{{name}}" must be a number',
    fixFirst: 'Fix the inputs marked in red first',
    openTip: 'Open the test-run panel',
    shortcutsHelp: 'Keyboard shortcuts',
  },
  weights: {
    fullScore: 'Full score',
    noFullScore: 'not declared (100 for a 100-point sheet)',
    total: 'Weights total: {{total}} / full score {{full}}',
    totalNoFull: 'Weights total: {{total}}',
    mismatch: 'The weights total {{total}}, not the full score of {{full}}: a perfect call cannot reach the full score, or can pass it',
  },
};
