package io.predicator.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the requirements a deliberately broken backend or resolver is built to break: {@link EveryRequirementCanFailTests}
 * checks that each does, and that together they break every requirement.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface Breaks {
    /**
     * The requirement codes, such as {@code "B3"}.
     *
     * @return the codes
     */
    String[] value();
}
