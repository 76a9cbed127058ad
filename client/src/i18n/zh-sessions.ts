/** API error codes of live call sessions (`/v1/sessions`), in Chinese (merged into `errors`). */
export const zhSessionErrors = {
  unknown_session: '找不到这个通话会话',
  session_ended: '通话会话已结束，不再接收新的对话轮次',
  no_transcript_input: '场景“{{scenario}}”的开始节点没有“通话转写”类型的输入，实时会话无处填入对话：请先添加一个',
  too_many_turns: '一个通话会话最多 {{limit}} 轮对话：请结束它并开始新的会话',
  session_too_large: '一个通话会话的对话文本最多 {{limit}} 个字符：请结束它并开始新的会话',
  invalid_last_event_id: 'Last-Event-ID 不是这个会话的事件编号',
};
