// The tutorial's world for tests: a fresh moto_server (account 629470240201, so config/grants/hr-upload.yaml's
// ARNs match), seeded with auth off, then auth switched on. Call `stop()` in afterAll.
import { startMoto, type MotoServer } from '../../main/services/sandbox/moto';
import { seedTutorialWorld, TUTORIAL_ACCOUNT_ID, type TutorialWorld } from '../../main/services/sandbox/seed';

export interface TestWorld extends TutorialWorld {
  moto: MotoServer;
  /** Wipes moto and seeds again (new keys), leaving auth as `auth` says. */
  reseed(options?: { auth?: boolean }): Promise<TutorialWorld>;
  stop(): Promise<void>;
}

export async function startTutorialWorld(options: { auth?: boolean } = {}): Promise<TestWorld> {
  const moto = await startMoto({ accountId: TUTORIAL_ACCOUNT_ID });
  const seed = async (auth: boolean) => {
    await moto.setAuth(false);
    const world = await seedTutorialWorld(moto.endpoint, { accountId: TUTORIAL_ACCOUNT_ID });
    if (auth) await moto.setAuth(true);
    return world;
  };
  try {
    const world = await seed(options.auth ?? true);
    const test: TestWorld = {
      ...world,
      moto,
      reseed: async (o = {}) => {
        await moto.setAuth(false);
        await moto.reset();
        const w = await seed(o.auth ?? true);
        Object.assign(test, w);
        return w;
      },
      stop: () => moto.stop(),
    };
    return test;
  } catch (e) {
    await moto.stop();
    throw e;
  }
}
