package dev.badnets.examples.cli;

/** The whole "application" of the stub jar that {@link LauncherTest} builds: prints one line. */
public final class LauncherStubMain {

    private LauncherStubMain() {
    }

    public static void main(String[] args) {
        System.out.println("stub " + String.join(" ", args));
    }
}
