// Type definitions for pusher-native: the pusher-js 8.6.0 API, typed for CommonJS and ESM.
//
// `require('pusher-native')` is the Pusher class itself (`module.exports = Pusher`), so these
// declarations use `export =`. They work with `import Pusher from 'pusher-native'` under
// `module: nodenext` (ESM and CJS files), with `module: commonjs` with or without
// `esModuleInterop` (the class has a `default` property pointing at itself), and with
// `import Pusher = require('pusher-native')`.
//
// Every pusher-js type name is exported from the `Pusher` namespace, so
// `import Pusher, { Channel, Options } from 'pusher-native'` and `Pusher.Channel` both work.
// Types pusher-js declares as classes but this package does not export at runtime
// (`PresenceChannel`, `Members`, `ConnectionManager`, ...) are interfaces here.
//
// Callbacks are typed `((...) => any) | Function`: every function pusher-js accepts is
// accepted, and an unannotated callback still gets its parameters' types.
//
// Every static and member pusher-js's class declares is declared here too. Still, TypeScript
// accepts no other class where pusher-js's class *type* is asked for (`typeof Pusher` from
// 'pusher-js', e.g. laravel-echo's `Pusher` option): pusher-js declares a `private static`
// (`getClientFeatures`) and private members on its connection and user classes, and private
// members make a class type nominal. Two ways that type-check: pass an instance where the
// library takes one (laravel-echo's `client` option), or let `pusher-js` resolve to this package
// (`npm install pusher-js@npm:pusher-native`), so the library's typings are these.

/**
 * A Pusher Channels client. Connects from its constructor, as pusher-js does on Node.
 *
 * @example
 * const pusher = new Pusher('app-key', { cluster: 'eu' })
 * pusher.subscribe('my-channel').bind('my-event', (data) => console.log(data))
 */
declare class Pusher {
  /**
   * Creates a client and starts connecting at once.
   * @param app_key the app key
   * @param options client options; `cluster` is required (`''` is accepted, as laravel-echo sends it)
   * @throws TypeError where pusher-js throws (no key, no options, no `cluster`, an auth
   * transport other than `'ajax'`), and for a value that could never connect (a port that is
   * no number in any form); the message names the option
   */
  constructor(app_key: string, options: Pusher.Options);

  /** Instances that are connected or trying to connect (pusher-js keeps every instance ever made). */
  static readonly instances: Pusher[];
  /** Whether new instances connect from their constructor; always `true` on Node. */
  static isReady: boolean;
  /** Print log lines with `console.log` (default `false`). Read at each line. */
  static logToConsole: boolean;
  /** Receive each log line (a string) instead of the console; takes precedence over `logToConsole` (default undefined). */
  static log: ((message: any) => void) | undefined;
  /** Sets `isReady`; kept for pusher-js compatibility (Node is always ready). */
  static ready(): void;
  /** The parts of pusher-js's platform layer that mean something in Node (see `Pusher.Runtime`). */
  static Runtime: Pusher.Runtime;
  /** Browser-only in pusher-js (JSONP): `undefined`, as on pusher-js's Node build. */
  static ScriptReceivers: undefined;
  /** Browser-only in pusher-js (JSONP): `undefined`, as on pusher-js's Node build. */
  static DependenciesReceivers: undefined;
  /** Browser-only in pusher-js (JSONP): `undefined`, as on pusher-js's Node build. */
  static auth_callbacks: undefined;
  /**
   * The transports this client can use, as pusher-js reports them: `['ws']`. (pusher-js
   * declares it private; it is public here so that two copies of these typings stay compatible.)
   */
  static getClientFeatures(): string[];

  /** The app key. */
  key: string;
  /** The options as passed to the constructor (or updated by `switchCluster`). */
  options: Pusher.Options;
  /** Settings derived from the options. */
  config: Pusher.Config;
  /** The channel table: `channels.channels` maps names to channels. */
  channels: Pusher.Channels;
  /** The emitter behind `pusher.bind`: every event received, whatever its channel. */
  global_emitter: Pusher.EventsDispatcher;
  /** A random session number, as pusher-js makes. */
  sessionID: number;
  /** pusher-js's stats timeline. No stats are kept or sent here: always `undefined`. */
  timeline?: undefined;
  /** pusher-js's stats sender (set there only with `enableStats`). No stats are sent here: always `undefined`. */
  timelineSender?: undefined;
  /** pusher-js's stats timer (set there only with `enableStats`). No stats are sent here: always `undefined`. */
  timelineSenderTimer?: undefined;
  /** The connection: its state, socket id and events (`pusher.connection.bind('state_change', ...)`). */
  connection: Pusher.ConnectionManager;
  /** The signed-in user (user authentication, server-to-user events and the watchlist). */
  user: Pusher.UserFacade;

  /** Connects; a no-op when connected, and retries at once while waiting to reconnect. */
  connect(): void;
  /** Disconnects; channels and their bindings stay for the next `connect()`. */
  disconnect(): void;
  /** Subscribes to a presence channel and returns it (the same object on every call). */
  subscribe(channel_name: `presence-${string}`): Pusher.PresenceChannel;
  /** Subscribes to an end-to-end encrypted channel and returns it (the same object on every call). */
  subscribe(channel_name: `private-encrypted-${string}`): Pusher.EncryptedChannel;
  /** Subscribes to a private channel and returns it (the same object on every call). */
  subscribe(channel_name: `private-${string}`): Pusher.PrivateChannel;
  /**
   * Subscribes to a channel and returns it (the same object on every call). Other invalid
   * names are refused by the server (`pusher:subscription_error`), as with pusher-js.
   * @throws BadChannelName when the name is not a string or starts with `#`
   */
  subscribe(channel_name: string): Pusher.Channel;
  /** Unsubscribes from a channel and forgets it (once a pending subscription is answered). */
  unsubscribe(channel_name: string): void;
  /** The channel called `name`; `undefined` when there is none (typed `Channel`, as in pusher-js). */
  channel(name: string): Pusher.Channel;
  /** Every channel subscribed to or pending. */
  allChannels(): Pusher.Channel[];
  /** Calls `callback(data)` for every event called `event_name`, on any channel; `this` is `context`. */
  bind(event_name: string, callback: Pusher.EventCallback, context?: any): this;
  /** Removes bindings: by name, callback and/or context; with no arguments, all of them. */
  unbind(event_name?: string | null, callback?: Pusher.EventCallback | null, context?: any): this;
  /** Calls `callback(eventName, data)` for every event received. */
  bind_global(callback: Pusher.GlobalEventCallback): this;
  /** Removes one global callback, or all of them when none is given. */
  unbind_global(callback?: Pusher.GlobalEventCallback | null): this;
  /** Removes every binding and every global callback (the argument is ignored, as in pusher-js). */
  unbind_all(callback?: Pusher.EventCallback): this;
  /** Sends an event on the connection (`data` is sent as JSON); `false` when not connected. */
  send_event(event_name: string, data: any, channel?: string): boolean;
  /** Signs the user in now and after each reconnect, with `userAuthentication`. */
  signin(): void;
  /** Whether the connection uses `wss://`. */
  shouldUseTLS(): boolean;
  /**
   * Subscribes every channel in the table that is not subscribed. pusher-js calls it on each
   * connect; the engine here resubscribes by itself, so it is never needed.
   */
  subscribeAll(): void;
  /** Moves to another app key and cluster, keeping channels and bindings (pusher-js 8.5). */
  switchCluster(options: Pusher.ClusterOptions): void;
}

declare namespace Pusher {
  // `import Pusher from 'pusher-native'` compiled without esModuleInterop reads `.default`,
  // which the runtime sets to the class itself.
  export { Pusher as default };

  // ---------------------------------------------------------------------------------------
  // Options

  /** A transport name. Only `ws` and `wss` exist here: the lists only choose between them. */
  export type Transport = 'ws' | 'wss' | 'xhr_streaming' | 'xhr_polling' | 'sockjs';

  /** An auth transport. Only `'ajax'` works on Node; `'jsonp'` throws. */
  export type AuthTransport = 'ajax' | 'jsonp';

  /** Options for `new Pusher(key, options)`. Every pusher-js 8.6.0 option is accepted. */
  export interface Options {
    /** The cluster (required): the default host is `ws-<cluster>.pusher.com`. */
    cluster: string;
    /** Use `wss://` (default `true`); `false` connects with `ws://`. */
    forceTLS?: boolean;
    /** The WebSocket host (default `ws-<cluster>.pusher.com`). */
    wsHost?: string;
    /** The port for `ws://` (default `80`): a number, or a numeric string such as `process.env.PORT`. */
    wsPort?: number | string;
    /** The port for `wss://` (default `443`): a number, or a numeric string. */
    wssPort?: number | string;
    /** A path put before `/app/<key>` (default `''`). */
    wsPath?: string;
    /**
     * Host of the HTTP fallback transports (`xhr_streaming`, `xhr_polling`). Default
     * `sockjs-<cluster>.pusher.com`, used only when the WebSocket goes to Pusher's own host: a
     * self-hosted `wsHost` without `httpHost` never falls back to HTTP.
     */
    httpHost?: string;
    /** The HTTP transports' port without TLS (default `80`): a number, or a numeric string. */
    httpPort?: number | string;
    /** The HTTP transports' port with TLS (default `443`): a number, or a numeric string. */
    httpsPort?: number | string;
    /** A path put before `/app/<key>` in the HTTP transports' URLs (default `'/pusher'`). */
    httpPath?: string;
    /**
     * Transports allowed (default all): `ws` (the WebSocket, over TLS unless `forceTLS` is
     * false), `wss` (a plain client's fallback), `xhr_streaming`, `xhr_polling`; with none that
     * can connect the state is `failed`.
     */
    enabledTransports?: Transport[];
    /** Transports not allowed (default none); wins over `enabledTransports`. */
    disabledTransports?: Transport[];
    /** Milliseconds of silence before a ping (default `120000`; a number or a numeric string); the server's `activity_timeout` can only lower it. */
    activityTimeout?: number | string;
    /** Milliseconds to wait for a pong before reconnecting (default `30000`; a number or a numeric string). */
    pongTimeout?: number | string;
    /** Milliseconds of failing to connect before the state becomes `unavailable` (default `10000`; a number or a numeric string). */
    unavailableTimeout?: number | string;
    /** How private and presence channels are authorized (default `{ endpoint: '/pusher/auth', transport: 'ajax' }`). */
    channelAuthorization?: ChannelAuthorizationOptions;
    /** How `signin()` authenticates the user (default `{ endpoint: '/pusher/user-auth', transport: 'ajax' }`). */
    userAuthentication?: UserAuthenticationOptions;
    /** @deprecated Use `channelAuthorization.endpoint` (default `'/pusher/auth'`; ignored when `channelAuthorization` is set). */
    authEndpoint?: string;
    /** @deprecated Use `channelAuthorization.transport` (default `'ajax'`; `'jsonp'` throws on Node). */
    authTransport?: AuthTransport;
    /** @deprecated Use `channelAuthorization.params` / `headers` (default none). */
    auth?: DeprecatedAuthOptions;
    /** @deprecated Use `channelAuthorization.customHandler` (default none). */
    authorizer?: ChannelAuthorizerGenerator;
    /** No effect: no stats are sent (pusher-js default `false`). */
    enableStats?: boolean;
    /** @deprecated No effect: no stats are sent (logs a deprecation warning, as pusher-js does). */
    disableStats?: boolean;
    /** No effect: no stats are sent (pusher-js default `'stats.pusher.com'`). */
    statsHost?: string;
    /** No effect: no stats are sent (pusher-js default none). */
    timelineParams?: any;
    /** No effect in Node (pusher-js uses it only for browser SockJS; default unset). */
    ignoreNullOrigin?: boolean;
    /** Ignored: decryption is built in (pusher-js on Node also replaces it with its own tweetnacl). */
    nacl?: any;
    /**
     * pusher-native only: the largest frame accepted, in bytes (default `4194304`, 4 MiB; at
     * least `1024`). A larger frame is refused: the connection reports an `error` and reconnects.
     */
    maxMessageSize?: number;
    /**
     * (pusher-native) Retries allowed in a row after a failed attempt or a dropped connection,
     * as Pusher's Java client counts them: `2` makes at most 3 attempts in a row. Then an
     * `error` event says why and the state is `disconnected`; `connect()` starts afresh.
     * Default: no limit.
     */
    maxReconnectionAttempts?: number | string | null;
    /**
     * (pusher-native) Extra headers on the WebSocket upgrade request (sent inside a proxy
     * tunnel too), for gateways in front of self-hosted servers. A function is called at every
     * connection attempt (sync or async); when it throws or rejects, the attempt fails with an
     * `error` event and is retried. The handshake's own headers (`Host`, `Upgrade`,
     * `Sec-WebSocket-*` …) cannot be set.
     */
    wsHeaders?: Record<string, string | number | boolean | null | undefined> | (() => Record<string, any> | Promise<Record<string, any>>);
    /** (pusher-native) The back-off's cap in seconds (default 30), plus up to 25 % jitter. */
    maxReconnectGapInSeconds?: number | string;
    /**
     * pusher-native only: the longest wait for one authorization, by handler or endpoint, in
     * milliseconds (default `10000`; a number or a numeric string). Past it the subscription
     * fails with `pusher:subscription_error`.
     */
    authTimeout?: number | string;
    /**
     * pusher-native only: extra trusted certificates (PEM text, a Buffer, or an array of them),
     * on top of the platform's, Mozilla's and `NODE_EXTRA_CA_CERTS`. Used by the WebSocket and
     * the authorization requests.
     */
    ca?: string | Uint8Array | Array<string | Uint8Array>;
    /**
     * pusher-native only: an HTTP proxy, `http://[user:pass@]host:port` (default: `HTTPS_PROXY`
     * or `HTTP_PROXY`, with `NO_PROXY`); `false` ignores the environment.
     */
    proxy?: string | false;
  }

  /** The new app key and cluster for `pusher.switchCluster()`. */
  export interface ClusterOptions {
    /** The app key to use from now on. */
    appKey: string;
    /** The cluster to use from now on. */
    cluster: string;
  }

  /**
   * Settings derived from the options (`pusher.config`), as pusher-js derives them: each value as
   * given (so a port or timeout given as a numeric string stays a string), or its default when
   * missing (or falsy, as pusher-js tests).
   */
  export interface Config {
    /** Whether `wss://` is used. */
    useTLS: boolean;
    /** The activity timeout option in milliseconds (default `120000`). */
    activityTimeout: number | string;
    /** The pong timeout in milliseconds (default `30000`). */
    pongTimeout: number | string;
    /** The unavailable timeout in milliseconds (default `10000`). */
    unavailableTimeout: number | string;
    /** The cluster. */
    cluster: string;
    /** The WebSocket host (default `ws-<cluster>.pusher.com`). */
    wsHost: string;
    /** The port for `ws://` (default `80`). */
    wsPort: number | string;
    /** The port for `wss://` (default `443`). */
    wssPort: number | string;
    /** The path put before `/app/<key>` (default `''`). */
    wsPath: string;
    /** pusher-js's HTTP fallback host; unused here (default `sockjs-<cluster>.pusher.com`). */
    httpHost: string;
    /** pusher-js's HTTP fallback port; unused here (default `80`). */
    httpPort: number | string;
    /** pusher-js's HTTPS fallback port; unused here (default `443`). */
    httpsPort: number | string;
    /** pusher-js's HTTP fallback path; unused here (default `'/pusher'`). */
    httpPath: string;
    /** Whether stats were asked for; none are sent here (default `false`). */
    enableStats: boolean;
    /** pusher-js's stats host; unused here (default `'stats.pusher.com'`). */
    statsHost: string;
  }

  // ---------------------------------------------------------------------------------------
  // Authorization (the same shapes as pusher-js)

  /** What a channel authorization endpoint or handler returns. */
  export interface ChannelAuthorizationData {
    /** `<key>:<signature>`. */
    auth: string;
    /** Presence channels: the JSON `{user_id, user_info}`. */
    channel_data?: string;
    /** Encrypted channels: the base64 key. */
    shared_secret?: string;
  }

  /** Calls back with an error, or the authorization. */
  export type ChannelAuthorizationCallback = (
    error: Error | null,
    authData: ChannelAuthorizationData | null,
  ) => void;

  /** What a channel authorization handler is asked. */
  export interface ChannelAuthorizationRequestParams {
    /** The connection's socket id. */
    socketId: string;
    /** The channel to authorize. */
    channelName: string;
  }

  /** Authorizes a channel subscription (`channelAuthorization.customHandler`). */
  export interface ChannelAuthorizationHandler {
    (params: ChannelAuthorizationRequestParams, callback: ChannelAuthorizationCallback): void;
  }

  /** What a user authentication endpoint or handler returns. */
  export interface UserAuthenticationData {
    /** `<key>:<signature>`. */
    auth: string;
    /** The JSON user data, with a string `id`. */
    user_data: string;
  }

  /** Calls back with an error, or the authentication. */
  export type UserAuthenticationCallback = (
    error: Error | null,
    authData: UserAuthenticationData | null,
  ) => void;

  /** What a user authentication handler is asked. */
  export interface UserAuthenticationRequestParams {
    /** The connection's socket id. */
    socketId: string;
  }

  /** Authenticates the user for `signin()` (`userAuthentication.customHandler`). */
  export interface UserAuthenticationHandler {
    (params: UserAuthenticationRequestParams, callback: UserAuthenticationCallback): void;
  }

  /** Authorization by HTTP POST to an endpoint. */
  export interface InternalAuthOptions {
    /** `'ajax'` (default); `'jsonp'` throws on Node. */
    transport?: AuthTransport;
    /** The URL to POST to (defaults: `/pusher/auth`, `/pusher/user-auth`). */
    endpoint?: string;
    /** Extra form fields. */
    params?: any;
    /** Extra request headers. */
    headers?: any;
    /** Called for each request: more form fields. */
    paramsProvider?: () => any;
    /** Called for each request: more headers. */
    headersProvider?: () => any;
    /**
     * (pusher-native, channel authorization only) Batch the endpoint requests: channels
     * authorized within `delay` ms (default 10) of each other share one request, in the
     * format of the pusher-js-auth plugin (`channel_name[0]`, `channel_name[1]`, …; answered
     * `{[socketId]: {[channel]: {status, data}}}`). A channel refused in the answer fails alone.
     */
    batch?: boolean | { delay?: number };
  }

  /** Authorization by your own function (the other settings are then ignored). */
  export type CustomAuthOptions<AuthHandler> = {
    /** Called for each authorization. */
    customHandler: AuthHandler;
  };

  /** Endpoint settings, or a custom handler. */
  export type AuthOptionsT<AuthHandler> = InternalAuthOptions | CustomAuthOptions<AuthHandler>;
  /** The `channelAuthorization` option. */
  export type ChannelAuthorizationOptions = AuthOptionsT<ChannelAuthorizationHandler>;
  /** The `userAuthentication` option. */
  export type UserAuthenticationOptions = AuthOptionsT<UserAuthenticationHandler>;

  /** @deprecated The `auth` option: extra params and headers for the auth request. */
  export interface DeprecatedAuthOptions {
    /** Extra form fields. */
    params?: any;
    /** Extra request headers. */
    headers?: any;
  }

  /** @deprecated What an `authorizer` returns: an object that authorizes one channel. */
  export interface DeprecatedChannelAuthorizer {
    /** Authorizes the channel for this socket id. */
    authorize(socketId: string, callback: ChannelAuthorizationCallback): void;
  }

  /** @deprecated The settings passed to an `authorizer`. */
  export interface DeprecatedAuthorizerOptions {
    /** The `authTransport` option. */
    authTransport: AuthTransport;
    /** The `authEndpoint` option. */
    authEndpoint: string;
    /** The `auth` option. */
    auth?: DeprecatedAuthOptions;
  }

  /** @deprecated The `authorizer` option: makes an authorizer for a channel. */
  export interface ChannelAuthorizerGenerator {
    (channel: Channel, options: DeprecatedAuthorizerOptions): DeprecatedChannelAuthorizer;
  }

  /** @deprecated Alias of `DeprecatedAuthOptions`. */
  export type AuthOptions = DeprecatedAuthOptions;
  /** @deprecated Alias of `DeprecatedChannelAuthorizer`. */
  export type Authorizer = DeprecatedChannelAuthorizer;
  /** @deprecated Alias of `ChannelAuthorizerGenerator`. */
  export type AuthorizerGenerator = ChannelAuthorizerGenerator;
  /** @deprecated Alias of `ChannelAuthorizationCallback`. */
  export type AuthorizerCallback = ChannelAuthorizationCallback;

  // ---------------------------------------------------------------------------------------
  // Events

  /** Extra information passed to channel event callbacks: `{}`, or `{user_id}` on presence channels. */
  export interface Metadata {
    /** The sender of a client event on a presence channel. */
    user_id?: string;
  }

  /** An event as received (`connection.bind('message', ...)`). */
  export interface PusherEvent {
    /** The event name. */
    event: string;
    /** The channel, for channel events. */
    channel?: string;
    /** The data: parsed from JSON when it parses, the string otherwise. */
    data?: any;
    /** The sender of a client event on a presence channel. */
    user_id?: string;
  }

  /** An event callback: `(data, metadata)` on channels, `(data)` elsewhere; `this` is the bind context. */
  export type EventCallback = ((data?: any, metadata?: Metadata) => any) | Function;

  /** A global callback: `(eventName, data)` for every event. */
  export type GlobalEventCallback = ((eventName: string, data?: any) => any) | Function;

  /** pusher-js's event emitter (the base of channels, the connection, the user and the watchlist). */
  export interface EventsDispatcher {
    /** Calls `callback` for every event called `eventName`; `this` is `context` (default `globalThis`). */
    bind(eventName: string, callback: EventCallback, context?: any): this;
    /** Calls `callback(eventName, data)` for every event. */
    bind_global(callback: GlobalEventCallback): this;
    /** Removes bindings: by name, callback and/or context; with no arguments, all of them. */
    unbind(eventName?: string | null, callback?: EventCallback | null, context?: any): this;
    /** Removes one global callback, or all of them when none is given. */
    unbind_global(callback?: GlobalEventCallback | null): this;
    /** Removes every binding and every global callback. */
    unbind_all(): this;
    /** Calls the callbacks bound to `eventName` (global ones first); a callback that throws is reported, not propagated. */
    emit(eventName: string, data?: any, metadata?: Metadata): this;
  }

  /** What `pusher:subscription_error` (channels) and `pusher:signin_error` (user) callbacks receive. */
  export interface AuthError {
    /** Always `'AuthError'`. */
    type: 'AuthError';
    /** The error message. */
    error: string;
    /** The HTTP status, when the auth endpoint answered with one. */
    status?: number;
  }

  /** What `pusher:subscription_count` callbacks receive. */
  export interface SubscriptionCount {
    /** How many connections are subscribed to the channel. */
    subscription_count: number;
  }

  // ---------------------------------------------------------------------------------------
  // Channels

  /** A public channel, as returned by `pusher.subscribe(name)`. */
  export class Channel {
    /** Made by `pusher.subscribe()`; do not construct channels yourself. */
    constructor(name: string, pusher: Pusher);
    /** The channel name. */
    name: string;
    /** The client this channel belongs to. */
    pusher: Pusher;
    /** Whether the server confirmed the subscription (true from `pusher:subscription_succeeded`). */
    subscribed: boolean;
    /** Whether a subscription was sent and not yet answered. */
    subscriptionPending: boolean;
    /** Whether `unsubscribe()` was called while the subscription was pending. */
    subscriptionCancelled: boolean;
    /** Subscribers, from `pusher:subscription_count` (0 included); `null` until one arrives. */
    subscriptionCount: number | null;
    /** Authorizes the subscription; public channels call back `{auth: ''}` at once. */
    authorize(socketId: string, callback: ChannelAuthorizationCallback): void;
    /**
     * Sends a client event (name starting `client-`) to the channel's other subscribers;
     * `false` when not connected.
     * @throws BadEventName when the name does not start with `client-`
     */
    trigger(event: string, data?: any): boolean;
    /** Subscribes again through the client (a no-op while subscribed). */
    subscribe(): void;
    /** Unsubscribes and forgets the channel (pusher-js keeps it; issue #308). */
    unsubscribe(): void;
    /** Marks the channel unsubscribed after the connection went away. */
    disconnect(): void;
    /** Marks a pending subscription as cancelled. */
    cancelSubscription(): void;
    /** Undoes `cancelSubscription()`. */
    reinstateSubscription(): void;
    /** Delivers one event from the server to this channel's callbacks. */
    handleEvent(event: PusherEvent): void;
    /**
     * Resolves with the channel once subscribed (at once when it is; a presence channel has
     * its `members` by then). Rejects with a `SubscriptionFailure` (with `type` and `status`)
     * on `pusher:subscription_error` or when the channel is unsubscribed, with the signal's
     * reason (an `AbortError`) on abort, and with a `TimeoutError` after `timeout` ms.
     * Not part of pusher-js.
     *
     * @example
     * const orders = await pusher.subscribe('private-orders').ready({ timeout: 5000 })
     */
    ready(options?: WaitOptions): Promise<this>;
    /**
     * The channel's events as an async iterator of `{event, data, metadata}`: every event not
     * named `pusher:…`, or only `eventName`. Ends on `break`, abort or unsubscribe (after the
     * events already waiting). At most `limit` events (default 10,000) wait for a slow loop;
     * past that it throws an Error with `code: 'PUSHER_EVENTS_OVERFLOW'` once the waiting
     * ones are consumed. Not part of pusher-js.
     *
     * @example
     * for await (const { event, data } of channel.events({ signal })) console.log(event, data)
     */
    events(eventName?: string, options?: EventsOptions): AsyncIterableIterator<ChannelEvent>;
    events(options: EventsOptions): AsyncIterableIterator<ChannelEvent>;
    /** Calls `callback(error)` when the subscription is refused. */
    bind(eventName: 'pusher:subscription_error', callback: ((error: AuthError) => any) | Function, context?: any): this;
    /** Calls `callback({subscription_count})` when the server reports the subscriber count. */
    bind(eventName: 'pusher:subscription_count', callback: ((data: SubscriptionCount) => any) | Function, context?: any): this;
    /**
     * Calls `callback(data, metadata)` for every event called `eventName` on this channel
     * (`pusher:subscription_succeeded` gets `(data)` only); `this` is `context`.
     */
    bind(eventName: string, callback: EventCallback, context?: any): this;
  }
  // Channels are event emitters: this adds bind_global, unbind, emit, ...
  export interface Channel extends EventsDispatcher {}

  /** A `private-` channel: authorized with `channelAuthorization`; client events are allowed. */
  export class PrivateChannel extends Channel {}

  /** A `presence-` channel: a private channel that knows who else is subscribed. */
  export interface PresenceChannel extends PrivateChannel {
    /** Who is subscribed (reset when the connection goes away). */
    members: Members;
    /** Calls `callback(members)` once subscribed. */
    bind(eventName: 'pusher:subscription_succeeded', callback: ((members: Members) => any) | Function, context?: any): this;
    /** Calls `callback({id, info})` when a member joins or leaves. */
    bind(eventName: 'pusher:member_added' | 'pusher:member_removed', callback: ((member: PresenceMember) => any) | Function, context?: any): this;
    /** Calls `callback(error)` when the subscription is refused. */
    bind(eventName: 'pusher:subscription_error', callback: ((error: AuthError) => any) | Function, context?: any): this;
    /** Calls `callback({subscription_count})` when the server reports the subscriber count. */
    bind(eventName: 'pusher:subscription_count', callback: ((data: SubscriptionCount) => any) | Function, context?: any): this;
    /** Calls `callback(data, metadata)` for every event called `eventName`; `metadata.user_id` is the sender of client events. */
    bind(eventName: string, callback: EventCallback, context?: any): this;
  }

  /** A `private-encrypted-` channel: events are decrypted with the key from authorization. */
  export interface EncryptedChannel extends PrivateChannel {
    /** The secretbox key from `shared_secret` (`null` until authorized). */
    key: Uint8Array;
    /**
     * Always throws: client events are not supported on encrypted channels.
     * @throws UnsupportedFeature
     */
    trigger(event: string, data?: any): boolean;
  }

  /** A presence channel member. */
  export interface PresenceMember {
    /** The user id. */
    id: string;
    /** The user info from the channel authorization (`user_info`). */
    info: any;
  }

  /** The members of a presence channel (`channel.members`). */
  export interface Members {
    /** User info by user id. */
    members: Record<string, any>;
    /** How many members there are. */
    count: number;
    /** This client's user id (`null` until subscribed). */
    myID: any;
    /** This client as a `PresenceMember` (`null` until subscribed). */
    me: any;
    /** The member with this id as a `PresenceMember`, or `null`. */
    get(id: string): any;
    /** Calls `callback({id, info})` for each member. */
    each(callback: ((member: PresenceMember) => any) | Function): void;
  }

  /** The channel table (`pusher.channels`). */
  export interface Channels {
    /** Channels by name. */
    channels: Record<string, Channel>;
    /** The channel called `name`, created if needed. */
    add(name: string, pusher: Pusher): Channel;
    /** Every channel. */
    all(): Channel[];
    /** The channel called `name`; `undefined` when there is none (typed `Channel`, as in pusher-js). */
    find(name: string): Channel;
    /** Forgets the channel called `name` and returns it. */
    remove(name: string): Channel;
    /** Marks every channel unsubscribed (the connection went away). */
    disconnect(): void;
  }

  // ---------------------------------------------------------------------------------------
  // Connection

  /** A connection state. `initialized` is the first and is never emitted. */
  export type ConnectionState =
    | 'initialized'
    | 'connecting'
    | 'connected'
    | 'unavailable'
    | 'failed'
    | 'disconnected'
    | (string & {});

  /** What `state_change` callbacks receive. */
  export interface StateChange {
    /** The state before. */
    previous: ConnectionState;
    /** The state now. */
    current: ConnectionState;
  }

  /** The `type` of a connection error. `CallbackError` is pusher-native's (a callback threw). */
  export type ConnectionErrorType =
    | 'PusherError'
    | 'WebSocketError'
    | 'HandshakeError'
    | 'MessageParseError'
    | 'CallbackError'
    | (string & {});

  /**
   * What `connection.bind('error', ...)` callbacks receive (see `ConnectionErrorEvent` for
   * each type's exact shape).
   */
  export interface ConnectionError {
    /** What went wrong. */
    type: ConnectionErrorType;
    /** `PusherError`: `{code, message}`; `MessageParseError`: the frame's text. */
    data?: any;
    /** `WebSocketError`, `HandshakeError`, `MessageParseError`: the cause; `CallbackError`: what the callback threw. */
    error?: any;
    /** `CallbackError`: the event whose callback threw. */
    event?: string;
    /** `CallbackError`: the channel of that event, if any. */
    channel?: string;
  }

  /** The server sent `pusher:error`, or closed with a Pusher close code. */
  export interface PusherErrorEvent {
    /** Always `'PusherError'`. */
    type: 'PusherError';
    /** The Pusher error code (`null` when the server sent none) and message. */
    data: { code: number | null; message: string };
  }
  /** The socket failed: DNS, TCP, TLS, the upgrade, or a dropped connection. */
  export interface WebSocketErrorEvent {
    /** Always `'WebSocketError'`. */
    type: 'WebSocketError';
    /** The cause (`{type, message}`). */
    error: any;
  }
  /** The first frame was not a valid `pusher:connection_established`. */
  export interface HandshakeErrorEvent {
    /** Always `'HandshakeError'`. */
    type: 'HandshakeError';
    /** The cause. */
    error: any;
  }
  /** A frame could not be decoded (not JSON, binary, or larger than `maxMessageSize`). */
  export interface MessageParseErrorEvent {
    /** Always `'MessageParseError'`. */
    type: 'MessageParseError';
    /** The cause. */
    error: any;
    /** The frame (cut to 1 KiB). */
    data: any;
  }
  /** pusher-native only: a callback threw; delivery to other callbacks went on. */
  export interface CallbackErrorEvent {
    /** Always `'CallbackError'`. */
    type: 'CallbackError';
    /** What the callback threw. */
    error: unknown;
    /** The event whose callback threw. */
    event: string;
    /** The channel of that event, if any. */
    channel?: string;
  }
  /** Every connection error, by `type`; annotate an `error` callback with it to narrow on `type`. */
  export type ConnectionErrorEvent =
    | PusherErrorEvent
    | WebSocketErrorEvent
    | HandshakeErrorEvent
    | MessageParseErrorEvent
    | CallbackErrorEvent;

  /** Options of the promise APIs (`ready()`). */
  export interface WaitOptions {
    /** Milliseconds before rejecting with a `TimeoutError`. */
    timeout?: number;
    /** Rejects with the signal's reason (an `AbortError` by default) when aborted. */
    signal?: AbortSignal;
  }

  /** Options of `channel.events()`. */
  export interface EventsOptions {
    /** Ends the iteration: the pending `next()` rejects with the signal's reason. */
    signal?: AbortSignal;
    /** Events that may wait for a slow loop (default 10,000). */
    limit?: number;
  }

  /** One event from `channel.events()`. */
  export interface ChannelEvent {
    /** The event name. */
    event: string;
    /** The event data, decoded as pusher-js decodes it. */
    data: any;
    /** `{}`, `{user_id}` for presence client events, or `undefined` on encrypted channels. */
    metadata: Metadata | undefined;
  }

  /** Why `connection.ready()` rejected. */
  export interface ConnectionFailure extends Error {
    /** The refusal's close code (4001–4099), or `'failed'` / `'disconnected'`. */
    code: number | 'failed' | 'disconnected';
  }

  /** Why `channel.ready()` rejected. */
  export interface SubscriptionFailure extends Error {
    /** `AuthError` (and others from the server), or `Unsubscribed`. */
    type: string;
    /** The auth endpoint's HTTP status, when there was one. */
    status?: number;
  }

  /** The connection (`pusher.connection`): its state, its socket id and its events. */
  export interface ConnectionManager extends EventsDispatcher {
    /**
     * Resolves with the socket id once connected (at once when connected); it keeps waiting
     * through `connecting` and `unavailable`. Rejects with a `ConnectionFailure` when the
     * server refuses (4001–4099) or the state becomes `failed` or `disconnected` (or already
     * is), with the signal's reason (an `AbortError`) on abort, and with a `TimeoutError`
     * after `timeout` ms. Not part of pusher-js.
     *
     * @example
     * const socketId = await pusher.connection.ready({ timeout: 10000 })
     */
    ready(options?: WaitOptions): Promise<string>;
    /** The current state. */
    state: ConnectionState;
    /** The socket id from the last connection (`undefined` until first connected; typed `string` as in pusher-js). */
    socket_id: string;
    /** The app key. */
    key: string;
    /** The client options. */
    options: Options;
    /** Whether `wss://` is used. */
    usingTLS: boolean;
    /** The configured activity timeout in milliseconds. */
    activityTimeout: number;
    /** Connects, as `pusher.connect()`. */
    connect(): void;
    /** Disconnects, as `pusher.disconnect()`. */
    disconnect(): void;
    /** Sends an event on the socket; `false` when not connected. */
    send_event(name: string, data: any, channel?: string): boolean;
    /** Whether `wss://` is used. */
    isUsingTLS(): boolean;
    /** `state_change`: `callback({previous, current})` on every change of state, before the state's own event. */
    bind(eventName: 'state_change', callback: ((states: StateChange) => any) | Function, context?: any): this;
    /** `connected`: `callback({socket_id})`. */
    bind(eventName: 'connected', callback: ((info: { socket_id: string }) => any) | Function, context?: any): this;
    /** `connecting_in`: `callback(seconds)` before waiting to reconnect. */
    bind(eventName: 'connecting_in', callback: ((delay: number) => any) | Function, context?: any): this;
    /** `message`: `callback(event)` for every event received, `pusher:*` ones included. */
    bind(eventName: 'message', callback: ((event: PusherEvent) => any) | Function, context?: any): this;
    /** `error`: `callback(error)`; see `ConnectionErrorEvent` for the shapes. */
    bind(eventName: 'error', callback: ((error: ConnectionError) => any) | Function, context?: any): this;
    /** `connecting`, `unavailable`, `failed`, `disconnected`: `callback()` on entering the state. */
    bind(eventName: 'connecting' | 'unavailable' | 'failed' | 'disconnected', callback: (() => any) | Function, context?: any): this;
    /**
     * Binds a connection event:
     * - `state_change`: `{previous, current}`, on every change of state, before the state's own event;
     * - `connecting`, `unavailable`, `failed`, `disconnected`: no argument;
     * - `connected`: `{socket_id}`;
     * - `connecting_in`: the seconds before the next attempt;
     * - `message`: every `PusherEvent` received (`{event, channel?, data, user_id?}`);
     * - `error`: `{type: 'PusherError', data: {code, message}}`, `{type: 'WebSocketError', error}`,
     *   `{type: 'HandshakeError', error}`, `{type: 'MessageParseError', error, data}`, or
     *   pusher-native's `{type: 'CallbackError', error, event, channel?}` when a callback threw.
     */
    bind(eventName: string, callback: EventCallback, context?: any): this;
  }

  // ---------------------------------------------------------------------------------------
  // User

  /** The signed-in user (`pusher.user`): binds events sent to this user (`#server-to-user-<id>`). */
  export interface UserFacade extends EventsDispatcher {
    /** The client. */
    pusher: Pusher;
    /** Whether `signin()` was called. */
    signin_requested: boolean;
    /** The user data from the last sign-in, parsed; `null` when not signed in. */
    user_data: any;
    /** The `#server-to-user-<id>` channel while signed in, otherwise `null`. */
    serverToUserChannel: Channel | null;
    /** Resolves when the current sign-in attempt ends. */
    signinDonePromise: Promise<any>;
    /** Online and offline events for the users on this user's watchlist. */
    watchlist: WatchlistFacade;
    /** Signs in now and after each reconnect (idempotent). */
    signin(): void;
    /** Calls `callback(error)` when sign-in fails. */
    bind(eventName: 'pusher:signin_error', callback: ((error: AuthError) => any) | Function, context?: any): this;
    /** Calls `callback(data)` for every event called `eventName` sent to this user. */
    bind(eventName: string, callback: EventCallback, context?: any): this;
  }

  /** A watchlist event: which users came online or went offline. */
  export interface WatchlistEvent {
    /** `online` or `offline`. */
    name: string;
    /** The users concerned. */
    user_ids: string[];
  }

  /** Watchlist events (`pusher.user.watchlist`): bind `online` and `offline`. */
  export interface WatchlistFacade extends EventsDispatcher {
    /** Calls `callback({name, user_ids})` when watched users come online or go offline. */
    bind(eventName: 'online' | 'offline', callback: ((event: WatchlistEvent) => any) | Function, context?: any): this;
    /** Calls `callback(event)` for watchlist events called `eventName`. */
    bind(eventName: string, callback: EventCallback, context?: any): this;
  }

  // ---------------------------------------------------------------------------------------
  // Runtime and errors

  /**
   * `Pusher.Runtime`: the parts of pusher-js's Node platform layer that mean something here.
   * Its transports, strategies and HTTP factories do not exist (the engine is native).
   */
  export interface Runtime {
    /** Makes the class ready (its instances connect from their constructor), as pusher-js's `setup` does in Node. */
    setup(PusherClass: { ready(): void }): void;
    /** Always `'http:'`, as pusher-js answers in Node (there is no page). */
    getProtocol(): string;
    /** Always `undefined`: Node has no localStorage. */
    getLocalStorage(): any;
    /** Does nothing: Node has no page to unload. */
    addUnloadListener(listener: Function): void;
    /** Does nothing: Node has no page to unload. */
    removeUnloadListener(listener: Function): void;
    /** A random integer from 0 to `max - 1` (`crypto.randomInt`). */
    randomInt(max: number): number;
  }

  /** Thrown by `channel.trigger()` for an event name that does not start with `client-`. */
  export class BadEventName extends Error {
    constructor(msg?: string);
  }

  /** Thrown by `pusher.subscribe()` for an invalid channel name. */
  export class BadChannelName extends Error {
    constructor(msg?: string);
  }
}

export = Pusher;
