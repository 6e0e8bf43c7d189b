import { DocknetError } from '../../lib/core/errors';
import { EngineInstall, LAB_ENGINES, engineInstall, enginePath, engineValidateCommand, labEngineFromEnv, parseLabEngine, systemEngineRelease } from '../../lab/engines';

describe('lab engines', () => {
  test('the three engines, oldest first', () => {
    expect(LAB_ENGINES).toEqual(['20.10', '26.1', '28.5']);
  });

  test.each(['20.10', '26.1', '28.5'])('DOCKNET_ENGINE=%s is taken as given', (v) => {
    expect(labEngineFromEnv({ DOCKNET_ENGINE: v })).toBe(v);
  });

  test.each(['28', '28.5.2', 'latest', '29.0', ' 28.5'])('DOCKNET_ENGINE=%j is refused with the choices', (v) => {
    expect(() => labEngineFromEnv({ DOCKNET_ENGINE: v })).toThrow(DocknetError);
    expect(() => labEngineFromEnv({ DOCKNET_ENGINE: v })).toThrow(/expected one of 20\.10, 26\.1, 28\.5.*Fix: DOCKNET_ENGINE=28\.5/);
  });

  test('--engine names itself in the refusal', () => {
    expect(() => parseLabEngine('27.0', '--engine')).toThrow(/--engine "27\.0" is not a lab engine/);
  });

  test('unset: the machine\'s own dockerd release when it is a lab engine', () => {
    const sys = systemEngineRelease();
    if (sys !== null && (LAB_ENGINES as readonly string[]).includes(sys)) expect(labEngineFromEnv({})).toBe(sys);
    else expect(() => labEngineFromEnv({})).toThrow(/DOCKNET_ENGINE is not set/);
    expect(labEngineFromEnv({ DOCKNET_ENGINE: '' })).toBe(labEngineFromEnv({}));
  });

  test('enginePath puts the engine first, keeps the rest once, adds the sbin folders', () => {
    const install: EngineInstall = {
      version: '28.5',
      dockerd: '/c/28.5/root/usr/sbin/dockerd',
      docker: '/c/28.5/root/usr/bin/docker',
      pathPrefix: ['/c/28.5/root/usr/sbin', '/c/28.5/root/usr/bin'],
      packages: [],
    };
    expect(enginePath(install, '/usr/local/bin:/c/28.5/root/usr/bin:/usr/bin:/bin')).toBe(
      '/c/28.5/root/usr/sbin:/c/28.5/root/usr/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin',
    );
  });
});

describe('where each engine is', () => {
  test('the machine\'s own 20.10 pins /usr/bin/docker, not /usr/local/bin/docker (CLI 28.2.2 on this image)', () => {
    if (systemEngineRelease() !== '20.10') return expect(engineInstall('20.10').dockerd).toMatch(/docknet-engines\/20\.10\/root\/usr\/sbin\/dockerd$/);
    expect(engineInstall('20.10')).toMatchObject({ dockerd: '/usr/sbin/dockerd', docker: '/usr/bin/docker' });
  });

  test.each(['26.1', '28.5'] as const)('Docker %s comes from the cache folder, CLI of its own release', (v) => {
    const prev = process.env.DOCKNET_ENGINE_CACHE;
    process.env.DOCKNET_ENGINE_CACHE = '/c';
    try {
      const i = engineInstall(v);
      expect(i).toMatchObject({ dockerd: `/c/${v}/root/usr/sbin/dockerd`, docker: `/c/${v}/root/usr/bin/docker`, pathPrefix: [`/c/${v}/root/usr/sbin`, `/c/${v}/root/usr/bin`] });
      expect(i.packages[0]).toMatch(new RegExp(`^docker\\.io=${v.replace('.', '\\.')}\\.`));
      expect(i.packages.some((p) => p.startsWith(`docker-cli=${v}.`))).toBe(true);
    } finally {
      if (prev === undefined) delete process.env.DOCKNET_ENGINE_CACHE;
      else process.env.DOCKNET_ENGINE_CACHE = prev;
    }
  });

  test('validation by the host\'s own dockerd, by path, where it has --validate (23.0+)', () => {
    expect(engineValidateCommand(engineInstall('20.10'))).toBeUndefined();
    expect(engineValidateCommand(engineInstall('28.5'))).toBe(`${engineInstall('28.5').dockerd} --validate --config-file`);
  });
});
