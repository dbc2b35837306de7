// Temporal's JSON history files → History messages, as @temporalio/common's historyFromJSON does, but with
// the protobufjs that @temporalio/proto's types were built by. Here npm installs three copies of protobufjs 8
// (under proto, common and worker, beside a hoisted 7 another package needs), and protojson's `instanceof
// Type` check fails across copies: "type must be a Type" from historyFromJSON / historyToJSON.
import { createRequire } from 'node:module';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
interface ProtoJson {
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}
interface Root {
  lookupType(name: string): unknown;
}

const require = createRequire(import.meta.url);
const fromProtoPackage = createRequire(require.resolve('@temporalio/proto'));
const protojson = fromProtoPackage('protobufjs/ext/protojson') as ProtoJson;
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot(root: unknown): Root;
};
const historyType = patchProtobufRoot(require('@temporalio/proto')).lookupType('temporal.api.history.v1.History');

export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a history');
  return history;
}
