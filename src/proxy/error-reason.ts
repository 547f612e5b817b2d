import type { ProxyErrorReason } from '../metrics/metrics.js';

const TLS_CODE = /^(?:ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/;

/** Why an upstream exchange failed, as the `reason` label of restaudit_proxy_errors_total. */
export function errorReason(error: unknown): ProxyErrorReason {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET':
      return 'reset';
    default:
      return TLS_CODE.test(code) || /certificate|ssl|tls/i.test((error as Error | undefined)?.message ?? '') ? 'tls' : 'other';
  }
}
