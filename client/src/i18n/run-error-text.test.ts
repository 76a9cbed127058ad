import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zh } from './zh';
import { runErrorText } from './run-error-text';

async function translator(lng: 'zh' | 'en') {
  const i18n = i18next.createInstance();
  await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng, interpolation: { escapeValue: false } });
  return { t: i18n.t, exists: (k: string) => i18n.exists(k) };
}

describe('runErrorText', () => {
  it('reads a model error by its model error code, keeping the English message as the detail', async () => {
    const { t, exists } = await translator('zh');
    const error = { code: 'model_error', message: 'connect ECONNREFUSED 127.0.0.1:9', nodeId: 'llm_1', details: { model_error: 'network' } };
    expect(runErrorText(error, t, exists)).toEqual({ text: '模型调用失败：连不上模型端点', detail: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('names the node and its timeout, the http status, and the branch that led nowhere', async () => {
    const { t, exists } = await translator('zh');
    const timeout = { code: 'node_error', message: 'node "code_1" timed out after 500 ms', nodeId: 'code_1', details: { cause: 'timeout', timeout_ms: 500 } };
    expect(runErrorText(timeout, t, exists).text).toBe('节点执行失败：节点“code_1”超过了它的超时设置（500 毫秒）；如果确实需要更久，请在节点设置里调大超时');
    const status = { code: 'http_error', message: 'GET http://x answered 503: busy', details: { node_error: 'http_status', info: { status: 503 } } };
    expect(runErrorText(status, t, exists).text).toBe('HTTP 请求失败：接口返回了错误状态码 503');
    const end = { code: 'end_not_reached', message: 'the run did not reach the end node: …', details: { node: 'cls', branch: 'other' } };
    const enT = await translator('en');
    expect(runErrorText(end, enT.t, enT.exists).text).toBe('The run did not reach the end node: node “cls” took branch “other”, which is not connected');
  });

  it('an unknown code still reads as a node failure, never as the bare code', async () => {
    const { t, exists } = await translator('zh');
    expect(runErrorText({ code: 'something_new', message: 'boom' }, t, exists)).toEqual({ text: '节点执行失败', detail: 'boom' });
  });
});
