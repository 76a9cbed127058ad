/** UI strings of the canvas's protections (joins, deleting, inserting on a wire) in Chinese (the part of `zh` in `zh.ts`). */
export const zhCanvas = {
  canvas: {
    joinTitle: '“{{target}}”已有连线进入',
    joinIntro: '已从 {{sources}} 连入“{{target}}”。再连入 {{source}} 后，“{{target}}”何时执行？',
    joinAny: '任一分支到达即执行',
    joinAnyHelp: '只要有一条连入的分支执行过就执行一次，其余分支可以被跳过（各分支是互斥的“或”）。',
    joinAll: '所有分支都到达才执行',
    joinAllHelp: '每条连入的分支都执行过才执行；任何一条被跳过，它也被跳过（各分支要汇合的“与”）。',
    joinOk: '连接',
    joinBadgeAny: '任一',
    joinBadgeAll: '全部',
    joinBadgeTip: '有 {{count}} 条连线进入：{{mode}}。点击切换。',
    deleteTitle: '删除 {{names}}？',
    deleteIntro: '以下内容会随之断开，可用 Ctrl+Z 撤销：',
    deleteWires: '连线（{{count}}）',
    deleteRefs: '引用其输出的模板（{{count}}）',
    deleteOk: '删除',
    cancel: '取消',
    insertTip: '在这条连线上插入节点',
    classIdHelp: '分类 ID 自动生成、不可修改：连线和条件判断（label 输出）靠它，改名不影响连线。',
    insertTitle: '插入节点',
  },
};
