/**
 * fabric/fast/host-rows: the layout of a host's row in HostTable.info (fabric/hosts.ts) (16 int32s: one cache
 * line), which routing, filtering and connects read instead of the Host object (in a world of
 * 10^6 hosts each object is a cache miss behind another). What a row holds is copied from the
 * Host object whenever it changes (HostTable.writeHostInfo and newHost, RuleLinks.linkRules); the objects stay
 * the public view, and the plan's hops (path/) read the same fields through PathWorld.
 */
/** HostTable.info: int32s per host (a row of 64 bytes: one cache line), and what each holds. */
export const HOST_STRIDE = 16;
export const H_PRIVATE = 0;
export const H_PUBLIC = 1;
export const H_FLAGS = 2;
/** Region code << 16 | zone code (0: none). */
export const H_PLACE = 3;
/**
 * The number of groups of the host's receiver whose rules are laid out in Fabric.arena, plus
 * 1 (`& RULES_LAID`); 0 when they are not (no receiver linked, or one the arena does not hold:
 * linkRules). Plus RULES_REFS when some of those rules name a group (only then does a packet
 * need its sender's groups).
 */
export const H_RULES = 4;
export const RULES_LAID = 15;
export const RULES_REFS = 16;
/** Where its first and second group are in Fabric.arena (when H_RULES says they are). */
export const H_GROUP0 = 5;
export const H_GROUP1 = 6;
/**
 * The local port its next connect or UDP send takes (Fabric.ephemeralPort): here, not on the
 * Host object, so a connect reads the sender's row (which routing reads anyway) and no object.
 */
export const H_NEXT_PORT = 7;
/**
 * Its groups as a sender, by their numbers in Fabric.arena (RuleArena.numberOf), so that a
 * rule naming a group is matched against the sender's row, not its Host object and strings:
 * how many (0-2; -1 when it has more: then its groupKeys), then the first two.
 */
export const H_SENDER = 8;
export const H_SENDER0 = 9;
export const H_SENDER1 = 10;
/**
 * 1 once the host has had a TCP client socket (never cleared): 0 says it holds none, so a
 * connect decided as it is sent need not look for one to take its port from (the socket
 * table's count by host is a cache miss of its own; this row is read anyway).
 */
export const H_HAD_TCP = 11;
/** Receivers of more groups are not laid out (a generated world's have one or two). */
export const ARENA_GROUPS = 2;
/**
 * Fabric.arena is laid out again (the groups of linked receivers only) before it would pass
 * this many int32s, or twice what its last layout held if that is more.
 */
export const ARENA_COMPACT_MIN = 1 << 20;
export const RUNNING = 1;
export const EXTERNAL = 2;
