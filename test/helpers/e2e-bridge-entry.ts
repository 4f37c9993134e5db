// Browser bundle entry for the e2e test bridge: the real preload, with `electron` aliased to e2e-electron-shim.ts.
import '../../preload/index';
