/**
 * Why an optional peer could not be imported, in words a user can act on: not installed at all, or
 * installed but an ES module this CommonJS runtime cannot load (@nestjs/jwt 12 under Jest in a
 * Nest 11 app: Node's own require() loads it, Jest's does not), or something else (named by its
 * error class only: a loader's message may quote paths, never anything secret, but it is not ours).
 */
export function optionalPeerProblem(pkg: string, error: unknown, install: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const notFound = (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) && message.includes(pkg);
  if (notFound) return `needs the package '${pkg}' (an optional peer dependency, used only by the incoming half): npm install ${install}`;
  if (code === 'ERR_REQUIRE_ESM' || /Must use import to load ES Module|require\(\) of ES Module/.test(message)) {
    return (
      `'${pkg}' is installed but cannot be loaded here: that version is an ES module, and this CommonJS runtime (Jest's, for one) ` +
      `cannot require it. In a Nest 11 app install the version of your Nest major: npm install ${pkg}@^11`
    );
  }
  return `'${pkg}' is installed but could not be loaded (${error instanceof Error ? error.name : typeof error})`;
}
