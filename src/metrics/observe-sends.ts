/** Reports each mail sent or failed to `onSend`, keeping the mailer itself (and its class) as it is. */
import type { Mailer } from '../pipeline/capability-types';

export type MailOutcomeListener = (transport: Mailer['transport'], outcome: 'sent' | 'failed') => void;

export function observeSends<M extends Mailer>(mailer: M, onSend: MailOutcomeListener | undefined): M {
  if (!onSend) return mailer;
  const send = mailer.send.bind(mailer);
  mailer.send = async (message) => {
    try {
      const result = await send(message);
      onSend(mailer.transport, 'sent');
      return result;
    } catch (err) {
      onSend(mailer.transport, 'failed');
      throw err;
    }
  };
  return mailer;
}
