/**
 * What an operator should hear at start when livehook is open to anyone who
 * can reach its port. The defaults are open so that `npm start` works before
 * any console is set up; in production each open door is a way to forge
 * events (false alerts, padded reports) or to read the reports.
 */
import type { AuthSettings } from './auth';

export function openAccessWarnings(auth: AuthSettings & { adminToken: string | null }): string[] {
  const warnings: string[] = [];
  if (auth.callbackToken === null) {
    warnings.push(
      'no callback token: /callback accepts unsigned callbacks from anyone who can reach it; ' +
        "set LIVEHOOK_CALLBACK_TOKEN (auth.callbackToken) to the callback key of Tencent's console",
    );
  }
  if (auth.sdkAppIds.length === 0) {
    warnings.push('no SdkAppid set: callbacks of any app are accepted; set LIVEHOOK_SDKAPPID (auth.sdkAppIds) to your app');
  }
  if (auth.adminToken === null) {
    warnings.push('no admin token: /reports and /metrics are open to anyone who can reach the port; set LIVEHOOK_ADMIN_TOKEN (auth.adminToken)');
  }
  return warnings;
}
