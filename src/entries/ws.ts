/** `lark-event-catalog/ws`: the long-connection client. */
export { WSClient, WSManager, WSAppError, wsAnswer, WSConnectError, WSOptionError, redactUrl, DEFAULT_CLIENT_CONFIG as DEFAULT_WS_CLIENT_CONFIG } from '../transport/ws/index.js';
export type { HttpAgentLike, ProxyOption, WSAppOptions, WSManagerEvents, WSManagerOptions, WSAnswer, WSClientOptions, WSClientEvents, WSDispatcher, WSState, StateInfo as WSStateInfo, ClientConfig as WSClientConfig, IntakeStats as WSIntakeStats } from '../transport/ws/index.js';
export type { ReconnectingInfo as WSReconnectingInfo, FailedInfo as WSFailedInfo } from '../transport/ws/index.js';
