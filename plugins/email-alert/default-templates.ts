/**
 * The alert as it reads out of the box. Each can be replaced from
 * config/plugins/email-alert.json ("subject", "text", "html"), using the same
 * {{placeholders}} (listed in template.ts and README.md).
 */
export const DEFAULT_SUBJECT = '[livehook] Room "{{roomName}}" ({{roomId}}) {{reason}}';

export const DEFAULT_TEXT = `Room "{{roomName}}" ({{roomId}}) was {{reason}}.

Room name:  {{roomName}}
Room id:    {{roomId}}
Owner:      {{owner}}
Operator:   {{operator}}
Event:      {{eventType}}
Event time: {{eventTime}}
SdkAppid:   {{sdkAppId}}

Statistics
{{statistics}}

--
Sent by livehook email-alert for callback {{command}}, event {{eventId}}.
`;

export const DEFAULT_HTML = `<!doctype html>
<html><body style="font-family:sans-serif;font-size:14px;color:#222">
<p>Room <strong>{{roomName}}</strong> ({{roomId}}) was {{reason}}.</p>
<table cellspacing="0" cellpadding="0">
<tr><th align="left" style="padding:2px 12px 2px 0">Room name</th><td>{{roomName}}</td></tr>
<tr><th align="left" style="padding:2px 12px 2px 0">Room id</th><td>{{roomId}}</td></tr>
<tr><th align="left" style="padding:2px 12px 2px 0">Owner</th><td>{{owner}}</td></tr>
<tr><th align="left" style="padding:2px 12px 2px 0">Operator</th><td>{{operator}}</td></tr>
<tr><th align="left" style="padding:2px 12px 2px 0">Event</th><td>{{eventType}}</td></tr>
<tr><th align="left" style="padding:2px 12px 2px 0">Event time</th><td>{{eventTime}}</td></tr>
<tr><th align="left" style="padding:2px 12px 2px 0">SdkAppid</th><td>{{sdkAppId}}</td></tr>
</table>
<h3 style="font-size:14px;margin:16px 0 4px">Statistics</h3>
{{statistics}}
<p style="color:#888;font-size:12px">Sent by livehook email-alert for callback {{command}}, event {{eventId}}.</p>
</body></html>
`;
