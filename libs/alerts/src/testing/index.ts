export { WebhookReceiver, type ReceivedRequest, type ReceiverMode } from './webhook-receiver';
