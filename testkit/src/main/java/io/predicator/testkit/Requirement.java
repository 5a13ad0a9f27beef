package io.predicator.testkit;

/**
 * One requirement of a contract, with a short code and its name in plain words; failures quote both, for example
 * {@code Requirement R3 'unknown names give empty, never an exception' broken: …}.
 *
 * @since 0.1
 */
public interface Requirement {

    /**
     * Returns the requirement's short code, such as {@code R3} or {@code B6}.
     *
     * @return the code
     */
    String code();

    /**
     * Returns what the requirement asks, in plain words.
     *
     * @return the plain-word name
     */
    String description();
}
