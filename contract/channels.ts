// The one contract: every channel between the renderer and a host, with its request and response
// (invoke) or payload (event). Main, preload, the server and the renderer are all derived from it.
import type {
  AppCommand,
  AppInfo,
  DreamRequest,
  Empty,
  EngineStatus,
  FileBytes,
  FilePurpose,
  GalleryEntry,
  InputImage,
  JobProgress,
  JobState,
  JobTicket,
  LayerChoice,
  LoadedRecipe,
  SaveOutcome,
} from './types.ts';
import type { ChannelPicture, ChannelsRequest, ChannelViewRequest, ImageProbeRequest } from './inspect.ts';
import type { ClassSearch, ModelDownload, ModelInfo, ModelSize, PresetExport, PresetSaveRequest, SettingsUpdate, SettingsView, UserPreset } from './models.ts';
import type { AtlasSummary, AtlasView, FarmStatusView, FarmTestRequest } from './farm.ts';
import type { SessionDreamRequest, SessionItem, SessionNewRequest, SessionVideoRequest, VideoExportRequest, ZoomCreateRequest, ZoomItem, ZoomPreviewRequest, ZoomResumeRequest, ZoomRunRequest } from './projects.ts';

/** Phantom-typed descriptors: the runtime value only says which kind a channel is. */
export interface Invoke<Req, Res> {
  readonly kind: 'invoke';
  readonly types?: { req: Req; res: Res };
}
export interface Event<Payload> {
  readonly kind: 'event';
  readonly types?: { payload: Payload };
}
const invoke = <Req, Res>(): Invoke<Req, Res> => ({ kind: 'invoke' });
const event = <Payload>(): Event<Payload> => ({ kind: 'event' });

export const contract = {
  'app.info': invoke<Empty, AppInfo>(),
  'engine.status': invoke<Empty, EngineStatus>(),
  'model.layers': invoke<Empty, LayerChoice[]>(),
  'image.import': invoke<FileBytes, InputImage>(),
  'recipe.fromPng': invoke<FileBytes, LoadedRecipe>(),
  'dream.start': invoke<DreamRequest, JobTicket>(),
  'job.cancel': invoke<{ jobId: string }, { cancelled: boolean }>(),
  'job.list': invoke<Empty, JobState[]>(),
  'zoom.create': invoke<ZoomCreateRequest, ZoomItem>(),
  'zoom.run': invoke<ZoomRunRequest, JobTicket>(),
  'zoom.preview': invoke<ZoomPreviewRequest, JobTicket>(),
  'zoom.resume': invoke<ZoomResumeRequest, JobTicket>(),
  'video.export': invoke<VideoExportRequest, JobTicket>(),
  'video.save': invoke<{ id: string; file: string }, SaveOutcome>(),
  'session.new': invoke<SessionNewRequest, SessionItem>(),
  'session.dream': invoke<SessionDreamRequest, JobTicket>(),
  'session.pick': invoke<{ id: string; round: number; frame: number }, SessionItem>(),
  'session.add': invoke<{ id: string; painting: FileBytes }, SessionItem>(),
  'session.video': invoke<SessionVideoRequest, JobTicket>(),
  'inspect.cached': invoke<ChannelsRequest, ChannelPicture[]>(),
  'inspect.render': invoke<ChannelsRequest, JobTicket>(),
  'inspect.channel': invoke<ChannelViewRequest, JobTicket>(),
  'inspect.image': invoke<ImageProbeRequest, JobTicket>(),
  'gallery.list': invoke<Empty, GalleryEntry[]>(),
  'gallery.get': invoke<{ id: string }, GalleryEntry>(),
  'gallery.delete': invoke<{ id: string }, { deleted: boolean }>(),
  'result.save': invoke<{ id: string }, SaveOutcome>(),
  'dialog.openFile': invoke<{ purpose: FilePurpose }, FileBytes | null>(),
  /** Electron only: a folder to add a model from, chosen in a native dialog (models.add accepts only such paths). */
  'dialog.openModelFolder': invoke<Empty, { path: string } | null>(),
  'models.list': invoke<Empty, ModelInfo[]>(),
  'models.probe': invoke<{ spec: string }, ModelSize>(),
  'models.add': invoke<{ spec: string; name?: string }, ModelDownload>(),
  'models.cancel': invoke<{ downloadId: string }, { cancelled: boolean }>(),
  'models.remove': invoke<{ name: string }, { name: string; bytes: number }>(),
  'models.select': invoke<{ name: string }, EngineStatus>(),
  'models.classes': invoke<{ query: string; limit?: number }, ClassSearch>(),
  'settings.get': invoke<Empty, SettingsView>(),
  'settings.update': invoke<SettingsUpdate, SettingsView>(),
  'presets.list': invoke<Empty, UserPreset[]>(),
  'presets.save': invoke<PresetSaveRequest, UserPreset>(),
  'presets.rename': invoke<{ from: string; to: string }, UserPreset>(),
  'presets.delete': invoke<{ name: string }, { deleted: boolean }>(),
  'presets.export': invoke<{ name: string }, PresetExport>(),
  'presets.import': invoke<{ file: FileBytes; as?: string; overwrite?: boolean }, UserPreset>(),
  /** Settings → Farm: reach a farm URL (not saved) and list its workers. */
  'farm.test': invoke<FarmTestRequest, FarmStatusView>(),
  /** The saved farm's workers now; null when no farm is set. */
  'farm.status': invoke<Empty, FarmStatusView | null>(),
  /** Atlas folders (`reverie atlas -o <data folder>/atlases/NAME`) and one opened for browsing. */
  'atlas.list': invoke<Empty, AtlasSummary[]>(),
  'atlas.open': invoke<{ id: string }, AtlasView>(),
  /** An atlas folder anywhere (checked to be one, then registered and listed); Electron: only a folder its dialog returned. */
  'atlas.add': invoke<{ path: string }, AtlasSummary>(),
  /** Electron: a native folder dialog for an atlas folder; browser mode has none (the page takes a typed path). */
  'dialog.openAtlasFolder': invoke<Empty, { path: string } | null>(),
  'engine.changed': event<EngineStatus>(),
  'job.progress': event<JobProgress>(),
  'job.state': event<JobState>(),
  'gallery.changed': event<Empty>(),
  'models.download': event<ModelDownload>(),
  'app.command': event<AppCommand>(),
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type InvokeChannel = { [C in Channel]: Contract[C] extends Invoke<unknown, unknown> ? C : never }[Channel];
export type EventChannel = { [C in Channel]: Contract[C] extends Event<unknown> ? C : never }[Channel];

export type RequestOf<C extends InvokeChannel> = Contract[C] extends Invoke<infer Req, unknown> ? Req : never;
export type ResponseOf<C extends InvokeChannel> = Contract[C] extends Invoke<unknown, infer Res> ? Res : never;
export type PayloadOf<E extends EventChannel> = Contract[E] extends Event<infer P> ? P : never;

/** What a host implements: one async handler per invoke channel. */
export type Handlers = { [C in InvokeChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

/** What the renderer sees (window.reverie in Electron, the HTTP client in browser mode):
 * exactly one method per channel; event methods subscribe and return an unsubscribe function. */
export type ReverieApi = { [C in InvokeChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> } & {
  [E in EventChannel]: (listener: (payload: PayloadOf<E>) => void) => () => void;
};

/** A host event as it travels: which channel, and its payload. */
export type HostEvent = { [E in EventChannel]: { channel: E; payload: PayloadOf<E> } }[EventChannel];

export const channels = Object.keys(contract) as Channel[];
export const invokeChannels = channels.filter((c): c is InvokeChannel => contract[c].kind === 'invoke');
export const eventChannels = channels.filter((c): c is EventChannel => contract[c].kind === 'event');

export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.hasOwn(contract, name) && contract[name as Channel].kind === 'invoke';
}
