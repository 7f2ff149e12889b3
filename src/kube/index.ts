// The kube layer: the only code that talks to the API server. Loaded on demand (see load.ts), so --help and usage
// errors never pay for HTTP, TLS and credentials.
export { type Api, connectApi } from './api.ts';
