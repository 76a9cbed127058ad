/** UI strings of the designer's aids in Chinese: simulated results, running one node, the draft's diff, form checks (the part of `zh` in `zh.ts`). */
export const zhDesigner = {
  simulated: {
    tag: '模拟器回答',
    tip: '这次运行由内置模拟器回答，没有调用真实模型：输出是编造的示例，不能当作结果。配置模型端点后再运行。',
    runAlert: '模拟器回答：未配置模型端点，这次运行的输出是内置模拟器编造的，不是模型的判断。',
    call: '模拟器',
  },
  runNode: {
    action: '单独运行',
    tip: '只运行这个节点，输入取自上一次试运行中它上游节点的输出',
    noLastRun: '还没有试运行记录：先试运行一次整个场景，再单独运行这个节点。',
    openTestRun: '去试运行',
    notInLastRun: '上一次试运行没有执行到这个节点的上游（{{missing}}），无法取得它的输入。',
    running: '正在单独运行…',
    done: '节点已单独运行（输入取自运行 {{runId}}）',
    failed: '单独运行失败：{{message}}',
    entry: '开始节点没有上游，请直接试运行整个场景。',
  },
  draft: {
    differs: '草稿与线上版本 v{{version}} 不同',
    tip: '点击查看草稿相对线上版本改了什么',
  },
  runForm: {
    required: '“{{name}}”是必填项',
    badJson: '“{{name}}”不是有效的 JSON（第 {{line}} 行第 {{column}} 列附近）：请检查括号、引号和逗号',
    badJsonNoPos: '“{{name}}”不是有效的 JSON：请检查括号、引号和逗号',
    notNumber: '“{{name}}”需要填数字',
    fixFirst: '请先修正标红的输入',
    openTip: '打开试运行面板',
    shortcutsHelp: '快捷键',
  },
  weights: {
    fullScore: '满分',
    noFullScore: '未声明（如百分制填 100）',
    total: '权重合计：{{total}} / 满分 {{full}}',
    totalNoFull: '权重合计：{{total}}',
    mismatch: '权重合计 {{total}} 与满分 {{full}} 不一致：得分无法达到满分，或可能超过满分',
  },
};
