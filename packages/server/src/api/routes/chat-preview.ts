import { ChatPreviewIn, ChatPreviewOut, EndpointParams } from '@herald/wire';
import { chatKind } from '../../chat/kinds/index.ts';
import { chatMessageOf } from '../../chat/template.ts';
import { HeraldError } from '../../lib/errors.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireEndpoint } from '../lookup.ts';

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'endpoints'>;

/**
 * A chat endpoint's preview: the wording Herald (or a template) gives an example message, and the body its chat tool
 * would get, without sending anything; the dashboard shows it beside the template editor.
 */
export function registerChatPreviewRoute(api: Api, ctx: RouteContext): void {
  api.post('/api/v1/app/:app_id/endpoint/:endpoint_id/chat-preview', {
    schema: {
      tags: ['Endpoint'], summary: 'What a chat endpoint would post for an example message (nothing is sent)',
      params: EndpointParams, body: ChatPreviewIn, response: { 200: ChatPreviewOut },
    },
  }, async (req) => {
    const { app, endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    if (!endpoint.chat) throw HeraldError.validation(['path', 'endpoint_id'], 'the endpoint is not a chat endpoint: give it a kind (slack, teams, discord, feishu, dingtalk or wecom)');
    const template = req.body.chatTemplate !== undefined ? req.body.chatTemplate : endpoint.chat.template;
    const subject = { msgId: 'msg_preview', appId: app.id, eventType: req.body.eventType, payload: req.body.payload };
    const message = chatMessageOf(subject, template, ctx.config.publicUrl);
    return { message, body: chatKind(endpoint.chat.kind).render(message) };
  });
}
