package dev.palisade.bench.exfil;

/**
 * One query a tool sends.
 *
 * @param name text form (dnsjava escapes allowed), absolute
 * @param type query type
 * @param payloadBits payload information carried (0 for polls and handshakes)
 * @param domain the registrable domain the tool uses (for per-domain figures)
 * @param answerTxtBytes bytes of TXT data the tool's server answers with (0: an A record)
 */
record Probe(String name, int type, double payloadBits, String domain, int answerTxtBytes) {}
