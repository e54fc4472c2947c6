/**
 * Live.CallbackAfterSetMetadata / Live.CallbackAfterDelMetadata: room
 * metadata written or removed. Tencent's docs show a Metadata list of
 * {Key, Value}; the rest of the shape is kept as sent.
 */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { text } from './fields';

const metadataList = Joi.array().items(Joi.object({ Key: text, Value: text }));

export const setMetadata = commandSchema({ Metadata: metadataList }, { room: 'required' });

export const delMetadata = commandSchema({ Metadata: metadataList }, { room: 'required' });
