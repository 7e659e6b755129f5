package dev.badnets.mnist.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that needs real MNIST ({@link RealMnist}): without it, each of its tests is skipped, by
 * name and with the reason, so Surefire lists them as skipped. The class itself still starts, so its
 * {@code @BeforeAll} must return early when {@link RealMnist#isPresent()} is false (skipping the class
 * there would show in the reports as a class that ran no test, not as skipped tests).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresMnist.Condition.class)
public @interface RequiresMnist {

    /** Disables each test method, not the class, when the data is missing. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("a class: its tests decide");
            }
            String absence = RealMnist.absence();
            return absence == null ? ConditionEvaluationResult.enabled("real MNIST in " + RealMnist.folder())
                    : ConditionEvaluationResult.disabled(absence);
        }
    }
}
