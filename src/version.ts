// The plugin's version: set by the build from package.json (esbuild define); from source, a development version.
declare const EXPOSE_STS_VERSION: string | undefined;

export const version = typeof EXPOSE_STS_VERSION !== 'undefined' ? EXPOSE_STS_VERSION : 'v0.0.0-dev';
