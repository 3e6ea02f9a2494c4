// How browser mode's page proves itself (server/credentials.ts checks it): the session credential
// in a header on calls, and as a subprotocol of the event socket (browsers cannot set its headers).
export const SESSION_HEADER = 'x-reverie-session';
export const EVENTS_PROTOCOL = 'reverie.events';
export const SESSION_PROTOCOL_PREFIX = 'reverie.session.';
/** The meta tag of the one page load the launch token opens. */
export const SESSION_META = 'reverie-session';
/** Every page load: this data folder's server id, and the ports to ask after losing it (server/where.ts). */
export const INSTANCE_META = 'reverie-instance';
export const PORTS_META = 'reverie-ports';
export const WHERE_PATH = '/where';
/** The window-device socket (/api/window): tiles to the page's GPU worker and gradients back. */
export const WINDOW_PROTOCOL = 'reverie.window';
/** Where the window's gradient worker reads the active model's files (session header required). */
export const WINDOW_MODEL_PATH = '/window-model/';
