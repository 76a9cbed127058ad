import type { zhCanvas } from './zh-canvas';
import type { Messages } from './en';

/** UI strings of the canvas's protections (joins, deleting, inserting on a wire) in English (the part of `en` in `en.ts`). */
export const enCanvas: Messages<typeof zhCanvas> = {
  canvas: {
    joinTitle: '“{{target}}” already has a wire in',
    joinIntro: '“{{target}}” already has a wire from {{sources}}. With {{source}} wired in as well, when does “{{target}}” run?',
    joinAny: 'When any branch arrives',
    joinAnyHelp: 'Runs once as soon as one incoming branch ran; the others may be skipped (alternative branches: “or”).',
    joinAll: 'Only when all branches arrive',
    joinAllHelp: 'Runs only when every incoming branch ran; if one is skipped, it is skipped too (branches meeting again: “and”).',
    joinOk: 'Connect',
    finalOnly: 'Run only when the call ends',
    finalOnlyHelp: "Skipped while a live call goes on; runs in the final run after the call ends (e.g. the full audit), as do the nodes waiting for it. Saves a model call on every update during the call.",
    joinField: 'Join',
    joinFieldHelp: '{{count}} wires lead into this node: choose when it runs.',
    joinBadgeAny: 'any',
    joinBadgeAll: 'all',
    joinBadgeTip: '{{count}} wires lead in: {{mode}}. Click to switch.',
    deleteTitle: 'Delete {{names}}?',
    deleteIntro: 'This also breaks the following (Ctrl+Z undoes it):',
    deleteWires: 'Wires ({{count}})',
    deleteRefs: 'Templates that read its outputs ({{count}})',
    deleteOk: 'Delete',
    cancel: 'Cancel',
    insertTip: 'Insert a node on this wire',
    classIdHelp: 'The class id is generated and never changes: wires and conditions on the label output rely on it, so renaming the class keeps its wire.',
    insertTitle: 'Insert a node',
  },
};
