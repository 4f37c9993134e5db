// Entry point of the upload engine: the services container calls createUploadService(deps) with the grant
// resolver, the session's credential provider, the AWS client factory, the session log and the data folder.
import { UploadQueue, type UploadEngine, type UploadServiceDeps } from './queue';

export type { UploadEngine, UploadServiceDeps } from './queue';
export type { UploadGrant } from './types';

export function createUploadService(deps: UploadServiceDeps): UploadEngine {
  return new UploadQueue(deps);
}
