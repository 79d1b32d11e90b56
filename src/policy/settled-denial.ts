/**
 * policy/settled-denial: a denial in a world that no longer changes, made cheaply — the
 * fabric's hot path (10^5-10^6 of them, each kept by its flow).
 *
 * Owns: settledDenial (an object literal with its facts as own `_` fields and a shared
 * prototype that writes its message on first read, as `new PacketDenial(directory, …)` with
 * no pending change and no expired flow would), and that prototype.
 * Does not own: what a denial says (policy/evaluate.ts PacketDenial writes the message).
 */
import { NO_BLOCKERS, PacketDenial, type Denial, type DenialCode, type HostDirectory } from './evaluate.ts';

/** The own fields of a denial made by settledDenial (besides `code` and `blockers`). */
interface SettledFacts {
  readonly code: DenialCode;
  readonly blockers: readonly DenialCode[];
  readonly _directory: HostDirectory;
  readonly _hasRules: boolean;
  readonly _lost: number;
  /** protocol << 17 | key << 1 | privatePath, as PacketDenial's. */
  readonly _traffic: number;
  readonly _source: number;
  readonly _destination: number;
  readonly _senderGroups: readonly string[] | null | undefined;
  readonly _receiver: number;
  readonly _sender: number;
  _message: string;
}

/** The prototype of settledDenial's objects: the message, written on first read, and JSON. */
const SETTLED_DENIAL = {
  get message(): string {
    const d = this as unknown as SettledFacts;
    if (d._message === '') {
      const t = d._traffic;
      d._message = new PacketDenial(d._directory, d._hasRules, d._lost, t >>> 17, (t >>> 1) & 0xffff, d._source >>> 0, (t & 1) === 1, d._senderGroups, d._receiver, d._sender, d._destination >>> 0, null, null).message;
    }
    return d._message;
  },
  toJSON(): Denial {
    const d = this as unknown as Denial;
    return { code: d.code, message: d.message, blockers: d.blockers };
  },
};

const LOST_BLOCKERS: readonly DenialCode[] = Object.freeze(['ENI_SG_RULES_MISMATCH']);

/**
 * A denial in a world that no longer changes, the fabric's hot path (10^5-10^6 of them, each
 * kept by its flow): what `new PacketDenial(directory, …)` with no pending change and no
 * expired flow says, made as an object literal (its facts own fields named with `_`, its
 * message and JSON from a shared prototype) instead of an instance of the class. V8 records
 * where literals are made and, when what it made there survives, makes the next ones in the
 * old generation; it never does that for `new` of a class. Every denial of a large run
 * survives (its flow keeps it): made young, each was copied out of the young generation, and
 * pointed at from an old flow record through the write barrier (docs/performance.md, ninth
 * round: 14% of W3's loop). Read it by name or as JSON (spreading it copies the `_` fields).
 * `lost` >= 0 (a group rule the public path lost) needs `hasRules` (the receiver has one).
 */
export function settledDenial(
  directory: HostDirectory,
  hasRules: boolean,
  lost: number,
  protocol: number,
  key: number,
  source: number,
  privatePath: boolean,
  senderGroups: readonly string[] | null | undefined,
  receiver: number,
  sender: number,
  destination: number,
): Denial {
  const facts = {
    __proto__: SETTLED_DENIAL,
    code: (lost >= 0 ? 'SG_REFERENCES_NOT_PRESERVED' : hasRules ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES') as DenialCode,
    blockers: lost >= 0 ? LOST_BLOCKERS : NO_BLOCKERS,
    _directory: directory,
    _hasRules: hasRules,
    _lost: lost,
    _traffic: (protocol << 17) | (key << 1) | (privatePath ? 1 : 0),
    _source: source | 0,
    _destination: destination | 0,
    _senderGroups: senderGroups,
    _receiver: receiver,
    _sender: sender,
    _message: '',
  };
  return facts as unknown as Denial;
}
