package io.predicator.testkit;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The backend contract, run through EngineTestKit against decorated ORC backends that each break it in one way:
 * exactly the requirements they break fail, and every failure names its requirement in plain words.
 */
class BrokenBackendContractTests {
    private static final Pattern REQUIREMENT = Pattern.compile("^Requirement (B\\d+) '([^']+)' broken: ");

    @Test
    void untypedLoadFailuresBreakEveryRequirementAboutFailureKinds() {
        List<String> messages = failures(BrokenBackends.UntypedFailures.class);

        assertThat(requirements(messages)).containsExactly("B8", "B10", "B11", "B13", "B14", "B15", "B16");
        assertThat(messages).anySatisfy(message -> assertThat(message).startsWith(
                "Requirement B10 'bad input gives a typed exception naming the source' broken: loading bad input "));
        assertThat(messages).anySatisfy(message -> assertThat(message).startsWith(
                "Requirement B11 'unresolved symbols are all listed at once' broken: loading two_missing.ll, which "
                        + "imports missing_one and missing_two: "));
    }

    @Test
    void anOverclaimedFormatBreaksTheFormatRequirements() {
        List<String> messages = failures(BrokenBackends.OverclaimedFormat.class);

        assertThat(requirements(messages)).containsExactly("B1", "B2", "B10", "B11");
        assertThat(messages).anySatisfy(message -> assertThat(message)
                .startsWith("Requirement B1 'every declared format loads and its functions run' broken: loading "
                        + "archive lib.a threw: io.predicator.UnsupportedModuleException"));
    }

    private static List<String> failures(Class<?> contractClass) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(contractClass))
                .execute();
        List<String> messages = results.allEvents().failed().stream()
                .map(event -> String.valueOf(event.getRequiredPayload(TestExecutionResult.class).getThrowable()
                        .orElseThrow().getMessage()))
                .toList();
        assertThat(messages).as("failures of %s", contractClass.getSimpleName())
                .isNotEmpty()
                .allSatisfy(message -> assertThat(message).matches(REQUIREMENT.pattern() + "(?s).*"));
        return messages;
    }

    private static Set<String> requirements(List<String> messages) {
        Set<String> codes = new TreeSet<>((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)),
                Integer.parseInt(b.substring(1))));
        for (String message : messages) {
            Matcher matcher = REQUIREMENT.matcher(message);
            if (matcher.find()) {
                codes.add(matcher.group(1));
            }
        }
        return codes;
    }
}
