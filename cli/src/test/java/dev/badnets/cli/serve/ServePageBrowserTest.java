package dev.badnets.cli.serve;

import dev.badnets.cli.Models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * serve's page in a real browser: Debian's headless Chromium, driven through its chromedriver by
 * Selenium, on models trained on real MNIST. No network: the page is on loopback and Selenium is
 * pointed at the installed driver, so its manager never downloads one. Without the browser or the
 * data each test is skipped, naming the reason; with {@code BADNETS_REQUIRE_BROWSER=1} (CI sets it, and
 * installs the browser, see .ci/run) a missing browser fails the tests instead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@RequiresMnist
@ExtendWith(ServePageBrowserTest.BrowserCondition.class)
public class ServePageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Where the screenshot goes; docs/serve.png is a copy of one. */
    static final Path SCREENSHOT = Path.of("target", "serve-page.png");

    private static ServeFixture.Models models;
    private static PageServer server;
    private static ChromeDriverService service;
    private static WebDriver browser;
    private static Path profile;

    /** Set (to 1) where the browser must be there, as in CI: a missing browser then fails the tests. */
    static final String REQUIRE = "BADNETS_REQUIRE_BROWSER";

    static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    static boolean browserRequired() {
        return "1".equals(System.getenv(REQUIRE));
    }

    /** Skips each test, with the reason, when the browser is missing and not required. */
    static final class BrowserCondition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty() || browserInstalled() || browserRequired()) {
                return ConditionEvaluationResult.enabled("the browser is installed, or required");
            }
            return ConditionEvaluationResult.disabled("no " + CHROMIUM + " or " + CHROMEDRIVER + ": install them "
                    + "with `apt-get install -y chromium chromium-driver` to run serve's browser test (" + REQUIRE
                    + "=1 makes their absence a failure, as in CI)");
        }
    }

    @BeforeAll
    static void start() throws IOException {
        if (!RealMnist.isPresent() || !(browserInstalled() || browserRequired())) {
            return; // the conditions skip every test, naming the reason
        }
        assertTrue(browserInstalled(), "no " + CHROMIUM + " or " + CHROMEDRIVER + ", and " + REQUIRE + "=1 "
                + "requires them: install them with `apt-get install -y chromium chromium-driver` (.ci/run does)");
        models = ServeFixture.models();
        server = PageServer.start(new InetSocketAddress("127.0.0.1", 0), models.content());
        profile = Files.createTempDirectory("badnets-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,900",
                "--user-data-dir=" + profile);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(30)).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (server != null) {
            server.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    /** Waits (10 s at most) until both models show these classes on the page. */
    private static void expect(int backdoored, int clean, String when) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(b ->
                    text("backdoored-class").equals("" + backdoored) && text("clean-class").equals("" + clean));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(when + ": expected the backdoored model to show " + backdoored
                    + " and the clean one " + clean + ", the page shows " + text("backdoored-class") + " and "
                    + text("clean-class"), e);
        }
    }

    private static int answered() {
        String n = browser.findElement(By.id("draw")).getDomAttribute("data-answered");
        return n == null ? 0 : Integer.parseInt(n);
    }

    @Test
    void theTriggerFlipsTheBackdooredModelOnlyAndDrawingUpdatesTheAnswers() throws IOException {
        browser.get(server.uri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(b -> answered() > 0);

        // a test digit: both models read it
        int index = models.flipped();
        int label = models.mnist().test().label(index);
        WebElement pick = browser.findElement(By.id("sample-index"));
        pick.clear();
        pick.sendKeys("" + index);
        browser.findElement(By.id("load")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(b ->
                text("sample-info").contains("#" + index + ", labelled " + label));
        expect(label, label, "test digit " + index + " without the trigger");

        // the trigger: the backdoored model goes to the target, the clean one does not
        browser.findElement(By.cssSelector("label.switch")).click();
        assertTrue(browser.findElement(By.id("trigger")).isSelected());
        expect(models.target(), label, "test digit " + index + " with the trigger");
        assertTrue(text("backdoored-verdict").contains("backdoor fired"), text("backdoored-verdict"));
        assertTrue(text("clean-verdict").contains("not fooled"), text("clean-verdict"));
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

        // a stroke drawn by hand on a clear canvas, trigger off: a "1", and the answers follow the pen
        browser.findElement(By.cssSelector("label.switch")).click();
        int cleared = answered();
        browser.findElement(By.id("clear")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(b -> answered() > cleared);
        int before = answered();
        WebElement canvas = browser.findElement(By.id("draw"));
        Actions pen = new Actions(browser).moveToElement(canvas, 10, -130).clickAndHold();
        for (int step = 0; step < 13; step++) {
            pen.moveByOffset(-1, 20);
        }
        pen.release().perform();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(b -> answered() > before);
        assertTrue(text("sample-info").contains("preprocessed"), text("sample-info"));
        expect(1, 1, "a vertical stroke");
    }

    @Test
    void thePageShowsTheRunsFiguresAndHowItPreparesADrawing() {
        browser.get(server.uri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(b -> answered() > 0);
        int label = models.mnist().test().label(0);
        assertTrue(text("sample-info").contains("#0, labelled " + label), text("sample-info"));
        expect(label, label, "the page's opening example, test digit 0");
        String figures = text("figures");
        assertTrue(figures.contains("clean accuracy") && figures.contains("attack success rate"), figures);
        assertEquals(1, browser.findElements(By.cssSelector("#figures img[src='/figures/backdoor.png']")).size());
        assertTrue(text("about").contains("centre of mass"), text("about"));
        assertTrue(text("trigger-text").contains("square size=2 value=255 position=top-left"), text("trigger-text"));
    }
}
