import { join } from 'node:path';

/** go's environment for a test run with everything under `base`: its own GOPATH, cache and HOME. */
export function isolatedGoEnv(base: string, goproxy: string): Record<string, string> {
  return {
    GOPROXY: goproxy,
    GOSUMDB: 'off',
    GOPATH: join(base, 'gopath'),
    GOMODCACHE: join(base, 'gopath', 'pkg', 'mod'),
    GOFLAGS: '-modcacherw',
    GOCACHE: join(base, 'gocache'),
    HOME: base,
  };
}
