package dev.palisade.policy;

/**
 * The lexical score of the part of a name left of its registrable domain.
 *
 * @param length characters, dots included
 * @param bits information under the bigram model, case bits included
 * @param bitsPerChar {@code bits / length} (0 for an empty part)
 * @param mixedCase whether case is mixed base64-style (an upper-case letter right after a lower-case one)
 */
public record LexicalScore(int length, double bits, double bitsPerChar, boolean mixedCase) {}
