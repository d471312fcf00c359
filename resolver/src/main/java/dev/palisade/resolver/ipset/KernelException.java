package dev.palisade.resolver.ipset;

/** A kernel set could not be created or changed; the message says which command and why. */
public final class KernelException extends Exception {
  KernelException(String message) {
    super(message);
  }

  KernelException(String message, Throwable cause) {
    super(message, cause);
  }
}
